"""A real feed reader (newsboat) subscribed to the served feed sees every article."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from publisher.app import Publisher
from publisher.ingest import ingest_files
from publisher.render.build import build_changed
from publisher.render.text import typeset

from .conftest import SAMPLE
from .live import live_service

NEWSBOAT = shutil.which("newsboat")
pytestmark = pytest.mark.skipif(
    NEWSBOAT is None, reason="newsboat is not installed (Debian package newsboat)"
)


@pytest.mark.parametrize("feed", ["atom.xml", "rss.xml"])
def test_newsboat_reads_the_served_feed(app: Publisher, tmp_path: Path, feed: str) -> None:
    issue = ingest_files(app, [SAMPLE])[0].issue
    build_changed(app)
    home = tmp_path / "newsboat"
    home.mkdir()
    (home / "urls").write_text("", "utf-8")
    with live_service(app) as live:
        (home / "urls").write_text(f"{live.url}xinjimo/feeds/{feed}\n", "utf-8")
        for _ in range(2):  # the second reload is a conditional GET of an unchanged feed
            result = subprocess.run(
                [
                    NEWSBOAT,
                    "-u",
                    "urls",
                    "-c",
                    "cache.db",
                    "-C",
                    os.devnull,
                    "-x",
                    "reload",
                    "print-unread",
                ],
                cwd=home,
                env={**os.environ, "HOME": str(home)},
                capture_output=True,
                timeout=60,
            )
            assert result.returncode == 0, result.stderr
            assert result.stdout.decode().strip() == f"{len(issue.articles)} unread articles"
    with sqlite3.connect(home / "cache.db") as cache:
        items = dict(cache.execute("SELECT title, author FROM rss_item").fetchall())
    # The feeds print titles typeset: Chinese punctuation full-width.
    titles = [typeset(article.title) for article in issue.articles]
    for shown in titles:
        assert any(shown.rstrip("\u2026")[:10] in title for title in items), shown
    lead_authors = items[titles[0]]
    # Atom lists every author; of RSS's several dc:creator newsboat keeps one.
    assert lead_authors == ("周程林, 韩伟绩" if feed == "atom.xml" else "韩伟绩")
