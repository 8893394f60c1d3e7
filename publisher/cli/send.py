"""Commands that deliver: send an issue's digest, and show what its sends did."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from publisher.app import Publisher
from publisher.cli.context import cli, get_app, publication_option
from publisher.deliver.ledger import Counts, DeliveryInfo, SendInfo
from publisher.deliver.service import SendReport, dry_run, send_issue, send_test, sends_of_issue
from publisher.deliver.transport import Outcome

# Exit status when the command worked but recipients are still waiting (deferred
# for a later retry, or left by --limit): not an error (2), not done (0).
EXIT_UNFINISHED = 1
EXIT_INTERRUPTED = 130  # stopped with Ctrl-C, as shells report an interrupted command
# After a second Ctrl-C the process is gone within this, whatever it was waiting for.
ABANDON_SECONDS = 0.8
LOG_EVERY = 5.0  # seconds between progress lines when stdout is not a terminal


@cli.command()
@click.argument("number", type=int)
@publication_option
@click.option(
    "--dry-run", is_flag=True, help="Count the recipients and build one message; send nothing."
)
@click.option(
    "--test-to",
    metavar="EMAIL",
    help="Send one message to EMAIL (anyone), outside the ledger, and stop.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Make at most N delivery attempts in this run; the rest stay queued.",
)
@click.pass_context
def send(
    ctx: click.Context,
    number: int,
    publication: str | None,
    dry_run: bool,
    test_to: str | None,
    limit: int | None,
) -> None:
    """Send issue NUMBER's digest to every active subscriber, or resume its send.

    Every recipient gets a ledger row before the first message goes out, so an
    interrupted send (Ctrl-C, a crash, kill -9) resumes where it stopped when
    you run this again. Exits 0 when nobody is left waiting, 1 when some
    recipients are deferred for a later retry or were left by --limit.
    """
    if dry_run and test_to:
        raise click.UsageError("give either --dry-run or --test-to, not both")
    app = get_app(ctx)
    if test_to:
        _send_test(app, number, test_to, publication)
    elif dry_run:
        _dry_run(app, number, publication)
    else:
        with _stop_on_ctrl_c() as stop:
            report = _send_with_progress(app, number, publication, limit, stop)
        click.echo(summary(report))
        if stop.is_set():
            sys.exit(EXIT_INTERRUPTED)
        if not report.complete:
            sys.exit(EXIT_UNFINISHED)


@cli.command("sends")
@click.argument("number", type=int)
@publication_option
@click.pass_context
def list_sends(ctx: click.Context, number: int, publication: str | None) -> None:
    """Show the sends of issue NUMBER: counts by state, then who failed or waits, and why."""
    sends = sends_of_issue(get_app(ctx), number, publication)
    if not sends:
        click.echo(f"Issue {number} has not been sent: send it with 'publisher send {number}'.")
    for send, counts, problems in sends:
        click.echo(describe_send(send, counts))
        for row in problems:
            click.echo(describe_problem(row))


def _send_test(app: Publisher, number: int, to: str, publication: str | None) -> None:
    result = send_test(app, number, to, publication)
    click.echo(f"test message to {to}: {result.outcome} ({result.reply})")
    if result.outcome != Outcome.SENT:
        sys.exit(EXIT_UNFINISHED)


def _dry_run(app: Publisher, number: int, publication: str | None) -> None:
    plan = dry_run(app, number, publication)
    formats = ", ".join(f"{n} {fmt}" for fmt, n in sorted(plan.formats.items())) or "nobody"
    click.echo(f"{plan.publication} 第{plan.number}期: {plan.subject}")
    click.echo(f"transport: {plan.transport}")
    if plan.existing is not None and plan.counts is not None:
        click.echo(describe_send(plan.existing, plan.counts))
        click.echo(f"would attempt: {plan.recipients} queued or deferred recipients")
    else:
        click.echo(f"would send to: {plan.recipients} active subscribers ({formats})")
    click.echo(f"message size: {plan.message_bytes} bytes; nothing was sent")


@contextmanager
def _stop_on_ctrl_c() -> Iterator[threading.Event]:
    """The first Ctrl-C asks the send to stop at a safe point; a second one abandons it.

    Abandoning records what is known, releases the send and closes the
    connections; should any of that hang (a locked database, say), the process
    ends anyway after ``ABANDON_SECONDS``, as a kill -9 would: what was in
    flight may then be sent once more when the send resumes, as after a crash.
    """
    stop = threading.Event()

    def handle(_signal: int, _frame: object) -> None:
        if stop.is_set():
            ending = threading.Timer(ABANDON_SECONDS, _abandon_now)
            ending.daemon = True
            ending.start()
            raise KeyboardInterrupt
        stop.set()
        click.echo(
            "\nstopping: waiting for the messages in flight (Ctrl-C again to abandon them)",
            err=True,
        )

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _abandon_now() -> None:
    click.echo("publisher: abandoned", err=True)
    os._exit(EXIT_INTERRUPTED)


def _send_with_progress(
    app: Publisher,
    number: int,
    publication: str | None,
    limit: int | None,
    stop: threading.Event,
) -> SendReport:
    if sys.stdout.isatty():
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            _RateColumn(),
            TimeRemainingColumn(),
            console=Console(),
        ) as bar:
            task = bar.add_task(f"issue {number}", total=None, detail="")

            def show(counts: Counts) -> None:
                bar.update(
                    task, total=counts.total, completed=counts.finished, detail=_detail(counts)
                )

            return send_issue(
                app, number, publication, limit=limit, on_progress=show, on_begin=show, stop=stop
            )
    log = _progress_log(number)
    return send_issue(
        app, number, publication, limit=limit, on_progress=log, on_begin=log, stop=stop
    )


def _progress_log(number: int) -> Callable[[Counts], None]:
    """A progress callback printing one plain line every few seconds (for logs and pipes)."""
    started = time.monotonic()
    state = {"last": 0.0, "first": -1}

    def log(counts: Counts) -> None:
        now = time.monotonic()
        if state["first"] < 0:
            state["first"], state["last"] = counts.finished, now
            click.echo(f"issue {number}: {counts.total} recipients, {counts.open} to send")
            return
        if now - state["last"] < LOG_EVERY:
            return
        state["last"] = now
        rate = (counts.finished - state["first"]) / max(now - started, 1e-9)
        click.echo(
            f"issue {number}: {counts.finished}/{counts.total} done, {_detail(counts)}, {rate:.0f} msg/s"
        )

    return log


def summary(report: SendReport) -> str:
    """The closing lines of 'publisher send'."""
    send, counts = report.send, report.counts
    line = f"{send.publication} 第{send.number}期: {_breakdown(counts)}"
    if report.complete:
        return (
            line
            + "\nDone: every recipient is sent, failed or skipped ('publisher sends' lists failures)."
        )
    return (
        line + f"\nNot finished: {counts.open} recipients wait. Run 'publisher send {send.number}' "
        "again, or let the service resume it."
    )


def describe_send(send: SendInfo, counts: Counts) -> str:
    """One send as a block of lines: when, state, counts, who holds it, why it stopped."""
    lines = [
        f"send {send.id} of {send.publication} 第{send.number}期 ({send.cadence}): {send.status}",
        f"  created {_when(send.created_at)}, started {_when(send.started_at)}, "
        f"finished {_when(send.finished_at)}",
        f"  {_breakdown(counts)}",
    ]
    if send.lease_owner:
        lines.append(
            f"  being sent by {send.lease_owner} (lease until {_when(send.lease_expires_at)})"
        )
    if send.last_error:
        lines.append(f"  last run stopped: {send.last_error}")
    return "\n".join(lines)


def describe_problem(row: DeliveryInfo) -> str:
    """One failed, deferred or skipped recipient and the last thing the server said."""
    retry = f", next try {_when(row.next_attempt_at)}" if row.status == "deferred" else ""
    return f"  {row.status:8} {row.email} ({row.attempts} attempts{retry}): {row.last_reply or ''}"


def _breakdown(counts: Counts) -> str:
    return f"{counts.total} recipients: " + ", ".join(
        f"{n} {state}" for state, n in counts.as_dict().items()
    )


def _detail(counts: Counts) -> str:
    return f"{counts.sent} sent, {counts.deferred} deferred, {counts.failed} failed"


def _when(moment: dt.datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


class _RateColumn(ProgressColumn):
    """Messages per second, as rich measures them."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.0f} msg/s")
