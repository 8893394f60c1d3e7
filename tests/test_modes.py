"""File modes: the data directory and everything private in it are the owner's only.

Run through the real command line, which sets the umask at start: SQLite, the
outbox, previews and the inbox all create their files under it.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from publisher.modes import make_dirs
from publisher.render.files import write_atomic

from .cli import run
from .conftest import SAMPLE


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The usual 0022 in this process, so that only the publisher's own care makes data private."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_command_line_keeps_private_data_private(
    env: dict[str, str], tmp_path: Path, loose_umask: None
) -> None:
    data = Path(env["PUBLISHER_DATA_DIR"])
    inbox = data / "inbox"
    for args in (("subscribers", "add", "reader@example.com"), ("preview", "2890")):
        if args[0] == "preview":
            # On SQLite 'subscribers add' made the data directory (its database is there);
            # with PostgreSQL nothing has needed it yet, so it is made here as the
            # operator would, and the files the commands put in it are what is checked.
            data.mkdir(mode=0o700, exist_ok=True)
            inbox.mkdir(mode=0o700)
            shutil.copy(SAMPLE, inbox)
            assert run("run-cycle", env=env).returncode == 0
        result = run(*args, env=env)
        assert result.returncode == 0, result.stderr
    assert mode(data) == 0o700
    database = data / "publisher.db"
    if env.get("PUBLISHER_DATABASE_URL") is None:
        private = [database, *data.glob("publisher.db-*")]  # with the WAL files, if left
        assert [p for p in private if mode(p) != 0o600] == []
    messages = list((data / "outbox" / "new").glob("*.eml"))
    previews = list((data / "previews").iterdir())
    assert messages and len(previews) == 2
    assert {mode(p) for p in [*messages, *previews]} == {0o600}
    folders = [data / "outbox", data / "outbox" / "new", data / "previews", inbox / "done"]
    assert {mode(p) for p in folders} == {0o700}
    # The site is public: a web server running as another user reads it.
    site = data / "site"
    assert mode(site) == 0o755 and mode(site / "xinjimo") == 0o755
    assert mode(site / "xinjimo" / "index.html") == 0o644


def test_write_atomic_is_private_unless_under_the_public_root(
    tmp_path: Path, loose_umask: None
) -> None:
    private = tmp_path / "data" / "previews" / "a.eml"
    write_atomic(private, b"x")
    assert (mode(private), mode(private.parent), mode(private.parent.parent)) == (
        0o600,
        0o700,
        0o700,
    )
    root = tmp_path / "data" / "site"
    page = root / "pub" / "1" / "index.html"
    write_atomic(page, "<p>", public_root=root)
    assert [mode(p) for p in (page, page.parent, root / "pub", root)] == [0o644] + [0o755] * 3
    assert mode(tmp_path / "data") == 0o700  # above the root stays private


def test_make_dirs_sets_its_modes_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        make_dirs(tmp_path / "a" / "b", public_root=tmp_path / "a")
    finally:
        os.umask(old)
    assert (mode(tmp_path / "a"), mode(tmp_path / "a" / "b")) == (0o755, 0o755)
    existing = tmp_path / "mine"
    existing.mkdir(mode=0o750)
    make_dirs(existing / "c")
    assert (mode(existing), mode(existing / "c")) == (0o750, 0o700)  # what exists is left
