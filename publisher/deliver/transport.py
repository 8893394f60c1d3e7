"""The transport protocol: the one narrow door through which mail leaves the program.

A transport knows ``send(message, sender, recipient) -> Result`` and
``close()``, so the SMTP pool, the outbox and any future API transport are
interchangeable. The engine drives a ``Pipeline`` over the transport: the
SMTP pool brings its own, which keeps every connection busy from one thread;
any other transport gets a thread per concurrent ``send`` (``ThreadedPipeline``),
so its ``send`` must allow up to ``concurrency`` calls at once.
"""

from __future__ import annotations

import queue
from concurrent.futures import ThreadPoolExecutor
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


Tag = int
Completion = tuple[Tag, Result | BaseException]


class Pipeline(Protocol):
    """Messages handed over without waiting: what the engine drives.

    ``submit`` never blocks (the engine keeps at most ``capacity`` in flight);
    ``completed`` returns the outcomes that are in, each with the tag it was
    submitted under, or an exception that should stop the send.
    """

    @property
    def capacity(self) -> int:
        """How many messages may be in flight at once."""
        ...

    def submit(self, tag: Tag, message: bytes, recipient: str) -> None:
        """Start handing one message over."""
        ...

    def completed(self, timeout: float) -> list[Completion]:
        """The outcomes that arrived, waiting up to ``timeout`` seconds for the first."""
        ...

    def close(self) -> None:
        """Wait for what is in flight, then release the pipeline (not the transport)."""
        ...


class ThreadedPipeline:
    """A pipeline over any transport: one thread per concurrent ``send``."""

    def __init__(self, transport: Transport, sender: str) -> None:
        self.transport = transport
        self.sender = sender
        self.capacity = transport.concurrency
        self._pool = ThreadPoolExecutor(self.capacity, thread_name_prefix="send")
        self._done: queue.SimpleQueue[Completion] = queue.SimpleQueue()

    def submit(self, tag: Tag, message: bytes, recipient: str) -> None:
        self._pool.submit(self._send, tag, message, recipient)

    def completed(self, timeout: float) -> list[Completion]:
        try:
            done = [self._done.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                done.append(self._done.get_nowait())
            except queue.Empty:
                return done

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _send(self, tag: Tag, message: bytes, recipient: str) -> None:
        try:
            outcome: Result | BaseException = self.transport.send(message, self.sender, recipient)
        except BaseException as e:
            outcome = e
        self._done.put((tag, outcome))


def pipeline_for(transport: Transport, sender: str) -> Pipeline:
    """The transport's own pipeline if it has one (see ``smtp``), else threads."""
    native = getattr(transport, "pipeline", None)
    if callable(native):
        return native(sender)  # type: ignore[no-any-return]
    return ThreadedPipeline(transport, sender)
