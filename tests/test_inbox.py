"""The inbox: dropped files are ingested once; bad ones move aside with their error, never retried."""

from __future__ import annotations

import shutil
from pathlib import Path

from publisher.app import Publisher
from publisher.inbox import process_inbox

from .conftest import SAMPLE


def test_good_file_is_ingested_and_moved_to_done(app: Publisher) -> None:
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    report = process_inbox(app)
    assert [i.issue.number for i in report.ingested] == [2890]
    assert (inbox / "done" / SAMPLE.name).is_file()
    assert not (inbox / SAMPLE.name).exists()
    assert process_inbox(app).ingested == []  # nothing left to pick up


def test_bad_file_moves_aside_with_its_error_and_is_not_retried(app: Publisher) -> None:
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    (inbox / "broken.md").write_text("# 测试报\n\n## 标题\n\n正文。", "utf-8")
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    report = process_inbox(app)
    assert [i.issue.number for i in report.ingested] == [2890]  # one bad file blocks nothing
    (moved, reason) = report.failed[0]
    assert moved == inbox / "failed" / "broken.md" and moved.is_file()
    error = (inbox / "failed" / "broken.md.error.txt").read_text("utf-8")
    assert "no issue number" in error and reason in error
    assert process_inbox(app).failed == []


def test_files_still_being_written_are_left_alone(app: Publisher) -> None:
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    for name in (".hidden.md", "next.md.part", "next.md.tmp"):
        (inbox / name).write_text("half", "utf-8")
    assert process_inbox(app).failed == []
    assert sorted(p.name for p in inbox.iterdir()) == [".hidden.md", "next.md.part", "next.md.tmp"]


def test_same_name_twice_keeps_both(app: Publisher, tmp_path: Path) -> None:
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    for _ in range(2):
        (inbox / "bad.md").write_text("nothing useful", "utf-8")
        process_inbox(app)
    assert len(list((inbox / "failed").glob("bad*.md"))) == 2
