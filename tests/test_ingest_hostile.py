"""Hostile issue files through the real commands: a clear answer, in time, and nothing half-stored.

Each generated file goes through ``publisher check`` and ``publisher ingest``
(the console script's own ``main``, in this process, so a few hundred files
take seconds): the answer is exit status 0 (or 1, warnings, for check) or 2
with one line on stderr, within a time bound; after a refusal the archive is
as it was.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.cli import main
from publisher.config import load_settings
from publisher.ingest import MAX_FILE_BYTES
from publisher.store.archive import Archive
from publisher.store.db import Database

from .cli import assert_refused, run
from .test_parse_property import _TEXT, mutated_sample

# Whole files that are not issues at all, or are issues gone wrong.
_HOSTILE = st.one_of(
    mutated_sample().map(lambda t: t.encode("utf-8")),
    _TEXT.map(lambda t: t.encode("utf-8")),
    st.binary(max_size=2000),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf",
            b"\x00" * 100,
            "---\na: &a [*a]\n---\n# 报".encode(),
            "---\nnumber: \u00b2\n---\n# 报\n\n2024年3月5日 第1期\n\n## 标\n\n文。".encode(),
            "---\npublication: \u202e\n---\n2024年3月5日 第1期\n\n## 标\n\n文。".encode(),
            "# 报\n\n2024年2月30日 第1期\n\n## 标\n\n文。".encode(),
            "# 报\n\n2024年3月5日 第1期\n\n2024年3月6日 第1期\n\n## 标\n\n文。".encode(),
            b"BIG:[",
            b"BIG:\xe5\x8c\xba\n\n",
            "# 报\n\n2024年3月5日 第1期\n\n## 标\n\n文。".encode("gb18030"),
        ]
    ),
)
SECONDS = 10.0  # per file and command: a bound against hangs, far above a normal parse


def _command(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, float]:
    umask = os.umask(0o022)  # main() sets the process's umask: give it back afterwards
    os.umask(umask)
    started = time.perf_counter()
    try:
        main(list(args))
        status = 0
    except SystemExit as e:
        status = int(e.code or 0)
    finally:
        os.umask(umask)
    elapsed = time.perf_counter() - started
    return status, capsys.readouterr().err, elapsed


def _archive(env: dict[str, str]) -> list[tuple[str, int, str, str]]:
    """Every stored issue with its text: what must be unchanged after a refusal."""
    database = Database(load_settings(env=env).database_url)
    try:
        database.create_schema()
        archive = Archive(database)
        return [
            (s.publication, s.number, str(s.date), str(archive.get(s.number, s.publication)))
            for s in archive.list()
        ]
    finally:
        database.dispose()


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=_HOSTILE)
def test_hostile_files_get_a_clear_answer_in_time_and_store_nothing_when_refused(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    data: bytes,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if data.startswith(b"BIG:"):  # kept short in the example's repr, made big here
        data = "# 报\n\n2024年3月5日 第1期\n\n## 标\n\n".encode() + data[4:] * 30_000
    path = tmp_path / "hostile.md"
    path.write_bytes(data)
    before = _archive(env)
    for command, allowed in (("check", {0, 1, 2}), ("ingest", {0, 2})):
        status, err, elapsed = _command(capsys, command, str(path))
        assert status in allowed, (command, status, err)
        assert elapsed < SECONDS, (command, elapsed)
        assert "Traceback" not in err
        if status == 2:
            assert len(err.strip().splitlines()) == 1, err
    if status == 2:
        assert _archive(env) == before


def test_a_file_above_the_size_cap_is_refused_in_one_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"# \xe6\x8a\xa5\n\n" + b"a" * MAX_FILE_BYTES)
    line = assert_refused(run("ingest", path, env=env), "big.md", "5 MB", "[ingest] max_mb")
    assert line.startswith("publisher: ")
    small = {**env, "PUBLISHER_INGEST_MAX_MB": "0.001"}
    issue = tmp_path / "issue.md"
    issue.write_text("# 报\n\n2024年3月5日 第1期\n\n## 标\n\n" + "文。" * 600, encoding="utf-8")
    assert_refused(run("check", issue, env=small), "issue.md", "0.001 MB")
    assert run("check", issue, env=env).returncode in (0, 1)
