"""File modes: private data is the owner's only; only the public site is world-readable.

The archive (``publisher.db`` and its WAL files), the outbox, previews, the
inbox and the secrets hold subscribers' addresses and unpublished issues, so
the data directory is made 0700 and everything in it 0600. The command line
and the service also set the process umask to 0077 (``restrict_umask``), so
files that other libraries create (SQLite's WAL and shared-memory files) are
private too. The static site is the exception: see ``render.files``.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
# What a web server running as another user needs to read the site.
PUBLIC_FILE_MODE = 0o644
PUBLIC_DIR_MODE = 0o755


def restrict_umask() -> int:
    """Make every file this process creates from now on private; returns the old umask."""
    return os.umask(PRIVATE_UMASK)


def make_dirs(directory: Path, public_root: Path | None = None) -> None:
    """Create ``directory`` and its missing parents: 0700, or 0755 from ``public_root`` down.

    Each mode is set explicitly, since ``mkdir`` applies the umask and
    ``os.makedirs`` gives the parents it creates the default mode. Directories
    that exist are left as they are.
    """
    missing = []
    for folder in (directory, *directory.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # another process made it at the same moment: its mode stands
        public = public_root is not None and folder.is_relative_to(public_root)
        os.chmod(folder, PUBLIC_DIR_MODE if public else PRIVATE_DIR_MODE)
