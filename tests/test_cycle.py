"""One tick of the publishing cycle: what is due goes out once, to the right cadence."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import shutil
from pathlib import Path

import pytest
import sqlalchemy

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.cycle import run_cycle
from publisher.deliver.ledger import Ledger
from publisher.ingest import ingest_files
from publisher.parse import parse_issue
from publisher.weekly import issues_of_weekly_send
from subscribers.model import NewSubscriber

from .conftest import SAMPLE
from .outbox import messages, text_of
from .render_support import issue_text, write_issue


def recipients(app: Publisher) -> list[str]:
    return sorted(m["To"].addresses[0].addr_spec for m in messages(app.settings.data.dir))


def test_a_dropped_issue_is_ingested_built_and_sent_once(app: Publisher) -> None:
    app.subscribers.add_many([NewSubscriber(email=f"r{i}@example.com") for i in range(3)])
    app.settings.inbox_dir.mkdir(parents=True)
    shutil.copy(SAMPLE, app.settings.inbox_dir)
    report = run_cycle(app)
    assert [i.issue.number for i in report.inbox.ingested] == [2890]
    assert (app.settings.site_dir / "xinjimo" / "2890" / "index.html").is_file()
    assert [s.counts.sent for s in report.sends] == [3]
    assert run_cycle(app).sends == []  # nothing due the second time
    assert recipients(app) == ["r0@example.com", "r1@example.com", "r2@example.com"]


def test_only_issues_newer_than_the_last_sent_are_due(app: Publisher, tmp_path: Path) -> None:
    app.subscribers.add("reader@example.com")
    back_catalogue = [write_issue(tmp_path, n, dt.date(2024, 1, n)) for n in (1, 2, 3)]
    ingest_files(app, back_catalogue)
    first = run_cycle(app)
    assert [s.send.number for s in first.sends] == [3]  # a back catalogue is not mailed out
    ingest_files(app, [write_issue(tmp_path, n, dt.date(2024, 1, n)) for n in (4, 5)])
    assert [s.send.number for s in run_cycle(app).sends] == [4, 5]


MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def weekly_app(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Publisher:
    monkeypatch.setenv("PUBLISHER_SCHEDULE_WEEKLY_DAY", "mon")
    app = Publisher(load_settings())
    app.subscribers.add("daily@example.com")
    app.subscribers.add("weekly@example.com", cadence="weekly")
    yield app
    app.close()


def weekly_digests(app: Publisher) -> list[str]:
    """The text of every weekly digest delivered so far."""
    return [
        text_of(m)
        for m in messages(app.settings.data.dir)
        if m["To"].addresses[0].addr_spec == "weekly@example.com"
    ]


def test_weekly_subscribers_get_one_digest_of_the_week(
    weekly_app: Publisher, tmp_path: Path
) -> None:
    app = weekly_app
    days = {10: -10, 11: -5, 12: -3, 13: 0}  # issue number: days from Monday
    ingest_files(
        app,
        [
            write_issue(tmp_path, n, MONDAY + dt.timedelta(days=d), title=f"第{n}期要闻")
            for n, d in days.items()
        ],
    )
    run_cycle(app, today=MONDAY)
    (weekly,) = [
        m
        for m in messages(app.settings.data.dir)
        if m["To"].addresses[0].addr_spec == "weekly@example.com"
    ]
    assert "一周要闻" in weekly["Subject"] and "共3期" in weekly["Subject"]
    body = text_of(weekly)
    assert all(f"第{n}期要闻" in body for n in (11, 12, 13))
    assert "第10期要闻" not in body  # older than the week
    daily = [m for m in messages(app.settings.data.dir) if "daily@" in str(m["To"])]
    assert "第13期要闻" in text_of(daily[0]) and len(daily) == 1


def test_one_weekly_digest_a_week_and_late_issues_go_in_the_next(
    weekly_app: Publisher, tmp_path: Path
) -> None:
    app = weekly_app
    ingest_files(app, [write_issue(tmp_path, 21, MONDAY, title="周一早报")])
    run_cycle(app, today=MONDAY)
    # Dated Monday but ingested after Monday's tick; then the same day ticks again.
    ingest_files(app, [write_issue(tmp_path, 22, MONDAY, title="周一晚到的报道")])
    run_cycle(app, today=MONDAY)
    run_cycle(app, today=MONDAY + dt.timedelta(days=1))  # Tuesday: never a weekly day
    assert len(weekly_digests(app)) == 1

    ingest_files(app, [write_issue(tmp_path, 23, MONDAY + dt.timedelta(days=4), title="周五要闻")])
    run_cycle(app, today=MONDAY + dt.timedelta(days=7))
    first, second = weekly_digests(app)
    assert "周一早报" in first and "周一晚到的报道" not in first
    assert "周一晚到的报道" in second and "周五要闻" in second
    assert "周一早报" not in second  # no issue reaches a weekly reader twice
    # A resumed weekly send rebuilds the same digest from the ledger alone.
    ledger = Ledger(app.db)
    for key, carried in ((21, [21]), (23, [22, 23])):
        send = ledger.find_send(app.archive.issue_id(key, "新即墨"), "weekly")
        assert [s.issue.number for s in issues_of_weekly_send(app, send)] == carried


def test_a_poisoned_issue_stops_neither_the_other_builds_nor_the_sends(
    app: Publisher, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Rows written past today's checks: a name no feed can be titled with (one bidi
    control), and a slug no List-Id header can carry (so its digest cannot be built)."""
    app.subscribers.add("reader@example.com")
    issue = parse_issue(issue_text(5, dt.date(2024, 1, 5)), "poisoned.md")
    app.archive.save(dataclasses.replace(issue, publication="\u202e"))
    app.archive.save(dataclasses.replace(issue, publication="坏报"))
    with app.db.transaction() as connection:
        connection.execute(
            sqlalchemy.text("UPDATE publications SET slug = 'bad slug' WHERE name = '坏报'")
        )
    app.settings.inbox_dir.mkdir(parents=True)
    shutil.copy(SAMPLE, app.settings.inbox_dir)
    with caplog.at_level(logging.ERROR):
        report = run_cycle(app)
    assert [(f.publication, f.number) for f in report.build.failed] == [("\u202e", None)]
    assert any("'\\u202e'" in r.getMessage() for r in caplog.records)  # named in the log
    assert (app.settings.site_dir / "xinjimo" / "2890" / "index.html").is_file()
    assert [s.send.number for s in report.sends if s.send.publication == "新即墨"] == [2890]
    assert "reader@example.com" in recipients(app)
    assert [(name, number) for name, number, _ in report.failed_sends] == [("坏报", 5)]
    assert report.facts()["failed"] == 2
    # The next tick tries the poisoned issue again, and still gets past it.
    assert [f.publication for f in run_cycle(app).build.failed] == ["\u202e"]


def test_a_site_that_cannot_be_written_does_not_stop_the_sends(
    app: Publisher, caplog: pytest.LogCaptureFixture
) -> None:
    app.subscribers.add("reader@example.com")
    app.settings.site_dir.parent.mkdir(parents=True, exist_ok=True)
    app.settings.site_dir.write_text("a file where the site should be")
    app.settings.inbox_dir.mkdir(parents=True)
    shutil.copy(SAMPLE, app.settings.inbox_dir)
    with caplog.at_level(logging.ERROR):
        report = run_cycle(app)
    assert any("cannot build the site" in r.getMessage() for r in caplog.records)
    assert [s.send.number for s in report.sends] == [2890]
    assert recipients(app) == ["reader@example.com"]
