"""SMTP delivery: a pool of long-lived connections to one or more servers, driven from one thread.

Opening a connection (TCP, greeting, STARTTLS, login) is rare and may block,
so smtplib does it on a helper thread, watched from the loop. From then on the
connection's socket is driven without blocking from the caller's thread: the
envelope pipelined (RFC 2920) when the server offers it, the message text
written as the socket takes it, replies parsed as they arrive. One thread
keeps every connection busy for a fraction of the CPU that a thread per
connection costs, where each message means two wake-ups and a wait for the GIL.

Each connection sends many messages, one transaction after another. Replies
are classified for the ledger: 2xx after the message text is sent, 4xx and any
lost connection or timeout is deferred, 5xx to RCPT or DATA is failed for that
recipient. Problems that would hit every recipient alike (refused login, no
TLS, a refused sender) end in ``DeliveryError`` instead, so that a wrong
setting stops the send rather than bouncing the whole audience.

Every step has a deadline of the server's ``timeout`` that counts from the
step's start, however slowly its reply trickles in: connecting, the greeting,
each setup command (EHLO, STARTTLS, AUTH), each envelope reply and the whole
DATA (text written and answered). A server that misses a deadline before any
message text went out on a fresh connection is given up for the run: its
other connections stop too, rather than each wait out the same deadline, and
its mail goes to the other servers. When every server is given up, the run
ends with ``DeliveryError``; the recipients not reached stay as they were.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import logging
import queue
import re
import selectors
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from publisher.deliver.ratelimit import RateLimiter
from publisher.deliver.transport import Completion, Outcome, Pipeline, Result, Tag
from publisher.deliver.urls import SmtpTarget
from publisher.errors import DeliveryError, PublisherError

log = logging.getLogger(__name__)

# A connection that could not be opened rests this long before it is tried again,
# so that mail flows to the healthy servers of a list meanwhile.
RECONNECT_DELAY = 1.0
# How often connections are checked for a server that stopped answering.
_TIMEOUT_CHECK = 0.25
# How long closing the transport waits for the servers' replies to QUIT.
_GOODBYE_SECONDS = 1.0
_MAX_LINE = 8192  # smtplib's limit on a reply line: a longer one is not SMTP
_REPLY_CODE = re.compile(rb"[2-5][0-9][0-9][ -]?")  # RFC 5321 section 4.2
_QUEUE_ID = re.compile(r"queued as ([A-Za-z0-9._-]+)|\bid=([A-Za-z0-9._-]+)|<([^<>\s]+)>")
# smtplib's own errors, timeouts, resets and TLS failures are all OSErrors.
_LOST = OSError
_LEADING_DOT = re.compile(rb"(?m)^\.")
_SMTP_HINT = "check [delivery] url: host, port, TLS mode and credentials"
_DOWN_HINT = (
    "nobody was lost: the recipients not reached stay queued for the next run; "
    "check the server, or raise timeout= in [delivery] url"
)
# Commands of the connection's setup that name a step; others (the lines of an
# AUTH exchange, which carry credentials) continue the step they belong to.
_SETUP_STEPS = frozenset({"EHLO", "HELO", "STARTTLS", "AUTH"})
_ENVELOPE_STEPS = ("MAIL FROM", "RCPT TO", "DATA")

Reply = tuple[int, bytes]


class SmtpTransport:
    """Sends through a pool of connections to one or more SMTP servers.

    The engine drives it through ``pipeline``; ``send`` hands over one message
    and waits (for tests, previews and confirmations). Either way all socket
    work happens on the calling thread, one caller at a time.
    """

    def __init__(self, servers: Sequence[SmtpTarget]) -> None:
        if not servers:
            raise ValueError("at least one SMTP server is needed")
        self.description = ", ".join(str(s) for s in servers)
        self._selector = selectors.DefaultSelector()
        # Opening threads report through a queue and wake the loop through a socket.
        self._opened: queue.SimpleQueue[
            tuple[_Connection, _Opening, smtplib.SMTP | BaseException]
        ] = queue.SimpleQueue()
        self._wake_loop, self._wake_opener = socket.socketpair()
        self._wake_loop.setblocking(False)
        self._selector.register(self._wake_loop, selectors.EVENT_READ, None)
        self._servers = [_Server(target, RateLimiter(target.rate)) for target in servers]
        self._connections: list[_Connection] = []
        for server in self._servers:
            server.connections = [_Connection(self, server) for _ in range(server.target.pool)]
            self._connections += server.connections
        self._capacity = len(self._connections)  # the connections of servers not given up
        self._opener_lock = threading.Lock()
        self._idle = list(self._connections)
        self._done: list[Completion] = []
        self._timers: list[tuple[float, int, _Connection]] = []  # connections waiting to start
        self._sequence = itertools.count()
        self._checked_at = time.monotonic()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def concurrency(self) -> int:
        """One message in flight per pooled connection of the servers not given up."""
        return self._capacity

    def pipeline(self, sender: str) -> Pipeline:
        """The engine's way in: messages from ``sender``, handed over without waiting."""
        return _Pipeline(self, sender)

    def send(self, message: bytes, sender: str, recipient: str) -> Result:
        """Send one message and wait for its outcome."""
        with self._lock:
            self.start(0, message, sender, recipient)
            done: list[Completion] = []
            while not done:
                done = self.completed(timeout=60)
        outcome = done[0][1]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def start(self, tag: Tag, message: bytes, sender: str, recipient: str) -> None:
        """Begin one message on an idle connection (the caller keeps one free)."""
        if not self._capacity:
            self._done.append((tag, self._all_down()))
            return
        now = time.monotonic()
        ready = [c for c in self._idle if c.rests_until <= now]
        connection = ready[-1] if ready else min(self._idle, key=lambda c: c.rests_until)
        self._idle.remove(connection)
        connection.begin(_Transaction(tag, message, sender, recipient), now)

    def completed(self, timeout: float) -> list[Completion]:
        """The outcomes that are in, working the sockets up to ``timeout`` seconds for the first."""
        deadline = time.monotonic() + timeout
        while not self._done:
            now = time.monotonic()
            self._fire_timers(now)
            if now - self._checked_at >= _TIMEOUT_CHECK:
                self._checked_at = now
                for connection in self._connections:
                    connection.check_timeout(now)
            if self._done:
                break
            wait = min(deadline, self._checked_at + _TIMEOUT_CHECK)
            if self._timers:
                wait = min(wait, self._timers[0][0])
            self._poll(max(0.0, wait - now))
            if time.monotonic() >= deadline:
                break
        done, self._done = self._done, []
        return done

    def close(self) -> None:
        """Say QUIT on every idle connection, drop the others, and stop opening new ones.

        The QUITs go out together and their replies are awaited for a second at
        most: a polite goodbye must not hold a finished send up.
        """
        with self._opener_lock:
            self._closed = True
        for connection in self._connections:
            connection.abandon_opening()  # the helper thread's read ends at once
        self._collect_opened()  # connections opened meanwhile are closed at once
        leaving = [c for c in self._connections if c in self._idle and c.say_quit()]
        deadline = time.monotonic() + _GOODBYE_SECONDS
        while leaving and (left := deadline - time.monotonic()) > 0:
            self._poll(left)
            leaving = [c for c in leaving if c.sock is not None]
        for connection in self._connections:
            connection.close()
        self._selector.close()
        self._wake_loop.close()
        self._wake_opener.close()

    # -- for connections ------------------------------------------------------------

    def _poll(self, timeout: float) -> None:
        """Wait up to ``timeout`` for sockets to be ready, then move each connection on."""
        for key, mask in self._selector.select(timeout):
            if key.data is None:
                self._collect_opened()
            else:
                key.data.on_ready(mask)

    def _collect_opened(self) -> None:
        with contextlib.suppress(OSError):
            while self._wake_loop.recv(4096):
                pass
        while True:
            try:
                connection, opening, opened = self._opened.get_nowait()
            except queue.Empty:
                return
            if self._closed or connection.opening is not opening:  # given up meanwhile
                if isinstance(opened, smtplib.SMTP):
                    opened.close()
                continue
            connection.opening = None
            connection.on_opened(opened, opening, time.monotonic())

    def _open_later(self, connection: _Connection) -> _Opening:
        """Open ``connection`` on a thread of its own, watched through the returned handle.

        A daemon thread: one stuck on a server that never finishes greeting must
        not keep the process alive once it wants to exit.
        """
        opening = _Opening(connection.target.timeout)
        threading.Thread(
            target=self._open_in_thread,
            args=(connection, opening),
            name=f"smtp-open {connection.target}",
            daemon=True,
        ).start()
        return opening

    def _open_in_thread(self, connection: _Connection, opening: _Opening) -> None:
        opened: smtplib.SMTP | BaseException
        try:
            opened = _open(connection.target, opening)
        except BaseException as e:
            opened = e
        finally:
            opening.release()
        with self._opener_lock:  # so close() either sees this connection or we see it closed
            if self._closed or opening.abandoned:
                if isinstance(opened, smtplib.SMTP):
                    opened.close()  # nobody will use it
                return
            self._opened.put((connection, opening, opened))
        with contextlib.suppress(OSError):
            self._wake_opener.send(b"\0")

    def _give_up(self, server: _Server, why: str) -> None:
        """Give ``server`` up for this run: stop what its connections do before any text.

        What already went into DATA runs on to its own deadline: the server may
        still answer it, and hanging up would only risk a second copy.
        """
        if server.down is None:
            server.down = why
            self._capacity -= len(server.connections)
            self._idle = [c for c in self._idle if c.server is not server]
            if self._capacity:  # else the run ends with an error that says it
                log.warning(
                    "%s %s: given up for this run, its mail goes to the others", server.target, why
                )
        for connection in server.connections:
            connection.stop_for_good()

    def _down_outcome(self, server: _Server) -> Result | BaseException:
        """What a message on a given-up server becomes: deferred, or the end of the run."""
        if self._capacity:
            return Result(Outcome.DEFERRED, f"{server.target} {server.down}: given up for this run")
        return self._all_down()

    def _all_down(self) -> DeliveryError:
        reasons = "; ".join(f"{s.target} {s.down}" for s in self._servers)
        return DeliveryError(f"{reasons}: given up for this run", _DOWN_HINT)

    def _wait_until(self, connection: _Connection, when: float) -> None:
        heapq.heappush(self._timers, (when, next(self._sequence), connection))

    def _fire_timers(self, now: float) -> None:
        while self._timers and self._timers[0][0] <= now:
            _, _, connection = heapq.heappop(self._timers)
            connection.go(now)

    def _finish(self, connection: _Connection, tag: Tag, outcome: Result | BaseException) -> None:
        if connection.server.down is None:
            self._idle.append(connection)
        self._done.append((tag, outcome))


class _Pipeline:
    """The transport seen by the engine: messages of one sender, in flight at once."""

    def __init__(self, transport: SmtpTransport, sender: str) -> None:
        self.transport = transport
        self.sender = sender

    @property
    def capacity(self) -> int:
        """Fewer once a server is given up, so its share of the mail waits for the others."""
        return self.transport.concurrency

    def submit(self, tag: Tag, message: bytes, recipient: str) -> None:
        self.transport.start(tag, message, self.sender, recipient)

    def completed(self, timeout: float) -> list[Completion]:
        return self.transport.completed(timeout)

    def close(self) -> None:
        """Nothing to release: the connections belong to the transport."""


@dataclass
class _Transaction:
    """One message on its way: what to send and how far it got."""

    tag: Tag
    message: bytes
    sender: str
    recipient: str
    retried: bool = False  # already reopened once after finding the connection stale


@dataclass(eq=False)
class _Server:
    """One server of the pool: its rate, its connections, and why it was given up, if it was."""

    target: SmtpTarget
    limiter: RateLimiter
    connections: list[_Connection] = field(default_factory=list)
    down: str | None = None


class _Opening:
    """A connection being opened on a helper thread, with the deadline of its current step.

    The thread moves ``step`` and ``deadline`` on as each command goes out; the
    loop gives up on it once the deadline has passed, shutting its socket so
    that the thread's blocked read ends at once.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.step = "connect"
        self.deadline = time.monotonic() + timeout
        self.abandoned = False
        self._lock = threading.Lock()
        self._handle: socket.socket | None = None  # a duplicate of the connection's socket

    def begin(self, step: str) -> None:
        """A new step starts now (called on the helper thread)."""
        if self.abandoned:
            raise ConnectionAbortedError("given up")
        self.step, self.deadline = step, time.monotonic() + self.timeout

    def attach(self, sock: socket.socket) -> None:
        """The socket is connected: from now on, giving up can interrupt it.

        Through a duplicate: a TLS wrap (implicit or STARTTLS) takes over the
        socket object, but a shutdown through any descriptor of the connection
        ends a read or a handshake blocked on it.
        """
        with self._lock:
            if self.abandoned:
                sock.close()
                raise ConnectionAbortedError("given up")
            self._handle = sock.dup()

    def release(self) -> None:
        """The opening is over, either way (called on the helper thread).

        The duplicate would otherwise keep the connection open after smtplib closes it.
        """
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()

    def abandon(self) -> None:
        """Give up on this opening (called from the loop); the thread's result is discarded."""
        with self._lock:
            self.abandoned = True
            handle, self._handle = self._handle, None
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.shutdown(socket.SHUT_RDWR)
            handle.close()

    def missed(self) -> str:
        """The deadline this opening missed, for the log and the ledger."""
        if self.step == "connect":
            return f"accepted no connection within {self.timeout:g} seconds"
        if self.step == "greeting":
            return f"gave no greeting within {self.timeout:g} seconds"
        if self.step == "TLS":
            return f"did not finish the TLS handshake within {self.timeout:g} seconds"
        return f"did not answer {self.step} within {self.timeout:g} seconds"


class _Connection:
    """One connection to one server, opened lazily and reused for many messages."""

    def __init__(self, transport: SmtpTransport, server: _Server) -> None:
        self.transport = transport
        self.server = server
        self.target = server.target
        self.limiter = server.limiter
        self.rests_until = 0.0  # after a failed opening, not tried again before this
        self.state = "idle"  # waiting, opening, envelope, text, rset; quit when closing
        self.transaction: _Transaction | None = None
        self.smtp: smtplib.SMTP | None = None
        self.sock: socket.socket | None = None
        self.pipelining = False
        self.reused = False
        self.commands: list[bytes] = []  # envelope commands not yet sent (lock-step)
        self.replies: list[Reply] = []
        self.verdict: Result | None = None  # the outcome to report once RSET is answered
        self.opening: _Opening | None = None  # while state is "opening"
        self.deadline = 0.0
        self._inbox = bytearray()
        self._lines: list[bytes] = []  # of a multi-line reply
        self._outbox = memoryview(b"")

    # -- starting a message -----------------------------------------------------------

    def begin(self, transaction: _Transaction, now: float) -> None:
        self.transaction = transaction
        start = max(now + self.limiter.reserve(), self.rests_until)
        if start > now:
            self.state = "waiting"
            self.transport._wait_until(self, start)
        else:
            self.go(now)

    def go(self, now: float) -> None:
        """Start the transaction: on this connection if it is open, else once it is."""
        if self.transaction is None:
            return  # the timer of a transaction that ended meanwhile (its server was given up)
        if self.server.down is not None:
            self._report(self.transport._down_outcome(self.server))
        elif self.sock is None:
            self.state = "opening"
            self.reused = False
            self.opening = self.transport._open_later(self)
        else:
            self.reused = True
            self._envelope(now)

    def on_opened(
        self, opened: smtplib.SMTP | BaseException, opening: _Opening, now: float
    ) -> None:
        if isinstance(opened, PublisherError):
            self._report(opened)
        elif isinstance(opened, TimeoutError):
            # A read that timed out missed its step's deadline all the same.
            self.transport._give_up(self.server, opening.missed())
        elif isinstance(opened, BaseException):
            self.rests_until = now + RECONNECT_DELAY
            self._report(
                Result(Outcome.DEFERRED, f"cannot connect to {self.target}: {_describe(opened)}")
                if isinstance(opened, _LOST)
                else opened
            )
        else:
            sock = opened.sock
            assert sock is not None  # an opened connection has its socket
            self.smtp, self.sock = opened, sock
            sock.setblocking(False)
            self.pipelining = opened.has_extn("pipelining")
            self.transport._selector.register(sock, selectors.EVENT_READ, self)
            self._envelope(now)

    def _envelope(self, now: float) -> None:
        transaction, smtp = self.transaction, self.smtp
        assert transaction is not None and smtp is not None
        sender, recipient = transaction.sender, transaction.recipient
        options = ""
        if not (sender.isascii() and recipient.isascii()):
            if not smtp.has_extn("smtputf8"):
                self._report(
                    Result(Outcome.FAILED, f"{self.target} cannot take non-ASCII addresses")
                )
                return
            options += " SMTPUTF8"
        if not transaction.message.isascii() and smtp.has_extn("8bitmime"):
            options += " BODY=8BITMIME"
        encoding = "utf-8" if "SMTPUTF8" in options else "ascii"
        commands = [f"MAIL FROM:<{sender}>{options}\r\n", f"RCPT TO:<{recipient}>\r\n", "DATA\r\n"]
        try:
            self.commands = [c.encode(encoding) for c in commands]
        except UnicodeEncodeError:
            self._report(Result(Outcome.FAILED, f"not sent: {recipient!r} cannot be encoded"))
            return
        self.replies = []
        self.state = "envelope"
        self.deadline = now + self.target.timeout
        # Pipelining saves two round trips per message; in lock-step, one command at a time.
        self._write(b"".join(self.commands) if self.pipelining else self.commands[0])

    # -- socket events ----------------------------------------------------------------

    def on_ready(self, mask: int) -> None:
        # Either direction may be what a TLS socket was waiting for (a TLS read can
        # need a write and the other way round), so both are tried on any event.
        try:
            if self._outbox:
                self._flush()
            if self.sock is not None:
                self._receive()
        except _LOST as e:
            self._lost(_describe(e))
        except _ProtocolError as e:
            self._lost(str(e))

    def check_timeout(self, now: float) -> None:
        if self.state == "opening":
            assert self.opening is not None
            if now > self.opening.deadline:
                self.transport._give_up(self.server, self.opening.missed())
        elif self.state in ("envelope", "text", "rset") and now > self.deadline:
            if self.state == "envelope" and not self.reused:
                # A fresh connection, no text sent: the server itself is stuck.
                step = _ENVELOPE_STEPS[min(len(self.replies), 2)]
                why = f"did not answer {step} within {self.target.timeout:g} seconds"
                self.transport._give_up(self.server, why)
            else:
                self._lost(f"no reply within {self.target.timeout:g} seconds")

    def stop_for_good(self) -> None:
        """The server is given up: end what this connection does, unless the text went out."""
        if self.state in ("text", "rset"):
            return  # ends by itself, by a reply or its deadline
        self.abandon_opening()
        self.close()
        if self.transaction is not None:
            self._report(self.transport._down_outcome(self.server))

    def abandon_opening(self) -> None:
        """Stop waiting for the helper thread opening this connection, if one is."""
        opening, self.opening = self.opening, None
        if opening is not None:
            opening.abandon()

    def _write(self, data: bytes) -> None:
        self._outbox = memoryview(data)
        try:
            self._flush()
        except _LOST as e:
            self._lost(_describe(e))

    def _flush(self) -> None:
        assert self.sock is not None
        while self._outbox:
            try:
                sent = self.sock.send(self._outbox)
            except (BlockingIOError, ssl.SSLWantWriteError):
                self._watch(selectors.EVENT_READ | selectors.EVENT_WRITE)
                return
            except ssl.SSLWantReadError:
                self._watch(selectors.EVENT_READ)  # resumed on the next read event
                return
            self._outbox = self._outbox[sent:]
        self._watch(selectors.EVENT_READ)

    def _watch(self, events: int) -> None:
        key = self.transport._selector.get_key(self.sock)  # type: ignore[arg-type]
        if key.events != events:
            self.transport._selector.modify(self.sock, events, self)  # type: ignore[arg-type]

    def _receive(self) -> None:
        assert self.sock is not None
        while True:
            try:
                data = self.sock.recv(65536)
            except (BlockingIOError, ssl.SSLWantReadError):
                return
            except ssl.SSLWantWriteError:
                self._watch(selectors.EVENT_READ | selectors.EVENT_WRITE)
                return
            if not data:
                raise ConnectionResetError("the server closed the connection")
            self._inbox += data
            self._replies_in()
            if self.sock is None or not (
                isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()
            ):
                return  # more would only come after another readiness event

    def _replies_in(self) -> None:
        """Take each complete reply line off the input and act on whole replies."""
        while self.sock is not None:
            end = self._inbox.find(b"\n")
            if end < 0:
                if len(self._inbox) > _MAX_LINE:
                    raise _ProtocolError("the server sent an overlong line")
                return
            line = bytes(self._inbox[:end]).rstrip(b"\r")
            del self._inbox[: end + 1]
            code = line[:3]
            if not _REPLY_CODE.fullmatch(line[:4]) or len(line) > _MAX_LINE:
                raise _ProtocolError(f"the server's reply is not SMTP: {line[:80]!r}")
            self._lines.append(line[4:].strip())
            if line[3:4] != b"-":
                lines, self._lines = self._lines, []
                self._on_reply((int(code), b"\n".join(lines)))

    # -- the transaction ------------------------------------------------------------

    def _on_reply(self, reply: Reply) -> None:
        now = time.monotonic()
        self.deadline = now + self.target.timeout
        if self.state == "envelope":
            self.replies.append(reply)
            if not self.pipelining and len(self.replies) < 3:
                if reply[0] < 400:
                    self._write(self.commands[len(self.replies)])
                    return
                # In lock-step the first refusal ends the exchange.
                self.replies += [(503, b"not sent")] * (3 - len(self.replies))
            if len(self.replies) == 3:
                self._envelope_answered()
        elif self.state == "text":
            self._text_answered(reply)
        elif self.state == "rset":
            verdict, self.verdict = self.verdict, None
            assert verdict is not None
            self._report(verdict)
        else:
            # The reply to QUIT, or one to nothing (a server timing an idle connection
            # out says 421 first): either way the connection is done.
            self.close()

    def _envelope_answered(self) -> None:
        transaction = self.transaction
        assert transaction is not None
        (code, reply), (rcpt, rcpt_reply), (data, data_reply) = self.replies
        closing = next((r for r in self.replies if r[0] == 421), None)
        if closing is not None:
            self.close()
            # A server that closes idle connections often says 421 to the next command.
            if code != 421 or not self._try_afresh():
                self._report(Result(Outcome.DEFERRED, _reply(*closing)))
            return
        if data == 354 and (code >= 300 or rcpt >= 300):
            # A server that opened DATA after refusing the envelope: the only safe
            # way out is to hang up, since anything we send now is message text.
            self.close()
        if code >= 500:
            self.close()
            self._report(
                _refused(self.target, f"refuses the sender {transaction.sender}", code, reply)
            )
        elif code >= 300:
            self._abort(Result(Outcome.DEFERRED, _reply(code, reply)))
        elif rcpt >= 300:
            self._abort(Result(_outcome(rcpt), _reply(rcpt, rcpt_reply)))
        elif data != 354:
            self._abort(Result(_outcome(data), _reply(data, data_reply)))
        else:
            self.state = "text"
            self._write(_dot_stuffed(transaction.message) + b".\r\n")

    def _text_answered(self, reply: Reply) -> None:
        code = reply[0]
        if code == 421 or self._outbox:
            # A reply before all the text was written (a server refusing an oversize
            # message early): the rest would be read as the next commands. Hang up.
            self.close()
        text = _reply(*reply)
        if code >= 300:
            # After the final dot the transaction is over either way: no RSET needed.
            self._report(Result(_outcome(code), text))
        else:
            self._report(Result(Outcome.SENT, text, queue_id(text)))

    def _abort(self, verdict: Result) -> None:
        """End a refused transaction with RSET so the connection can carry the next one."""
        if self.sock is None:
            self._report(verdict)
            return
        self.verdict = verdict
        self.state = "rset"
        self._write(b"RSET\r\n")

    def _lost(self, why: str) -> None:
        """The connection failed: what that means depends on how far the message got."""
        state, transaction, verdict = self.state, self.transaction, self.verdict
        self.close()
        if transaction is None or state not in ("envelope", "text", "rset"):
            return  # nothing in flight on it (the server closed it idle): reopened when next used
        if state == "rset":
            assert verdict is not None
            self._report(verdict)
        elif state == "envelope":
            if self._try_afresh():
                return
            self.rests_until = time.monotonic() + RECONNECT_DELAY
            self._report(Result(Outcome.DEFERRED, f"{self.target} closed the connection: {why}"))
        else:
            self._report(Result(Outcome.DEFERRED, f"connection to {self.target} lost: {why}"))

    def _try_afresh(self) -> bool:
        """Start the transaction again on a new connection if the old one went stale.

        Only while nothing of the message itself was sent, so trying again cannot
        double it; and only once, for a connection that had been idle, which the
        server may simply have closed meanwhile.
        """
        transaction = self.transaction
        assert transaction is not None
        if not self.reused or transaction.retried:
            return False
        transaction.retried = True
        self.go(time.monotonic())
        return True

    def _report(self, outcome: Result | BaseException) -> None:
        transaction, self.transaction = self.transaction, None
        assert transaction is not None
        self.state = "idle"
        self.transport._finish(self, transaction.tag, outcome)

    def say_quit(self) -> bool:
        """Say QUIT if the connection is open and idle; whether a reply is now awaited."""
        if self.sock is None or self.state != "idle":
            return False
        self.state = "quit"
        self._write(b"QUIT\r\n")
        return self.sock is not None

    def close(self) -> None:
        """Close the connection at once, whatever it was doing."""
        smtp, sock = self.smtp, self.sock
        self.smtp = self.sock = None
        if self.state == "quit":
            self.state = "idle"
        self._inbox.clear()
        self._lines.clear()
        self._outbox = memoryview(b"")
        if smtp is None or sock is None:
            return
        with contextlib.suppress(KeyError, ValueError):
            self.transport._selector.unregister(sock)
        smtp.close()


class _ProtocolError(Exception):
    """The server said something that is not an SMTP reply: the connection is unusable."""


class _WatchedSMTP(smtplib.SMTP):
    """smtplib's client reporting each step of the setup to its ``_Opening``.

    Implicit TLS is set up here rather than by ``SMTP_SSL``, so that the socket
    is attached, and can be shut, before the TLS handshake starts.
    """

    def __init__(self, target: SmtpTarget, opening: _Opening) -> None:
        self._target, self._opening = target, opening
        super().__init__(
            target.host, target.port, local_hostname=_helo(target), timeout=target.timeout
        )

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((host, port), timeout, self.source_address)
        self._opening.attach(sock)
        if self._target.tls == "implicit":
            self._opening.begin("TLS")
            sock = _tls_context(self._target.verify).wrap_socket(sock, server_hostname=host)
        self._opening.begin("greeting")
        return sock

    def putcmd(self, cmd: str, args: str = "") -> None:
        word = cmd.split(" ", 1)[0].upper()
        self._opening.begin(word if word in _SETUP_STEPS else self._opening.step)
        super().putcmd(cmd, args)

    def getreply(self) -> tuple[int, bytes]:
        reply = super().getreply()
        if self._opening.step == "STARTTLS" and reply[0] == 220:
            self._opening.begin("TLS")  # the handshake, a step of its own
        return reply


def _open(target: SmtpTarget, opening: _Opening) -> smtplib.SMTP:
    """A connection to ``target``, greeted, with TLS and login as configured (blocking)."""
    try:
        smtp = _WatchedSMTP(target, opening)
        try:
            _greet(target, smtp)
        except BaseException:
            smtp.close()
            raise
    except smtplib.SMTPConnectError as e:
        if e.smtp_code >= 500:
            raise _refused(target, "refuses connections", e.smtp_code, e.smtp_error) from e
        raise ConnectionError(_reply(e.smtp_code, e.smtp_error)) from e
    except ssl.SSLCertVerificationError as e:
        raise DeliveryError(
            f"the TLS certificate of {target} cannot be trusted: {e.verify_message}",
            "fix the server's certificate, or add verify=0 to the URL for a test server",
        ) from e
    return smtp


def _greet(target: SmtpTarget, smtp: smtplib.SMTP) -> None:
    code, reply = smtp.ehlo()
    if code >= 500:
        code, reply = smtp.helo()
    if code >= 500:
        raise _refused(target, "refuses our greeting", code, reply)
    if code >= 400:
        raise ConnectionError(_reply(code, reply))
    if target.tls == "starttls":
        if not smtp.has_extn("starttls"):
            raise DeliveryError(
                f"{target} does not offer STARTTLS", "use smtps:// or drop starttls=1"
            )
        try:
            smtp.starttls(context=_tls_context(target.verify))
        except smtplib.SMTPResponseException as e:
            raise _setup_refused(target, "refuses STARTTLS", e) from e
        smtp.ehlo()
    if target.username is not None:
        try:
            smtp.login(target.username, target.password or "")
        except smtplib.SMTPResponseException as e:  # the login itself, refused
            raise _setup_refused(target, "refuses our login", e) from e
        except smtplib.SMTPNotSupportedError as e:
            raise DeliveryError(
                f"{target} does not offer login", "remove user:password from the URL"
            ) from e
        except smtplib.SMTPException as e:  # no mechanism both sides know
            raise DeliveryError(
                f"{target} offers no login method we know ({e})",
                "use a server or port that offers AUTH PLAIN or LOGIN",
            ) from e


def _setup_refused(
    target: SmtpTarget, what: str, error: smtplib.SMTPResponseException
) -> BaseException:
    """A refusal while setting a connection up: for now (4xx, tried again later) or for good."""
    if error.smtp_code < 500:
        return ConnectionError(_reply(error.smtp_code, error.smtp_error))
    return _refused(target, what, error.smtp_code, error.smtp_error)


def _dot_stuffed(message: bytes) -> bytes:
    """The message for DATA: CRLF-terminated, a dot doubled at the start of any line."""
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    if _starts_a_line_with_dot(message):
        message = _LEADING_DOT.sub(b"..", message)
    return message


def _starts_a_line_with_dot(message: bytes) -> bool:
    # Looking for the dots (memchr: a few in the headers, none in base64) and then
    # at the byte before each is several times faster than searching for b"\n.".
    at = message.find(b".")
    while at >= 0:
        if at == 0 or message[at - 1] == 0x0A:
            return True
        at = message.find(b".", at + 1)
    return False


def queue_id(reply: str) -> str | None:
    """The queue id in a 250 reply to DATA, in the forms common servers use."""
    match = _QUEUE_ID.search(reply.partition(" ")[2])
    if match is None:
        return None
    return next(group for group in match.groups() if group)


def _outcome(code: int) -> Outcome:
    return Outcome.FAILED if code >= 500 else Outcome.DEFERRED


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())}"


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


def _refused(target: SmtpTarget, what: str, code: int, reply: bytes | str) -> DeliveryError:
    return DeliveryError(f"{target} {what}: {_reply(code, reply)}", _SMTP_HINT)


@functools.cache
def _default_helo() -> str:
    # smtplib would look the name up again for every connection; once is enough.
    return socket.getfqdn()


def _helo(target: SmtpTarget) -> str:
    return target.helo or _default_helo()


def _tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
