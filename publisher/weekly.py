"""The weekly digest: which issues it carries, so that each issue reaches weekly readers once.

A weekly send is recorded in the ledger under the newest issue it carries
(cadence ``weekly``). The next weekly digest carries the issues numbered after
that one, so an issue that arrives late (dated on the weekly day but ingested
after that day's tick) is in the following week's digest rather than in none;
and none goes out while the last one's newest issue is less than a week old.
Everything is decided from issue dates and numbers, never the wall clock, so a
resumed send rebuilds exactly the digest it began with.
"""

from __future__ import annotations

import datetime as dt

from publisher.app import Publisher
from publisher.deliver.ledger import Ledger, SendInfo
from publisher.store.archive import IssueSummary, StoredIssue

WEEK = dt.timedelta(days=7)
# How far back a weekly digest looks for issues no weekly digest has carried yet.
LOOKBACK = dt.timedelta(days=13)


def weekly_issues(app: Publisher, publication: str, today: dt.date) -> list[StoredIssue]:
    """The issues of the weekly digest due ``today``, oldest first; [] if none is due."""
    summaries = app.archive.summaries(publication, today - LOOKBACK, today)
    carried_before = _weekly_keys(app, publication, summaries)
    if any(_date(s) > today - WEEK for s in summaries if s.number in carried_before):
        return []  # this week's digest went out already
    return _carried(app, publication, summaries, after=max(carried_before, default=None))


def issues_of_weekly_send(app: Publisher, send: SendInfo) -> list[StoredIssue]:
    """The issues a begun weekly send carries (to resume it with the same digest)."""
    key_date = app.archive.get(send.number, send.publication).date
    summaries = [
        s
        for s in app.archive.summaries(send.publication, key_date - LOOKBACK, key_date)
        if s.number <= send.number
    ]
    earlier = [n for n in _weekly_keys(app, send.publication, summaries) if n < send.number]
    return _carried(app, send.publication, summaries, after=max(earlier, default=None))


def _carried(
    app: Publisher, publication: str, summaries: list[IssueSummary], *, after: int | None
) -> list[StoredIssue]:
    """Issues numbered after ``after`` or, with no earlier digest, the week up to the newest."""
    if after is not None:
        chosen = [s for s in summaries if s.number > after]
    elif summaries:
        first_day = _date(summaries[0]) - WEEK + dt.timedelta(days=1)
        chosen = [s for s in summaries if _date(s) >= first_day]
    else:
        chosen = []
    # Summaries come newest first; the digest reads oldest first.
    return [app.archive.stored(s.number, publication) for s in reversed(chosen)]


def _weekly_keys(app: Publisher, publication: str, summaries: list[IssueSummary]) -> set[int]:
    """Numbers of these issues that a weekly send is keyed by (each was a digest's newest)."""
    ledger = Ledger(app.db)
    return {
        s.number
        for s in summaries
        if ledger.find_send(app.archive.issue_id(s.number, publication), "weekly") is not None
    }


def _date(summary: IssueSummary) -> dt.date:
    return dt.date.fromisoformat(summary.date)
