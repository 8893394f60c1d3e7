"""The inbox: editors drop issue files in a directory; each tick ingests what it finds.

A file that was ingested moves to ``done/``; a file that failed moves to
``failed/`` with its error written beside it, so it is never lost and never
retried in a loop. Files whose names start with a dot or end in ``.part`` or
``.tmp`` are still being written and are left for the next tick.

Several services may share one inbox. Each claims a file before reading it, by
renaming it into a directory of its own under ``claimed/``: a rename is atomic,
so exactly one process gets each file, and a file another process took first is
simply not ours. A claim whose process died (``kill -9`` mid-ingest) is put back
in the inbox by the next tick on the same machine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path

from publisher.app import Publisher
from publisher.check import doubt_message
from publisher.errors import PublisherError
from publisher.i18n import catalog
from publisher.ingest import Ingested, ingest_parsed, read_file
from publisher.logs import event
from publisher.modes import make_dirs

log = logging.getLogger(__name__)

_IN_PROGRESS = (".part", ".tmp", ".swp", "~")
CLAIMED = "claimed"


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
    """Claim and ingest every waiting file on its own; move each to ``done/`` or ``failed/``."""
    inbox = app.settings.inbox_dir
    report = InboxReport()
    recover_abandoned_claims(inbox)
    for path in waiting_files(inbox):
        claimed = claim(path)
        if claimed is None:
            continue  # another process took it
        try:
            _ingest_claimed(app, path, claimed, report)
        finally:
            with contextlib.suppress(OSError):  # only a failed move leaves it not empty
                claimed.parent.rmdir()
    return report


def _ingest_claimed(app: Publisher, path: Path, claimed: Path, report: InboxReport) -> None:
    inbox = path.parent
    try:
        (ingested,) = ingest_parsed(
            app, [read_file(claimed, photos=inbox, max_bytes=app.settings.ingest.max_bytes)]
        )
    except Exception as error:  # any: one file must not stop the others, the build or the sends
        reason = str(error) if isinstance(error, PublisherError) else _unexpected(error)
        reason = reason.replace(str(claimed), str(path))
        moved = _move(claimed, inbox / "failed")
        moved.with_name(moved.name + ".error.txt").write_text(f"{reason}\n", encoding="utf-8")
        report.failed.append((moved, reason))
        log.warning("inbox file refused", extra={"file": path.name, "error": reason})
        return
    moved = _move(claimed, inbox / "done")
    report.ingested.append(dataclasses.replace(ingested, path=path))
    if ingested.doubts:
        # What an editor would have seen from 'publisher check', kept beside the file.
        t = catalog(app.settings.server.language)
        messages = [doubt_message(t, doubt) for doubt in ingested.doubts]
        moved.with_name(moved.name + ".warnings.txt").write_text(
            "".join(f"{m}\n" for m in messages), encoding="utf-8"
        )
        for message in messages:
            log.warning("inbox file has a warning", extra={"file": path.name, "warning": message})
    event(
        log,
        "inbox file ingested",
        file=path.name,
        status=ingested.status,
        publication=ingested.issue.publication,
        number=ingested.issue.number,
    )


def claim(path: Path) -> Path | None:
    """Take ``path`` for this process: its new place, or None when another process took it.

    The file keeps its name, in a directory no other process uses.
    """
    folder = path.parent / CLAIMED / f"{_HOST}_{os.getpid()}_{secrets.token_hex(6)}"
    make_dirs(folder)
    try:
        return path.rename(folder / path.name)
    except FileNotFoundError:
        folder.rmdir()
        return None


def recover_abandoned_claims(inbox: Path) -> list[Path]:
    """Put back in ``inbox`` the files claimed by processes of this machine that have died."""
    recovered: list[Path] = []
    claims = inbox / CLAIMED
    if not claims.is_dir():
        return recovered
    for folder in claims.iterdir():
        host, _, pid = folder.name.rpartition("_")[0].rpartition("_")
        if host != _HOST or not pid.isdigit() or _alive(int(pid)):
            continue
        for path in folder.iterdir():
            target = inbox / path.name
            if not target.exists():
                try:
                    recovered.append(path.rename(target))
                except FileNotFoundError:
                    continue  # another process recovered it first
        try:
            folder.rmdir()
        except OSError:
            continue  # not empty (a name now taken in the inbox), or already gone
    return recovered


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


_HOST = socket.gethostname().replace("_", "-").replace("/", "-")


def _unexpected(error: Exception) -> str:
    """A failure that is not one of ours: named, so an operator can report it."""
    return f"could not be ingested ({type(error).__name__}: {error})"


def _move(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder`` without overwriting an earlier file of the same name."""
    make_dirs(folder)
    target = folder / path.name
    if target.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"{path.stem}.{stamp}{path.suffix}"
    return path.replace(target)
