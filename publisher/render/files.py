"""Writing files so that a reader polling mid-build never sees half of one, with the right modes.

Two kinds of files are written: the public site (pages, feeds, photos), which a
web server running as another user must be able to read, and private data
(previews, exports), which no other local user may read (``publisher.modes``).
A file is private unless it is written under a public root (``public_root``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from publisher.errors import RenderError
from publisher.modes import PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, make_dirs

SITE_HINT = "check that the site directory ([site] dir) is writable"


def write_atomic(
    path: Path, content: str | bytes, *, hint: str = SITE_HINT, public_root: Path | None = None
) -> bool:
    """Replace ``path`` with ``content`` in one rename; returns whether the file changed.

    An identical file is left alone, so its modification time (and every
    cache and conditional GET keyed on it) stays valid across rebuilds.
    Under ``public_root`` the file is world-readable, and so are the directories
    created for it from that root down; otherwise it and they are the owner's only.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    public = public_root is not None and path.is_relative_to(public_root)
    try:
        if path.is_file() and path.read_bytes() == data:
            return False
        make_dirs(path.parent, public_root if public else None)
        # The temporary file sits beside the target: os.replace is atomic only
        # within one file system.
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temp, PUBLIC_FILE_MODE if public else PRIVATE_FILE_MODE)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise RenderError(
            f"cannot write {path}: {e.strerror or e}",
            hint,
        ) from e
    return True
