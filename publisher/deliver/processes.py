"""The SMTP pool spread over child processes, so sending uses more than one CPU.

One Python process runs one thread at a time: with the ledger, building
messages and sixteen SMTP conversations in one process, the conversations
wait for the CPU rather than for the network. Here each pooled connection
lives in a child process, on a thread of its own, and the parent's engine
hands it one built message at a time over a pipe, collecting the replies as
they come (no thread per connection in the parent). The engine's accounting
does not change: a connection carries one unrecorded message at most.

Children are started with ``spawn`` so each holds only its own pipe ends:
when the parent dies, even by kill -9, every child reads end-of-file and
exits instead of sending on its own. They ignore Ctrl-C for the same reason:
the parent decides when to stop and waits for the messages in flight.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.connection import Connection, wait

from publisher.deliver.smtp import SmtpTransport
from publisher.deliver.transport import Completion, Pipeline, Result, Tag
from publisher.deliver.urls import SmtpTarget
from publisher.errors import DeliveryError, PublisherError


class ProcessTransport:
    """An SMTP pool over ``processes`` child processes, used like one ``SmtpTransport``."""

    def __init__(self, servers: Sequence[SmtpTarget], processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.description = ", ".join(str(s) for s in servers)
        self._connections: list[Connection] = []
        self._children: list[multiprocessing.process.BaseProcess] = []
        self._lock = threading.Lock()
        for share in split_pool(servers, processes):
            pipes = [context.Pipe() for _ in range(sum(s.pool for s in share))]
            child = context.Process(
                target=_child_main,
                args=(share, [theirs for _, theirs in pipes], os.getpid()),
                name="publisher-smtp",
                daemon=True,
            )
            child.start()
            self._children.append(child)
            for ours, theirs in pipes:
                theirs.close()  # only the child may hold its ends, or it never sees EOF
                self._connections.append(ours)
        self._channels = _Channels(self._connections)

    @property
    def concurrency(self) -> int:
        """One message in flight per pooled connection, over all children."""
        return len(self._connections)

    def pipeline(self, sender: str) -> Pipeline:
        """The engine's way in: no thread per connection in this process."""
        self._channels.sender = sender
        return self._channels

    def send(self, message: bytes, sender: str, recipient: str) -> Result:
        """Send one built message and wait for it (one at a time: for tests and previews)."""
        with self._lock:
            self._channels.put(0, (message, sender, recipient))
            done: list[Completion] = []
            while not done:
                done = self._channels.completed(timeout=60)
        outcome = done[0][1]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def close(self) -> None:
        """Close the pipes (each child then says QUIT and exits) and wait for the children."""
        for connection in self._connections:
            connection.close()
        for child in self._children:
            child.join(timeout=30)
            if child.is_alive():
                child.terminate()


class _Channels:
    """The parent's ends of the pipes: requests go to idle ones, replies come from any."""

    def __init__(self, connections: list[Connection]) -> None:
        self.capacity = len(connections)
        self.sender = ""
        self._idle = list(connections)
        self._busy: dict[Connection, Tag] = {}

    def submit(self, tag: Tag, message: bytes, recipient: str) -> None:
        self.put(tag, (message, self.sender, recipient))

    def put(self, tag: Tag, request: tuple[bytes, str, str]) -> None:
        connection = self._idle.pop()
        self._busy[connection] = tag
        # If the child is gone, completed() reports it when the pipe reads as closed.
        with contextlib.suppress(OSError):
            connection.send(request)

    def completed(self, timeout: float) -> list[Completion]:
        done: list[Completion] = []
        for connection in wait(list(self._busy), timeout):
            assert isinstance(connection, Connection)
            tag = self._busy.pop(connection)
            self._idle.append(connection)
            done.append((tag, _outcome(connection)))
        return done

    def close(self) -> None:
        """Nothing to release: the connections belong to the transport."""


def _outcome(connection: Connection) -> Result | BaseException:
    try:
        outcome = connection.recv()
    except (EOFError, OSError):
        return DeliveryError(
            "an SMTP sender process stopped unexpectedly", "see the log for its error"
        )
    if isinstance(outcome, Result):
        return outcome
    message, hint = outcome
    return DeliveryError(message, hint)


def split_pool(servers: Sequence[SmtpTarget], processes: int) -> list[list[SmtpTarget]]:
    """Each server's connections and rate shared out over at most ``processes`` children."""
    count = max(1, min(processes, max(s.pool for s in servers)))
    shares: list[list[SmtpTarget]] = [[] for _ in range(count)]
    for server in servers:
        for index in range(count):
            pool = server.pool // count + (1 if index < server.pool % count else 0)
            if pool:
                rate = server.rate * pool / server.pool
                shares[index].append(replace(server, pool=pool, rate=rate))
    return [share for share in shares if share]


def _child_main(servers: list[SmtpTarget], connections: list[Connection], parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    transport = SmtpTransport(servers)
    threads = [
        threading.Thread(target=_serve, args=(transport, connection, parent), daemon=True)
        for connection in connections
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    transport.close()


def _serve(transport: SmtpTransport, connection: Connection, parent: int) -> None:
    """Send what arrives on ``connection`` until the parent closes it (or dies)."""
    while True:
        try:
            message, sender, recipient = connection.recv()
        except (EOFError, OSError):
            return
        if os.getppid() != parent:
            return  # orphaned: nobody would record this message, so it must not go
        outcome: Result | tuple[str, str | None]
        try:
            outcome = transport.send(message, sender, recipient)
        except PublisherError as e:
            outcome = (e.message, e.hint)
        except Exception as e:
            outcome = (f"SMTP sender failed: {type(e).__name__}: {e}", None)
        try:
            connection.send(outcome)
        except OSError:
            return
