"""Commands over the audience: subscribers add, import, export, list, remove."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from publisher.cli.context import cli, get_app
from publisher.render.files import write_atomic
from subscribers.csvio import import_csv, write_csv
from subscribers.model import STATUSES, Status


@cli.group("subscribers")
def subscribers_group() -> None:
    """Manage the audience: add, import, export, list and remove subscribers."""


@subscribers_group.command("add")
@click.argument("email")
@click.option("--name", help="The subscriber's name, as greetings use it.")
@click.pass_context
def add(ctx: click.Context, email: str, name: str | None) -> None:
    """Add EMAIL as an active subscriber (the operator vouches for their consent)."""
    subscriber = get_app(ctx).subscribers.add(email, name, source="cli")
    click.echo(f"added {subscriber.email} ({subscriber.status})")


@subscribers_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, file: Path) -> None:
    """Import subscribers from a UTF-8 CSV file with an 'email' column.

    Optional columns: name, status, cadence, format. Each bad row is reported
    on stderr with its line number and the rest are imported; known addresses
    are skipped, and people who left are never resubscribed.
    """
    with file.open(encoding="utf-8-sig", newline="") as lines:
        report = import_csv(get_app(ctx).subscribers, lines)
    for problem in report.problems:
        click.echo(f"{file}:{problem.line}: {problem.reason}", err=True)
    click.echo(
        f"imported {report.added}; already present {report.existing}; "
        f"left earlier, not resubscribed {report.suppressed}; bad rows {len(report.problems)}"
    )


@subscribers_group.command("export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of stdout.",
)
@click.pass_context
def export(ctx: click.Context, out: Path | None) -> None:
    """Export every subscriber, with all fields, as CSV."""
    people = get_app(ctx).subscribers.iter_subscribers()
    if out is None:
        write_csv(people, sys.stdout)
        return
    # Written whole and renamed into place: a failed export leaves no half file.
    buffer = io.StringIO(newline="")
    count = write_csv(people, buffer)
    write_atomic(out, buffer.getvalue(), hint="check that the directory of --out is writable")
    click.echo(f"exported {count} subscribers to {out}", err=True)


@subscribers_group.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only subscribers in this status.")
@click.pass_context
def list_(ctx: click.Context, status: Status | None) -> None:
    """List subscribers: address, name, status, cadence, format, since."""
    found = False
    for s in get_app(ctx).subscribers.iter_subscribers(status=status):
        found = True
        click.echo(
            f"{s.email}\t{s.name or '-'}\t{s.status}\t{s.cadence}\t{s.format}\t"
            f"{s.created_at.date().isoformat()}"
        )
    if not found:
        click.echo("No subscribers" + (f" with status {status}." if status else "."))


@subscribers_group.command("remove")
@click.argument("email")
@click.pass_context
def remove(ctx: click.Context, email: str) -> None:
    """Unsubscribe EMAIL; the record stays, so no later import resubscribes them."""
    subscriber = get_app(ctx).subscribers.remove(email)
    click.echo(f"{subscriber.email} is {subscriber.status}; the record is kept as suppression")
