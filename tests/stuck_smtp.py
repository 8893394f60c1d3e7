"""SMTP servers that never finish: sessions for ``tests.smtp.raw_server``.

No real server trickles or hangs on demand, so these are raw sockets. Each
session is bounded in time (``seconds``) and ends by itself, so a test that
fails leaves no thread behind for long.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from abc import ABC, abstractmethod


class StuckServer(ABC):
    """Counts the connections it accepts, those still open, and the command lines it reads."""

    def __init__(self, seconds: float = 30.0) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self.connections = 0
        self.open = 0
        self.commands: list[bytes] = []

    def __call__(self, connection: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            self.open += 1
        try:
            connection.settimeout(self.seconds)
            self.session(connection, time.monotonic() + self.seconds)
        finally:
            with self._lock:
                self.open -= 1

    @abstractmethod
    def session(self, connection: socket.socket, ends: float) -> None:
        """Play this server's part on ``connection`` until it is done or ``ends`` passes."""

    def heard(self, verb: bytes) -> int:
        """How many command lines began with ``verb``."""
        with self._lock:
            return sum(line.upper().startswith(verb) for line in self.commands)

    def _read(self, lines: object) -> bytes:
        line: bytes = lines.readline()  # type: ignore[attr-defined]
        with self._lock:
            self.commands.append(line)
        return line


class TricklingGreeting(StuckServer):
    """Greets with endless "220-" continuation lines, two bytes every half second."""

    def session(self, connection: socket.socket, ends: float) -> None:
        greeting = itertools.cycle(b"220-still greeting you\r\n")
        while time.monotonic() < ends:
            connection.sendall(bytes(itertools.islice(greeting, 2)))
            time.sleep(0.5)


class HangsAfterEhlo(StuckServer):
    """Greets and answers EHLO at once, then reads every command and answers none."""

    def session(self, connection: socket.socket, ends: float) -> None:
        lines = connection.makefile("rb")
        connection.sendall(b"220 stuck.example ESMTP\r\n")
        self._read(lines)
        connection.sendall(b"250-stuck.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
        while time.monotonic() < ends and self._read(lines):
            pass


class SilentAfterStarttls(StuckServer):
    """Offers STARTTLS, agrees to it, then never starts the TLS handshake."""

    def session(self, connection: socket.socket, ends: float) -> None:
        lines = connection.makefile("rb")
        connection.sendall(b"220 stuck.example ESMTP\r\n")
        self._read(lines)
        connection.sendall(b"250-stuck.example\r\n250 STARTTLS\r\n")
        self._read(lines)
        connection.sendall(b"220 2.0.0 go ahead\r\n")
        while time.monotonic() < ends and connection.recv(4096):
            pass


class TricklingHandshake(StuckServer):
    """Answers a TLS client with a record announced as 16 KB long, then sends it two bytes at a time."""

    def session(self, connection: socket.socket, ends: float) -> None:
        connection.recv(4096)  # the ClientHello
        connection.sendall(b"\x16\x03\x03\x40\x00")  # a handshake record of 16,384 bytes
        while time.monotonic() < ends:
            connection.sendall(b"\x00\x00")
            time.sleep(0.5)
