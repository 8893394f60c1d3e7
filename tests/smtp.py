"""A real SMTP server for tests: aiosmtpd on a free loopback port, recording what it accepts."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def free_port() -> int:
    """A port nobody listens on now (aiosmtpd's Controller cannot start on port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Recorder:
    """An aiosmtpd handler that keeps every accepted message, optionally slowly."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self.received: list[tuple[str, bytes]] = []  # (recipient, message bytes)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        data = envelope.original_content  # type: ignore[attr-defined]
        with self._lock:
            for recipient in envelope.rcpt_tos:  # type: ignore[attr-defined]
                self.received.append((recipient, data))
        return "250 2.0.0 Ok: queued as TEST"

    def per_recipient(self) -> Counter[str]:
        """How many messages each recipient got."""
        with self._lock:
            return Counter(recipient for recipient, _ in self.received)

    def messages(self) -> list[EmailMessage]:
        """The accepted messages, parsed."""
        with self._lock:
            return [message_from_bytes(data, policy=default) for _, data in self.received]


@contextmanager
def raw_server(session: Callable[[socket.socket], None]) -> Iterator[int]:
    """A bare TCP server on 127.0.0.1 running ``session`` per connection; yields its port.

    For what no real SMTP server does on demand: replying in the middle of a
    message's text, refusing STARTTLS, never answering.
    """
    listener = socket.create_server(("127.0.0.1", 0))

    def serve(connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            session(connection)

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        listener.close()


class GoodbyeSMTP(SMTP):
    """A server that says 421 before it closes an idle connection, as Postfix does."""

    def _timeout_cb(self) -> None:
        assert self.transport is not None
        self.transport.write(b"421 4.4.2 Error: timeout exceeded\r\n")
        super()._timeout_cb()


class GoodbyeController(Controller):
    def factory(self) -> SMTP:
        return GoodbyeSMTP(self.handler, **self.SMTP_kwargs)


@contextmanager
def smtp_server(
    handler: object, *, controller: type[Controller] = Controller, **options: object
) -> Iterator[Controller]:
    """Run ``handler`` as an SMTP server on 127.0.0.1 for the duration of the block.

    ``options`` go to aiosmtpd's ``Controller`` (e.g. ``tls_context``, ``authenticator``).
    """
    server = controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
