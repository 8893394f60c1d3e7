"""One tick of the publishing cycle: pick up new issues, build them, send what is due.

``publisher run-cycle`` and the scheduler both call ``run_cycle``.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from publisher.app import Publisher
from publisher.deliver.engine import SendBusyError
from publisher.deliver.ledger import Ledger
from publisher.deliver.service import SendReport, resume_unfinished, send_issue
from publisher.inbox import InboxReport, process_inbox
from publisher.render.build import BuildReport, build_changed
from publisher.render.digest import render_weekly_digest
from publisher.store.archive import StoredIssue
from publisher.weekly import issues_of_weekly_send, weekly_issues

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# How far back a tick looks for issues not yet sent.
RECENT_ISSUES = 10


@dataclass
class CycleReport:
    """What one tick did."""

    inbox: InboxReport = field(default_factory=InboxReport)
    build: BuildReport = field(default_factory=BuildReport)
    sends: list[SendReport] = field(default_factory=list)

    def facts(self) -> dict[str, int]:
        """Counts for a log line."""
        return {
            "ingested": len(self.inbox.ingested),
            "refused": len(self.inbox.failed),
            "built": len(self.build.issues),
            "sends": len(self.sends),
        }


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
    report.build = build_changed(app)
    report.sends.extend(resume_interrupted(app, stop))
    today = today or dt.datetime.now(app.settings.timezone).date()
    for name in cycle_publications(app, publication):
        for number in due_issues(app, name):
            if stop is not None and stop.is_set():
                return report
            report.sends.append(send_issue(app, number, name, stop=stop))
        if WEEKDAY_NAMES[today.weekday()] == app.settings.schedule.weekly_day:
            week = weekly_issues(app, name, today)
            if week and not (stop is not None and stop.is_set()):
                report.sends.append(_send_weekly(app, name, week, stop))
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
    """Resume every send a crash or a restart interrupted, every-issue and weekly alike."""
    return [*resume_unfinished(app, stop), *_resume_weekly(app, stop)]


def _resume_weekly(app: Publisher, stop: threading.Event | None) -> list[SendReport]:
    """Resume weekly sends a restart interrupted, with the digest of the same week."""
    reports = []
    for send in Ledger(app.db).unfinished_sends():
        if send.cadence != "weekly":
            continue
        try:
            week = issues_of_weekly_send(app, send)
            reports.append(_send_weekly(app, send.publication, week, stop))
        except SendBusyError:
            continue  # a live process is on it
    return reports


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
