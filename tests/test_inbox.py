"""The inbox: dropped files are ingested once; bad ones move aside with their error, never retried."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from publisher.app import Publisher
from publisher.inbox import InboxReport, claim, process_inbox
from publisher.ingest import ingest_files

from .conftest import SAMPLE
from .render_support import write_issue


def test_good_file_is_ingested_and_moved_to_done(app: Publisher) -> None:
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    report = process_inbox(app)
    assert [i.issue.number for i in report.ingested] == [2890]
    assert (inbox / "done" / SAMPLE.name).is_file()
    assert not (inbox / SAMPLE.name).exists()
    assert process_inbox(app).ingested == []  # nothing left to pick up


def test_warnings_are_kept_beside_the_file_in_the_editors_words(app: Publisher) -> None:
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    (inbox / "x.md").write_text(
        "# 测试报\n\n2024年3月5日 星期二 第9期\n\n## 标题\n\n正文。", "utf-8"
    )
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    assert len(process_inbox(app).ingested) == 2
    assert (inbox / "done" / "x.md.warnings.txt").read_text("utf-8") == "\u300a标题\u300b没有署名\n"
    assert not (inbox / "done" / f"{SAMPLE.name}.warnings.txt").exists()  # a clean issue


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


def test_two_services_racing_on_one_inbox_ingest_each_file_once(
    app: Publisher, tmp_path: Path
) -> None:
    """Two publishers (each its own database engine) tick at the same moment on one inbox."""
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    # The publication exists already: two first issues of a new publication stored at
    # the same moment are the archive's race (reported), not the inbox's.
    ingest_files(app, [write_issue(tmp_path, 99, dt.date(2023, 12, 31))])
    numbers = list(range(1, 13))
    for number in numbers:
        write_issue(inbox, number, dt.date(2024, 1, number))
    other = Publisher(app.settings)
    start = threading.Barrier(2)
    reports: list[InboxReport] = []
    errors: list[BaseException] = []

    def tick(publisher: Publisher) -> None:
        start.wait()
        try:
            reports.append(process_inbox(publisher))
        except BaseException as error:  # the test's point: none may escape
            errors.append(error)

    threads = [threading.Thread(target=tick, args=(p,)) for p in (app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.close()
    assert errors == []
    ingested = sorted(i.issue.number for r in reports for i in r.ingested)
    assert ingested == numbers  # each file once, by one of them
    assert [r.failed for r in reports] == [[], []]
    assert sorted(p.name for p in (inbox / "done").glob("*.md")) == sorted(
        f"issue-{n}.md" for n in numbers
    )
    assert list((inbox / "claimed").iterdir()) == []


def test_a_file_another_process_took_is_not_an_error(app: Publisher) -> None:
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    path = inbox / "gone.md"
    assert claim(path) is None  # listed, then taken by someone else before our rename
    path.write_text("x", "utf-8")
    claimed = claim(path)
    assert claimed is not None and claimed.read_text("utf-8") == "x" and not path.exists()
    assert claim(path) is None


def test_a_claim_of_a_dead_process_goes_back_to_the_inbox(app: Publisher) -> None:
    """``kill -9`` after a claim: the file is not lost, the next tick ingests it."""
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    claimed = claim(inbox / SAMPLE.name)
    assert claimed is not None
    folder = claimed.parent
    abandoned = folder.with_name(
        folder.name.replace(f"_{os.getpid()}_", f"_{dead.stdout.strip()}_")
    )
    folder.rename(abandoned)
    live = claim(shutil.copy(SAMPLE, inbox / "live.md"))  # ours: this process is alive
    assert live is not None
    report = process_inbox(app)
    assert [i.path.name for i in report.ingested] == [SAMPLE.name]
    assert (inbox / "done" / SAMPLE.name).is_file() and not abandoned.exists()
    assert live.is_file()  # a live process's claim is left to it
