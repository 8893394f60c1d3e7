"""The transport protocol: the one narrow door through which mail leaves the program.

The engine only knows ``send(message, sender, recipient) -> Result`` and
``close()``, so the SMTP pool, the outbox and any future API transport are
interchangeable. ``send`` may be called from several threads at once, up to
``concurrency`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    """What became of one attempt to hand a message over."""

    SENT = "sent"  # the server took responsibility for it (2xx after DATA)
    DEFERRED = "deferred"  # try again later: 4xx, a timeout, a lost connection
    FAILED = "failed"  # permanently refused for this recipient: 5xx


@dataclass(frozen=True)
class Result:
    """One attempt's outcome, the server's reply text and, when it said, its queue id."""

    outcome: Outcome
    reply: str
    queue_id: str | None = None


class Transport(Protocol):
    """Something that hands messages to the next hop."""

    @property
    def concurrency(self) -> int:
        """How many ``send`` calls may usefully run at once."""
        ...

    @property
    def description(self) -> str:
        """Where the mail goes, without credentials."""
        ...

    def send(self, message: bytes, sender: str, recipient: str) -> Result:
        """Hand one message over; never raises for a recipient-level problem."""
        ...

    def close(self) -> None:
        """Release connections; the transport is unusable afterwards."""
        ...
