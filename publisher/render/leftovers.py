"""Removing what a killed build left behind: the temporary files of unfinished writes.

``write_atomic`` writes ``.<name>.<random>.tmp`` beside its target and renames
it; a build killed between the two leaves the temporary file for good. The next
build removes those of the directories it writes into. A temporary file is
only ever as young as a write in progress, so one older than ``STALE_SECONDS``
belongs to no living build, even with another build running at the same time.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

STALE_SECONDS = 60.0
# What tempfile.mkstemp(prefix=".<name>.", suffix=".tmp") makes, as write_atomic calls it.
_TEMPORARY = re.compile(r"\..+\.[^.]+\.tmp")


def sweep_temporaries(directory: Path, older_than: float = STALE_SECONDS) -> list[Path]:
    """Remove the stale temporary files directly in ``directory``; return what went."""
    oldest = time.time() - older_than
    removed: list[Path] = []
    try:
        entries = list(directory.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        # A directory this build is about to create, or a file in its way: the write
        # that follows says what is wrong, in one line.
        return removed
    for path in entries:
        if not _TEMPORARY.fullmatch(path.name):
            continue
        try:
            if path.is_file() and path.stat().st_mtime < oldest:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            pass  # another build swept it first
    return removed
