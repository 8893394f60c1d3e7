"""One tick of the publishing cycle: pick up new issues, build them, send what is due.

``publisher run-cycle`` and the scheduler both call ``run_cycle``. Each file,
each build and each send is done on its own: one that fails is logged with its
name and the tick goes on to the rest, so a single poisoned issue can never
stop every later tick and the sends behind it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from publisher.app import Publisher
from publisher.deliver.engine import SendBusyError
from publisher.deliver.ledger import Ledger, SendInfo
from publisher.deliver.service import SendReport, send_issue
from publisher.errors import PublisherError
from publisher.inbox import InboxReport, process_inbox
from publisher.render.build import BuildReport, build_changed
from publisher.render.digest import render_weekly_digest
from publisher.store.archive import StoredIssue
from publisher.weekly import issues_of_weekly_send, weekly_issues

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# How far back a tick looks for issues not yet sent.
RECENT_ISSUES = 10

log = logging.getLogger(__name__)


@dataclass
class CycleReport:
    """What one tick did."""

    inbox: InboxReport = field(default_factory=InboxReport)
    build: BuildReport = field(default_factory=BuildReport)
    sends: list[SendReport] = field(default_factory=list)
    failed_sends: list[tuple[str, int, str]] = field(default_factory=list)  # name, number, why

    def facts(self) -> dict[str, int]:
        """Counts for a log line."""
        return {
            "ingested": len(self.inbox.ingested),
            "refused": len(self.inbox.failed),
            "built": len(self.build.issues),
            "sends": len(self.sends),
            "failed": len(self.build.failed) + len(self.failed_sends),
        }

    def send(self, publication: str, number: int, attempt: Callable[[], SendReport]) -> None:
        """Run one send; a failure is logged with its name and kept, and the tick goes on."""
        try:
            self.sends.append(attempt())
        except SendBusyError:
            return  # a live process is on it
        except Exception as error:  # any: one issue must not stop the others' sends
            reason = f"{type(error).__name__}: {error}"
            self.failed_sends.append((publication, number, reason))
            log.error(
                f"cannot send {publication!r} issue {number}: {reason}",
                extra={"publication": publication, "number": number, "error": reason},
                exc_info=log.isEnabledFor(logging.DEBUG),
            )


def run_cycle(
    app: Publisher,
    publication: str | None = None,
    stop: threading.Event | None = None,
    today: dt.date | None = None,
) -> CycleReport:
    """Ingest the inbox, build what changed, resume interrupted sends, send every due issue.

    ``publication`` limits the sends to one publication's cycle; None is the
    default cycle, which covers every publication without a cron of its own.
    ``stop`` asks a send to pause at a safe point (the service is shutting down).
    ``today`` (in the publication's time zone) decides whether the weekly digest is due.
    """
    report = CycleReport()
    report.inbox = process_inbox(app)
    try:
        report.build = build_changed(app)
    except (PublisherError, OSError) as error:
        # A site that cannot be written (each issue's own failures are isolated inside):
        # the mail does not depend on it, so the sends still go out.
        log.error(f"cannot build the site: {error}", extra={"error": str(error)})
    _resume_into(report, app, stop)
    today = today or dt.datetime.now(app.settings.timezone).date()
    for name in cycle_publications(app, publication):
        for number in due_issues(app, name):
            if stop is not None and stop.is_set():
                return report
            report.send(name, number, partial(send_issue, app, number, name, stop=stop))
        if WEEKDAY_NAMES[today.weekday()] == app.settings.schedule.weekly_day:
            week = weekly_issues(app, name, today)
            if week and not (stop is not None and stop.is_set()):
                newest = week[-1].issue.number
                report.send(name, newest, partial(_send_weekly, app, name, week, stop))
    return report


def _send_weekly(
    app: Publisher, publication: str, week: list[StoredIssue], stop: threading.Event | None
) -> SendReport:
    """Send (or resume) the weekly digest of ``week``, keyed by the week's newest issue."""
    newest = week[-1].issue.number
    return send_issue(
        app,
        newest,
        publication,
        cadence="weekly",
        digest=render_weekly_digest(app.settings, week),
        stop=stop,
    )


def resume_interrupted(app: Publisher, stop: threading.Event | None = None) -> list[SendReport]:
    """Resume every send a crash or a restart interrupted, every-issue and weekly alike.

    Sends another live process holds are left to it; one that fails is logged.
    """
    report = CycleReport()
    _resume_into(report, app, stop)
    return report.sends


def _resume_into(report: CycleReport, app: Publisher, stop: threading.Event | None) -> None:
    for send in Ledger(app.db).unfinished_sends():
        if send.cadence == "weekly":
            attempt = partial(_resume_weekly, app, send, stop)
        else:
            attempt = partial(send_issue, app, send.number, send.publication, stop=stop)
        report.send(send.publication, send.number, attempt)


def _resume_weekly(app: Publisher, send: SendInfo, stop: threading.Event | None) -> SendReport:
    """Resume a weekly send with the digest of the same week."""
    return _send_weekly(app, send.publication, issues_of_weekly_send(app, send), stop)


def cycle_publications(app: Publisher, publication: str | None) -> list[str]:
    """The publications a cycle sends for: one, or all without a cron of their own."""
    if publication is not None:
        return [publication]
    own_cycle = set(app.settings.schedule.crons)
    return [name for name in app.archive.publications() if name not in own_cycle]


def due_issues(app: Publisher, publication: str) -> list[int]:
    """Numbers of the issues every-issue subscribers have not been sent yet, oldest first.

    These are the issues newer than the newest one already sent. When nothing
    was ever sent (a new archive, or a back catalogue just imported) only the
    newest issue is due: subscribers are not flooded with old news.
    """
    ledger = Ledger(app.db)
    unsent: list[int] = []
    for stored in app.archive.recent(publication, RECENT_ISSUES):
        number = stored.issue.number
        if ledger.find_send(app.archive.issue_id(number, publication), "issue") is not None:
            return list(reversed(unsent))
        unsent.append(number)
    return unsent[:1]
