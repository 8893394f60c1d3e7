"""Ingest: issue files in, stored issues out. All files are read before any is stored."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from publisher.app import Publisher
from publisher.check import archive_doubts
from publisher.config import IngestSettings
from publisher.errors import InputError
from publisher.images import ImageFile, read_images
from publisher.model import Issue
from publisher.parse import decode, read_issue
from publisher.parse.doubts import Doubt
from publisher.store.archive import SaveStatus

# Larger than any newspaper issue in text ([ingest] max_mb): protects against pointing at a
# disk image, and bounds the parser's time.
MAX_FILE_BYTES = IngestSettings().max_bytes


@dataclass(frozen=True)
class Parsed:
    """One file read and parsed, not stored: the issue, its text and the parser's doubts."""

    path: Path
    issue: Issue
    text: str
    doubts: tuple[Doubt, ...] = ()
    # The photos read beside the file; None for an upload, which keeps those stored.
    images: tuple[ImageFile, ...] | None = None


@dataclass(frozen=True)
class Ingested:
    """One file's outcome: where it came from, what the archive did, the issue as stored.

    ``doubts`` are what an editor should look at: the parser's, and the archive's
    (a number lower or a date older than the newest stored issue) as of before storing.
    """

    path: Path
    status: SaveStatus
    issue: Issue
    doubts: tuple[Doubt, ...] = ()


def read_file(path: Path, photos: Path | None = None, *, max_bytes: int = MAX_FILE_BYTES) -> Parsed:
    """Read and parse the issue file at ``path``, with the photos its figures name beside it.

    ``photos`` is where those are when not beside it (the inbox, for a file it has claimed).
    """
    parsed = read_upload(str(path), _read_bytes(path, max_bytes), path, max_bytes=max_bytes)
    images, skipped = read_images(parsed.issue, photos or path.parent)
    doubts = (*parsed.doubts, *(s.doubt() for s in skipped))
    return replace(parsed, images=tuple(images), doubts=doubts)


def read_upload(
    name: str, data: bytes, path: Path | None = None, *, max_bytes: int = MAX_FILE_BYTES
) -> Parsed:
    """Parse the bytes of an issue file called ``name`` (from disk or an upload)."""
    if len(data) > max_bytes:
        raise InputError(
            f"is larger than {_megabytes(max_bytes)}, the most an issue file may be",
            "check that this is the text of one issue, or raise [ingest] max_mb",
            source=name,
        )
    text = decode(data, name)
    parsed = read_issue(text, name)
    return Parsed(path or Path(name), parsed.issue, text, parsed.doubts)


def read_issue_file(path: Path) -> tuple[Issue, str]:
    """Parse the issue file at ``path``; returns the issue and the decoded text."""
    parsed = read_file(path)
    return parsed.issue, parsed.text


def parse_upload(name: str, data: bytes) -> tuple[Issue, str]:
    """Parse uploaded bytes; returns the issue and the decoded text."""
    parsed = read_upload(name, data)
    return parsed.issue, parsed.text


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.3g} MB"


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    name = str(path)
    if path.is_dir():
        raise InputError("is a directory", "give the issue files inside it", source=name)
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)  # one byte more than allowed is enough to refuse
    except FileNotFoundError:
        raise InputError("no such file", "check the path", source=name) from None
    except OSError as e:
        raise InputError(f"cannot be read: {e.strerror}", source=name) from e
    return data


def ingest_files(app: Publisher, paths: list[Path], *, replace: bool = False) -> list[Ingested]:
    """Parse every file, then store them all in one transaction (all or nothing)."""
    limit = app.settings.ingest.max_bytes
    return ingest_parsed(app, [read_file(p, max_bytes=limit) for p in paths], replace=replace)


def ingest_upload(app: Publisher, name: str, data: bytes, *, replace: bool = False) -> Ingested:
    """Parse and store one uploaded issue file (the editors' console)."""
    limit = app.settings.ingest.max_bytes
    (ingested,) = ingest_parsed(app, [read_upload(name, data, max_bytes=limit)], replace=replace)
    return ingested


def ingest_parsed(app: Publisher, parsed: list[Parsed], *, replace: bool = False) -> list[Ingested]:
    """Store parsed files in one transaction; each outcome carries all of its doubts."""
    doubts = [(*item.doubts, *archive_doubts(app.archive, item.issue)) for item in parsed]
    results = app.archive.save_all(
        [
            (item.issue, item.path.name, item.text)
            if item.images is None
            else (item.issue, item.path.name, item.text, item.images)
            for item in parsed
        ],
        replace=replace,
    )
    return [
        Ingested(item.path, result.status, result.issue, item_doubts)
        for item, result, item_doubts in zip(parsed, results, doubts, strict=True)
    ]
