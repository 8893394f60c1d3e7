"""The inbox: editors drop issue files in a directory; each tick ingests what it finds.

A file that was ingested moves to ``done/``; a file that failed moves to
``failed/`` with its error written beside it, so it is never lost and never
retried in a loop. Files whose names start with a dot or end in ``.part`` or
``.tmp`` are still being written and are left for the next tick.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from publisher.app import Publisher
from publisher.errors import PublisherError
from publisher.ingest import Ingested, ingest_files
from publisher.logs import event

log = logging.getLogger(__name__)

_IN_PROGRESS = (".part", ".tmp", ".swp", "~")


@dataclass
class InboxReport:
    """What one pass over the inbox did."""

    ingested: list[Ingested] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)  # where it went, and why


def waiting_files(inbox: Path) -> list[Path]:
    """Issue files ready in ``inbox``, oldest name first."""
    if not inbox.is_dir():
        return []
    return sorted(
        path
        for path in inbox.iterdir()
        if path.is_file() and not path.name.startswith(".") and not path.name.endswith(_IN_PROGRESS)
    )


def process_inbox(app: Publisher) -> InboxReport:
    """Ingest every waiting file on its own; move each to ``done/`` or ``failed/``."""
    inbox = app.settings.inbox_dir
    report = InboxReport()
    for path in waiting_files(inbox):
        try:
            (ingested,) = ingest_files(app, [path])
        except PublisherError as error:
            moved = _move(path, inbox / "failed")
            moved.with_name(moved.name + ".error.txt").write_text(f"{error}\n", encoding="utf-8")
            report.failed.append((moved, str(error)))
            log.warning("inbox file refused", extra={"file": path.name, "error": str(error)})
            continue
        _move(path, inbox / "done")
        report.ingested.append(ingested)
        event(
            log,
            "inbox file ingested",
            file=path.name,
            status=ingested.status,
            publication=ingested.issue.publication,
            number=ingested.issue.number,
        )
    return report


def _move(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder`` without overwriting an earlier file of the same name."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"{path.stem}.{stamp}{path.suffix}"
    return path.replace(target)
