"""Writing rendered files so that a reader polling mid-build never sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from publisher.errors import RenderError

# What a web server running as another user needs to read what we write.
FILE_MODE = 0o644


SITE_HINT = "check that the site directory ([site] dir) is writable"


def write_atomic(path: Path, content: str | bytes, *, hint: str = SITE_HINT) -> bool:
    """Replace ``path`` with ``content`` in one rename; returns whether the file changed.

    An identical file is left alone, so its modification time (and every
    cache and conditional GET keyed on it) stays valid across rebuilds.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.is_file() and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        # The temporary file sits beside the target: os.replace is atomic only
        # within one file system.
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temp, FILE_MODE)
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
