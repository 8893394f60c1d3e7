"""One tick of the publishing cycle: what is due goes out once, to the right cadence."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.cycle import WEEKDAY_NAMES, run_cycle
from publisher.ingest import ingest_files
from subscribers.model import NewSubscriber

from .conftest import SAMPLE
from .outbox import messages, text_of
from .render_support import write_issue


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


@pytest.fixture
def weekly_app(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Publisher:
    today = dt.datetime.now(dt.UTC).astimezone(load_settings().timezone).date()
    monkeypatch.setenv("PUBLISHER_SCHEDULE_WEEKLY_DAY", WEEKDAY_NAMES[today.weekday()])
    app = Publisher(load_settings())
    yield app
    app.close()


def test_weekly_subscribers_get_one_digest_of_the_week(
    weekly_app: Publisher, tmp_path: Path
) -> None:
    app = weekly_app
    today = dt.datetime.now(app.settings.timezone).date()
    app.subscribers.add("daily@example.com")
    app.subscribers.add("weekly@example.com", cadence="weekly")
    old = write_issue(tmp_path, 10, today - dt.timedelta(days=9), title="上上周的报道")
    week = [
        write_issue(tmp_path, n, today - dt.timedelta(days=6 - n + 11), title=f"本周第{n}期要闻")
        for n in (11, 12, 13)
    ]
    ingest_files(app, [old, *week])

    run_cycle(app)
    by_recipient = {m["To"].addresses[0].addr_spec: m for m in messages(app.settings.data.dir)}
    assert sorted(by_recipient) == ["daily@example.com", "weekly@example.com"]
    weekly = by_recipient["weekly@example.com"]
    assert "一周要闻" in weekly["Subject"] and "共3期" in weekly["Subject"]
    body = text_of(weekly)
    for n in (11, 12, 13):
        assert f"本周第{n}期要闻" in body
    assert "上上周的报道" not in body
    assert "本周第13期要闻" in text_of(by_recipient["daily@example.com"])

    run_cycle(app)  # the same day again: nothing new for anyone
    assert len(messages(app.settings.data.dir)) == 2
