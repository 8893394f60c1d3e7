"""Uploads waiting for the editor's confirmation, kept on disk between two requests.

The console parses an upload, shows what it understood, and stores it only when
the editor confirms. The bytes wait here under a random id, which only the
editor's signed session knows; a staged upload is read once and expires.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

MAX_AGE_SECONDS = 3600.0  # an upload not confirmed within this is forgotten
_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes


class Staging:
    """A folder of staged uploads, one file per id."""

    def __init__(self, folder: Path, max_age: float = MAX_AGE_SECONDS) -> None:
        self.folder = folder
        self.max_age = max_age

    def put(self, data: bytes) -> str:
        """Keep ``data`` and return its new id; forgets expired uploads on the way."""
        self.sweep()
        self.folder.mkdir(parents=True, exist_ok=True)
        upload_id = secrets.token_urlsafe(32)
        # Only this process's user may read what an editor uploaded.
        fd = os.open(self._path(upload_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        return upload_id

    def take(self, upload_id: str) -> bytes | None:
        """The staged bytes, removed from the stage; None when unknown or expired."""
        if not _ID.fullmatch(upload_id):
            return None
        path = self._path(upload_id)
        try:
            fresh = time.time() - path.stat().st_mtime <= self.max_age
            data = path.read_bytes() if fresh else None
            path.unlink()
        except FileNotFoundError:
            return None
        return data

    def discard(self, upload_id: str) -> None:
        """Forget a staged upload (the editor uploaded another one instead)."""
        if _ID.fullmatch(upload_id):
            self._path(upload_id).unlink(missing_ok=True)

    def sweep(self) -> None:
        """Remove every staged upload older than ``max_age``."""
        if not self.folder.is_dir():
            return
        oldest = time.time() - self.max_age
        for path in self.folder.glob("*.upload"):
            try:
                if path.stat().st_mtime < oldest:
                    path.unlink()
            except FileNotFoundError:
                pass  # another request swept it first

    def _path(self, upload_id: str) -> Path:
        return self.folder / f"{upload_id}.upload"
