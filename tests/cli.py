"""Running the real ``publisher`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(
    *args: str | Path, env: dict[str, str], cwd: Path | None = None, input: bytes | None = None
):
    """Run ``python -m publisher ARGS`` with ``env`` added; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "publisher", *map(str, args)],
        env={**os.environ, **env},
        cwd=cwd,
        input=input,
        capture_output=True,
        timeout=120,
    )


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> str:
    """Exit status 2, one line on stderr mentioning ``words``, no traceback; returns the line."""
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 2, (result.returncode, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]
