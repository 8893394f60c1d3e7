"""Publisher processes for the crash and hang tests: the data they send, and starting them.

Every process started here is killed when its test ends (``conftest`` does it), so a
failed test cannot leave a sender mailing in the background.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.ingest import ingest_files
from subscribers.model import NewSubscriber

from .conftest import SAMPLE

started: list[subprocess.Popen[bytes]] = []


def sample_with_readers(
    values: dict[str, str], readers: int, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Store the sample issue and ``readers`` subscribers under ``values``; the processes' env.

    The values are set with ``monkeypatch`` (undone after the test, unlike
    ``os.environ.update``), since the test's own Publisher reads them too.
    """
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    app = Publisher(load_settings())
    ingest_files(app, [SAMPLE])
    app.subscribers.add_many(
        [NewSubscriber(email=f"reader{i}@example.com") for i in range(readers)]
    )
    app.close()
    return {**os.environ, **values}


def start(environment: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start ``publisher ARGS`` with its output appended to ``log``."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "publisher", *args], env=environment, stdout=out, stderr=out
        )
    started.append(process)
    return process


def kill_leftovers() -> None:
    """Kill every process started here that is still running."""
    while started:
        process = started.pop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
