"""The outbox transport: each message becomes one file in a Maildir.

The embedded default, so a demo runs on a machine without a mail server; any
mail client opens the directory. Files are written under ``tmp/`` and renamed
into ``new/``, as the Maildir convention asks, so a reader never sees half a
message.
"""

from __future__ import annotations

import itertools
import os
import socket
import time
from pathlib import Path

from publisher.deliver.transport import Outcome, Result
from publisher.errors import DeliveryError
from publisher.modes import PRIVATE_FILE_MODE, make_dirs


class OutboxTransport:
    """Writes messages into the Maildir at ``path`` (created if needed)."""

    concurrency = 2  # writing a file is quick; more threads would only contend

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"outbox:{path}"
        try:
            for sub in ("tmp", "new", "cur"):
                make_dirs(path / sub)  # 0700: every message names its reader
        except OSError as e:
            raise DeliveryError(
                f"cannot create the outbox {path}: {e.strerror}",
                "check [delivery] url or the data directory's permissions",
            ) from e
        self._counter = itertools.count()
        self._host = socket.gethostname().replace("/", "\\057").replace(":", "\\072")

    def send(self, message: bytes, sender: str, recipient: str) -> Result:
        """Write one message; the recipient is already in its To header."""
        # time.pid_counter.host is unique across processes and threads (Maildir's rule).
        name = f"{time.time_ns()}.P{os.getpid()}Q{next(self._counter)}.{self._host}"
        temporary = self.path / "tmp" / name
        final = self.path / "new" / f"{name}.eml"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
            with os.fdopen(fd, "wb") as file:
                file.write(message)
            os.replace(temporary, final)
        except OSError as e:
            # A full or read-only disk is the machine's problem, not the subscriber's.
            return Result(Outcome.DEFERRED, f"cannot write {final}: {e.strerror}")
        return Result(Outcome.SENT, f"250 written to {final}", final.name)

    def close(self) -> None:
        """Nothing to release: every message is already on disk."""
