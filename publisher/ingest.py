"""Ingest: issue files in, stored issues out. All files are read before any is stored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publisher.app import Publisher
from publisher.errors import InputError
from publisher.model import Issue
from publisher.parse import decode, parse_issue
from publisher.store.archive import SaveStatus

# Larger than any newspaper issue in text; protects against pointing at a disk image.
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Ingested:
    """One file's outcome: where it came from, what the archive did, the issue as stored."""

    path: Path
    status: SaveStatus
    issue: Issue


def read_issue_file(path: Path) -> tuple[Issue, str]:
    """Parse the issue file at ``path``; returns the issue and the decoded text."""
    return parse_upload(str(path), _read_bytes(path))


def parse_upload(name: str, data: bytes) -> tuple[Issue, str]:
    """Parse the bytes of an issue file called ``name`` (from disk or an upload)."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError("is larger than 20 MB; it is not an issue text", source=name)
    text = decode(data, name)
    return parse_issue(text, name), text


def _read_bytes(path: Path) -> bytes:
    name = str(path)
    if path.is_dir():
        raise InputError("is a directory", "give the issue files inside it", source=name)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError("no such file", "check the path", source=name) from None
    except OSError as e:
        raise InputError(f"cannot be read: {e.strerror}", source=name) from e
    return data


def ingest_files(app: Publisher, paths: list[Path], *, replace: bool = False) -> list[Ingested]:
    """Parse every file, then store them all in one transaction (all or nothing)."""
    return ingest_parsed(app, [(path, *read_issue_file(path)) for path in paths], replace=replace)


def ingest_upload(app: Publisher, name: str, data: bytes, *, replace: bool = False) -> Ingested:
    """Parse and store one uploaded issue file (the editors' console)."""
    (ingested,) = ingest_parsed(app, [(Path(name), *parse_upload(name, data))], replace=replace)
    return ingested


def ingest_parsed(
    app: Publisher, parsed: list[tuple[Path, Issue, str]], *, replace: bool = False
) -> list[Ingested]:
    """Store parsed ``(path, issue, text)`` items in one transaction."""
    results = app.archive.save_all(
        [(issue, path.name, text) for path, issue, text in parsed], replace=replace
    )
    return [
        Ingested(path, result.status, result.issue)
        for (path, _, _), result in zip(parsed, results, strict=True)
    ]
