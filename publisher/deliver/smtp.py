"""SMTP delivery: a pool of long-lived connections to one or more servers.

Each connection sends many messages, one transaction after another; a
connection is used by one thread at a time. Replies are classified for the
ledger: 2xx after DATA is sent, 4xx and any lost connection or timeout is
deferred, 5xx to RCPT or DATA is failed for that recipient. Problems that
would hit every recipient alike (refused login, no TLS, a refused sender)
raise ``DeliveryError`` instead, so that a wrong setting stops the send rather
than bouncing the whole audience.
"""

from __future__ import annotations

import functools
import queue
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Sequence

from publisher.deliver.ratelimit import RateLimiter
from publisher.deliver.transport import Outcome, Result
from publisher.deliver.urls import SmtpTarget
from publisher.errors import DeliveryError

# A connection that could not be opened rests this long before it is tried again,
# so that mail flows to the healthy servers of a list meanwhile.
RECONNECT_DELAY = 1.0

_QUEUE_ID = re.compile(r"queued as ([A-Za-z0-9._-]+)|\bid=([A-Za-z0-9._-]+)|<([^<>\s]+)>")
# smtplib's own errors, timeouts, resets and TLS failures are all OSErrors.
_LOST = OSError
_LEADING_DOT = re.compile(rb"(?m)^\.")
_SMTP_HINT = "check [delivery] url: host, port, TLS mode and credentials"


class SmtpTransport:
    """Sends through a shared pool of connections to one or more SMTP servers."""

    def __init__(self, servers: Sequence[SmtpTarget]) -> None:
        if not servers:
            raise ValueError("at least one SMTP server is needed")
        self._idle: queue.SimpleQueue[_Session] = queue.SimpleQueue()
        self._sessions: list[_Session] = []
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()
        self._closed = False
        for server in servers:
            limiter = RateLimiter(server.rate)
            for _ in range(server.pool):
                session = _Session(server, limiter)
                self._sessions.append(session)
                self._idle.put(session)
        self.description = ", ".join(str(s) for s in servers)

    @property
    def concurrency(self) -> int:
        """One sender thread per pooled connection."""
        return len(self._sessions)

    def send(self, message: bytes, sender: str, recipient: str) -> Result:
        """Send over the next idle connection, opening it if needed."""
        session = self._idle.get()
        try:
            result = session.send(message, sender, recipient)
        except BaseException:
            self._idle.put(session)
            raise
        if session.broken:
            self._park(session)
        else:
            self._idle.put(session)
        return result

    def close(self) -> None:
        """Say QUIT on every open connection."""
        with self._lock:
            self._closed = True
            for timer in self._timers:
                timer.cancel()
        for session in self._sessions:
            session.close()

    def _park(self, session: _Session) -> None:
        with self._lock:
            if self._closed:
                return
            self._timers = [t for t in self._timers if t.is_alive()]
            timer = threading.Timer(RECONNECT_DELAY, self._idle.put, args=(session,))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()


class _Session:
    """One connection to one server, opened lazily and reused for many messages."""

    def __init__(self, target: SmtpTarget, limiter: RateLimiter) -> None:
        self.target = target
        self.limiter = limiter
        self.broken = False  # the last attempt could not even reach the server
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: bytes, sender: str, recipient: str) -> Result:
        self.limiter.wait()
        self.broken = False
        reused = self._smtp is not None
        try:
            smtp = self._open()
        except _LOST as e:
            self.broken = True
            return Result(Outcome.DEFERRED, f"cannot connect to {self.target}: {_describe(e)}")
        try:
            return self._transaction(smtp, message, sender, recipient)
        except _StaleConnection:
            # The server closed an idle connection before we said anything of this
            # message: nothing was delivered, so one fresh try is safe.
            self.close()
            if not reused:
                self.broken = True
                return Result(Outcome.DEFERRED, f"{self.target} closed the connection")
            return self.send(message, sender, recipient)
        except _LOST as e:
            self.close()
            return Result(Outcome.DEFERRED, f"connection to {self.target} lost: {_describe(e)}")

    def _open(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        target = self.target
        try:
            if target.tls == "implicit":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    target.host,
                    target.port,
                    local_hostname=_helo(target),
                    timeout=target.timeout,
                    context=_tls_context(target.verify),
                )
            else:
                smtp = smtplib.SMTP(
                    target.host, target.port, local_hostname=_helo(target), timeout=target.timeout
                )
            try:
                self._greet(smtp)
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
        self._smtp = smtp
        return smtp

    def _greet(self, smtp: smtplib.SMTP) -> None:
        target = self.target
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
            smtp.starttls(context=_tls_context(target.verify))
            smtp.ehlo()
        if target.username is not None:
            try:
                smtp.login(target.username, target.password or "")
            except smtplib.SMTPAuthenticationError as e:
                if e.smtp_code < 500:
                    raise ConnectionError(_reply(e.smtp_code, e.smtp_error)) from e
                raise _refused(target, "refuses our login", e.smtp_code, e.smtp_error) from e
            except smtplib.SMTPNotSupportedError as e:
                raise DeliveryError(
                    f"{target} does not offer login", "remove user:password from the URL"
                ) from e

    def _transaction(
        self, smtp: smtplib.SMTP, message: bytes, sender: str, recipient: str
    ) -> Result:
        options = ""
        if not (sender.isascii() and recipient.isascii()):
            if not smtp.has_extn("smtputf8"):
                return Result(Outcome.FAILED, f"{self.target} cannot take non-ASCII addresses")
            options += " SMTPUTF8"
        if not message.isascii() and smtp.has_extn("8bitmime"):
            options += " BODY=8BITMIME"
        commands = [f"MAIL FROM:<{sender}>{options}", f"RCPT TO:<{recipient}>", "DATA"]
        try:
            replies = _exchange(smtp, commands, pipelined=smtp.has_extn("pipelining"))
        except _LOST as e:
            # Nothing of the message itself was sent yet, so a retry cannot double it.
            raise _StaleConnection from e
        (code, reply), *rest = replies
        if code == 421 or any(c == 421 for c, _ in rest):
            self.close()
            return Result(Outcome.DEFERRED, _reply(*next(r for r in replies if r[0] == 421)))
        if rest[1][0] == 354 and (code >= 300 or rest[0][0] >= 300):
            # A server that opened DATA after refusing the envelope: the only safe
            # way out is to hang up, since anything we send now is message text.
            self.close()
        if code >= 500:
            raise _refused(self.target, f"refuses the sender {sender}", code, reply)
        if code >= 300:
            return self._abort(smtp, Outcome.DEFERRED, code, reply)
        code, reply = rest[0]
        if code >= 300:
            return self._abort(smtp, _outcome(code), code, reply)
        code, reply = rest[1]
        if code != 354:
            return self._abort(smtp, _outcome(code), code, reply)
        smtp.send(_dot_stuffed(message) + b".\r\n")
        code, reply = smtp.getreply()
        if code == 421:
            self.close()
        text = _reply(code, reply)
        if code >= 300:
            # After the final dot the transaction is over either way: no RSET needed.
            return Result(_outcome(code), text)
        return Result(Outcome.SENT, text, queue_id(text))

    def _abort(self, smtp: smtplib.SMTP, outcome: Outcome, code: int, reply: bytes) -> Result:
        """End a refused transaction with RSET so the connection can carry the next one."""
        if code == 421 or self._smtp is None:
            self.close()
        else:
            try:
                smtp.rset()
            except _LOST:
                self.close()
        return Result(outcome, _reply(code, reply))

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except _LOST:
            smtp.close()


def _exchange(
    smtp: smtplib.SMTP, commands: list[str], *, pipelined: bool
) -> list[tuple[int, bytes]]:
    """Send commands and read their replies: all at once if the server pipelines (RFC 2920).

    Pipelining saves two round trips per message. In lock-step, the first
    refusal ends the exchange; the caller reads only the replies it got.
    """
    encoding = "utf-8" if "SMTPUTF8" in commands[0] else "ascii"
    if pipelined:
        smtp.send("".join(f"{c}\r\n" for c in commands).encode(encoding))
        return [smtp.getreply() for _ in commands]
    replies = []
    for command in commands:
        smtp.send(f"{command}\r\n".encode(encoding))
        replies.append(smtp.getreply())
        if replies[-1][0] >= 400:
            break
    return replies + [(503, b"not sent")] * (len(commands) - len(replies))


def _dot_stuffed(message: bytes) -> bytes:
    """The message for DATA: CRLF-terminated, a dot doubled at the start of any line."""
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    if message.startswith(b".") or b"\n." in message:
        message = _LEADING_DOT.sub(b"..", message)
    return message


class _StaleConnection(Exception):
    """A reused connection turned out to be closed before the transaction began."""


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
