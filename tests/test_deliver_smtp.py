"""Delivery over real SMTP (aiosmtpd on loopback): headers and parts, and every kind of fault.

Each server counts what it accepted; "none doubled" is checked there, not in
the ledger, because the ledger could be wrong in exactly the way we test for.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from email.header import decode_header, make_header
from typing import BinaryIO

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.deliver.ledger import Ledger
from publisher.deliver.service import send_issue, send_test
from publisher.deliver.smtp import SmtpTransport
from publisher.deliver.transport import Outcome
from publisher.deliver.urls import SmtpTarget
from publisher.errors import DeliveryError
from publisher.ingest import ingest_files
from subscribers.model import NewSubscriber

from .conftest import SAMPLE
from .smtp import GoodbyeController, Recorder, free_port, raw_server, smtp_server
from .stuck_smtp import (
    HangsAfterEhlo,
    SilentAfterStarttls,
    StuckServer,
    TricklingGreeting,
    TricklingHandshake,
)

FAST_RETRIES = {
    "PUBLISHER_DELIVERY_RETRY_SECONDS": "0.05",
    "PUBLISHER_DELIVERY_RETRY_MAX_SECONDS": "0.2",
    "PUBLISHER_DELIVERY_WAIT_SECONDS": "10",
    "PUBLISHER_EMAIL_FROM_ADDRESS": "newsletter@xinjimo.cn",
    "PUBLISHER_SITE_BASE_URL": "https://news.xinjimo.cn/",
}

MakeApp = Callable[..., Publisher]


@pytest.fixture
def make_app(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeApp]:
    """A publisher with the sample issue stored, ``readers`` subscribers, delivering to ``url``."""
    made: list[Publisher] = []

    def make(url: str, readers: list[NewSubscriber], **settings: str) -> Publisher:
        for key, value in {**FAST_RETRIES, "PUBLISHER_DELIVERY_URL": url, **settings}.items():
            monkeypatch.setenv(key, value)
        app = Publisher(load_settings())
        made.append(app)
        ingest_files(app, [SAMPLE])
        app.subscribers.add_many(readers)
        return app

    yield make
    for app in made:
        app.close()


def readers(count: int, **fields: str) -> list[NewSubscriber]:
    return [NewSubscriber(email=f"reader{i}@example.com", **fields) for i in range(count)]  # type: ignore[arg-type]


def smtp_url(port: int, **options: str | int) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"pool": 4, **options}.items())
    return f"smtp://127.0.0.1:{port}?{query}"


class Faulty(Recorder):
    """A recorder that misbehaves on purpose: ``rcpt``/``data`` return a reply or None (accept)."""

    def __init__(
        self,
        rcpt: Callable[[str, int], str | None] = lambda address, n: None,
        data: Callable[[int], str | None] = lambda n: None,
        drop: Callable[[int], bool] = lambda n: False,
    ) -> None:
        super().__init__()
        self.rcpt_rule, self.data_rule, self.drop_rule = rcpt, data, drop
        self.rcpts: Counter[str] = Counter()
        self.datas = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        with self.lock:
            self.rcpts[address] += 1
            reply = self.rcpt_rule(address, self.rcpts[address])
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.lock:
            self.datas += 1
            n = self.datas
        if self.drop_rule(n):
            # The whole message arrived but the connection dies before any reply:
            # the client cannot know; the server did not take it.
            server.transport.close()
            await asyncio.sleep(0.05)
            return "250 never seen"
        reply = self.data_rule(n)
        if reply:
            return reply
        return await super().handle_DATA(server, session, envelope)


def assert_each_once(handler: Recorder, count: int) -> None:
    per = handler.per_recipient()
    assert set(per) == {f"reader{i}@example.com" for i in range(count)}
    assert set(per.values()) == {1}, f"doubled: {[a for a, n in per.items() if n > 1]}"


def test_every_header_and_both_parts_arrive(make_app: MakeApp) -> None:
    handler = Recorder()
    with smtp_server(handler) as server:
        app = make_app(
            smtp_url(server.port),
            [
                NewSubscriber(email="wang@example.com", name="王小明"),
                NewSubscriber(email="li@example.com", name="Li, Lei", format="text"),
            ],
        )
        report = send_issue(app, 2890)
    assert report.complete and report.counts.sent == 2
    by_to = {m["To"].addresses[0].addr_spec: m for m in handler.messages()}
    wang, li = by_to["wang@example.com"], by_to["li@example.com"]
    assert str(wang["To"]) == "王小明 <wang@example.com>"
    assert str(make_header(decode_header(wang["Subject"]))).startswith("新即墨 第2890期|")
    assert wang["From"].addresses[0].addr_spec == "newsletter@xinjimo.cn"
    assert wang["Date"] and wang["MIME-Version"] == "1.0"
    assert wang["Message-ID"].endswith("@xinjimo.cn>")
    assert wang["Message-ID"] != li["Message-ID"]
    assert "xinjimo.cn" in wang["List-Id"]
    unsubscribe = wang["List-Unsubscribe"]
    assert "<https://news.xinjimo.cn/unsubscribe/" in unsubscribe and "<mailto:" in unsubscribe
    assert wang["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert wang.get_content_type() == "multipart/alternative"
    plain, html = (part.get_content_type() for part in wang.iter_parts())
    assert (plain, html) == ("text/plain", "text/html")
    html_body = wang.get_body(("html",)).get_content()
    link = unsubscribe.split("<", 1)[1].split(">", 1)[0]
    assert link in html_body and "wang@example.com" in html_body  # personalised, own link
    assert li.get_content_type() == "text/plain"  # the text-only preference is honoured
    assert "即墨" in li.get_content()
    rows = {r.email: r for r in Ledger(app.db).problems(report.send.id)}
    assert rows == {}
    sent = Ledger(app.db)
    assert sent.counts(report.send.id).sent == 2


def test_a_server_that_defers_for_a_while_gets_everything_once(make_app: MakeApp) -> None:
    # The first tries of each address are refused for now (451, then 421 at DATA).
    handler = Faulty(
        rcpt=lambda address, n: "451 4.3.0 greylisted, come back" if n == 1 else None,
        data=lambda n: "421 4.3.2 shutting down for a moment" if n <= 3 else None,
    )
    with smtp_server(handler) as server:
        app = make_app(smtp_url(server.port), readers(12))
        report = send_issue(app, 2890)
    assert report.complete and report.counts.sent == 12
    assert_each_once(handler, 12)
    ledger_rows = Ledger(app.db)
    assert ledger_rows.problems(report.send.id) == []


def test_a_permanent_refusal_fails_that_recipient_and_counts_a_bounce(make_app: MakeApp) -> None:
    handler = Faulty(
        rcpt=lambda address, n: "550 5.1.1 no such user" if address.startswith("reader1") else None
    )
    with smtp_server(handler) as server:
        app = make_app(
            smtp_url(server.port), readers(12), PUBLISHER_SUBSCRIBERS_BOUNCE_THRESHOLD="2"
        )
        report = send_issue(app, 2890)
    refused = {"reader1@example.com", "reader10@example.com", "reader11@example.com"}
    assert report.complete
    assert (report.counts.sent, report.counts.failed) == (9, 3)
    problems = Ledger(app.db).problems(report.send.id)
    assert {p.email for p in problems} == refused
    assert all(p.status == "failed" and p.last_reply.startswith("550 5.1.1") for p in problems)
    assert all(handler.rcpts[address] == 1 for address in refused)  # never retried
    assert set(handler.per_recipient()) == {f"reader{i}@example.com" for i in range(12)} - refused
    bounced = app.subscribers.get_by_email("reader1@example.com")
    assert (bounced.hard_bounces, bounced.status) == (1, "active")  # threshold is 2


def test_a_connection_dropped_during_data_is_retried_and_not_doubled(make_app: MakeApp) -> None:
    handler = Faulty(drop=lambda n: n in (2, 5))
    with smtp_server(handler) as server:
        app = make_app(smtp_url(server.port, pool=2), readers(8))
        report = send_issue(app, 2890)
    assert report.complete and report.counts.sent == 8
    assert_each_once(handler, 8)


def test_a_recipient_deferred_past_the_lifetime_fails_without_a_bounce(make_app: MakeApp) -> None:
    handler = Faulty(
        rcpt=lambda address, n: (
            "452 4.2.2 mailbox full" if address == "reader0@example.com" else None
        )
    )
    with smtp_server(handler) as server:
        app = make_app(smtp_url(server.port), readers(3), PUBLISHER_DELIVERY_LIFETIME_SECONDS="1.5")
        report = send_issue(app, 2890)
    assert report.complete and (report.counts.sent, report.counts.failed) == (2, 1)
    (problem,) = Ledger(app.db).problems(report.send.id)
    # Retried until the lifetime ran out (how often depends on the machine's speed).
    assert problem.last_reply.startswith(f"gave up after {problem.attempts} attempts")
    assert app.subscribers.get_by_email("reader0@example.com").hard_bounces == 0


def test_mail_is_spread_over_several_servers(make_app: MakeApp) -> None:
    first, second = Recorder(delay=0.01), Recorder(delay=0.01)
    with smtp_server(first) as a, smtp_server(second) as b:
        app = make_app(f"{smtp_url(a.port, pool=2)} {smtp_url(b.port, pool=2)}", readers(20))
        report = send_issue(app, 2890)
    assert report.complete
    assert first.received and second.received
    total = first.per_recipient() + second.per_recipient()
    assert set(total.values()) == {1} and len(total) == 20


def test_a_refused_login_stops_the_send_and_loses_nobody(
    make_app: MakeApp, tls: ssl.SSLContext
) -> None:
    with smtp_server(Recorder(), **auth_server(tls)) as server:
        app = make_app(
            f"smtp://editor:wrong@127.0.0.1:{server.port}?starttls=1&verify=0&pool=2", readers(3)
        )
        with pytest.raises(DeliveryError, match="refuses our login"):
            send_issue(app, 2890)
    (send,) = Ledger(app.db).unfinished_sends()
    assert Ledger(app.db).counts(send.id).queued == 3
    assert "refuses our login" in (send.last_error or "")
    assert app.subscribers.get_by_email("reader0@example.com").hard_bounces == 0


def test_starttls_with_login(make_app: MakeApp, tls: ssl.SSLContext) -> None:
    handler = Recorder()
    with smtp_server(handler, **auth_server(tls)) as server:
        app = make_app(
            f"smtp://editor:s%3Acret@127.0.0.1:{server.port}?starttls=1&verify=0", readers(5)
        )
        report = send_issue(app, 2890)
    assert report.complete
    assert_each_once(handler, 5)


def test_an_untrusted_certificate_is_refused(make_app: MakeApp, tls: ssl.SSLContext) -> None:
    with smtp_server(Recorder(), **auth_server(tls)) as server:
        app = make_app(f"smtp://editor:x@127.0.0.1:{server.port}?starttls=1", readers(1))
        with pytest.raises(DeliveryError, match="cannot be trusted"):
            send_issue(app, 2890)


def test_implicit_tls(make_app: MakeApp, tls: ssl.SSLContext) -> None:
    handler = Recorder()
    with smtp_server(handler, ssl_context=tls) as server:
        app = make_app(f"smtps://127.0.0.1:{server.port}?verify=0&pool=2", readers(4))
        report = send_issue(app, 2890)
    assert report.complete
    assert_each_once(handler, 4)


def test_a_test_message_goes_to_anyone_and_leaves_no_ledger(make_app: MakeApp) -> None:
    handler = Recorder()
    with smtp_server(handler) as server:
        app = make_app(smtp_url(server.port), readers(2))
        result = send_test(app, 2890, "Editor@Example.org")
    assert result.outcome == Outcome.SENT and result.queue_id == "TEST"
    assert list(handler.per_recipient()) == ["Editor@example.org"]
    assert Ledger(app.db).unfinished_sends() == []


def test_someone_who_left_after_the_send_began_is_skipped(make_app: MakeApp) -> None:
    from publisher.deliver.service import begin_send, issue_digest, run_send

    handler = Recorder()
    with smtp_server(handler) as server:
        app = make_app(smtp_url(server.port), readers(3))
        send, _ = begin_send(app, 2890)
        app.subscribers.remove("reader1@example.com")
        counts = run_send(app, send, issue_digest(app, 2890))
    assert (counts.sent, counts.skipped) == (2, 1)
    assert "reader1@example.com" not in handler.per_recipient()


# -- TLS and login on the test server -------------------------------------------------


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A server-side TLS context with a fresh self-signed certificate."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def auth_server(tls: ssl.SSLContext) -> dict[str, object]:
    """Controller options for a submission server: STARTTLS required, then LOGIN/PLAIN."""

    def authenticate(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"editor",
            b"s:cret",
        )
        return AuthResult(success=ok, handled=False)

    return {
        "tls_context": tls,
        "require_starttls": True,
        "authenticator": authenticate,
        "auth_required": True,
        "auth_require_tls": True,
    }


class Pipelining(Faulty):
    """A faulty server that offers PIPELINING (RFC 2920), as Postfix does."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


def test_pipelined_commands_are_classified_like_lock_step_ones(make_app: MakeApp) -> None:
    handler = Pipelining(
        rcpt=lambda address, n: (
            "550 5.1.1 no such user"
            if address == "reader1@example.com"
            else "451 4.3.0 try again"
            if n == 1 and address == "reader2@example.com"
            else None
        ),
        data=lambda n: "452 4.3.1 insufficient storage" if n == 3 else None,
    )
    with smtp_server(handler) as server:
        app = make_app(smtp_url(server.port, pool=2), readers(6))
        report = send_issue(app, 2890)
    assert report.complete and (report.counts.sent, report.counts.failed) == (5, 1)
    assert "reader1@example.com" not in handler.per_recipient()
    per = handler.per_recipient()
    assert len(per) == 5 and set(per.values()) == {1}
    (failed,) = Ledger(app.db).problems(report.send.id)
    assert failed.email == "reader1@example.com" and failed.last_reply.startswith("550")


# -- the connection driver itself, one message at a time ------------------------------


def transport_to(port: int, **options: object) -> SmtpTransport:
    return SmtpTransport([SmtpTarget(host="127.0.0.1", port=port, **options)])  # type: ignore[arg-type]


def raw_message(body: bytes) -> bytes:
    return b"From: a@example.cn\r\nTo: b@example.com\r\nSubject: raw\r\n\r\n" + body


def test_lines_that_begin_with_a_dot_arrive_intact() -> None:
    handler = Recorder()
    message = raw_message(b".hidden\r\n..two\r\n.\r\nlast line without an end")
    with smtp_server(handler) as server:
        transport = transport_to(server.port)
        try:
            result = transport.send(message, "a@example.cn", "b@example.com")
        finally:
            transport.close()
    assert result.outcome == Outcome.SENT and result.queue_id == "TEST"
    ((_, received),) = handler.received
    assert received == message + b"\r\n"  # only the missing line end was added


def test_a_message_larger_than_the_socket_buffers_is_written_whole() -> None:
    handler = Recorder()
    line = b"".join(bytes([65 + i % 26]) * 76 + b"\r\n" for i in range(26))
    message = raw_message(line * 2000)  # about 4 MB: many partial writes
    with smtp_server(handler, data_size_limit=0) as server:
        transport = transport_to(server.port)
        try:
            result = transport.send(message, "a@example.cn", "b@example.com")
        finally:
            transport.close()
    assert result.outcome == Outcome.SENT
    assert handler.received[0][1] == message


def test_a_server_that_stops_answering_defers_after_the_timeout() -> None:
    with smtp_server(Recorder(delay=3)) as server:
        transport = transport_to(server.port, timeout=0.5)
        started = time.monotonic()
        try:
            result = transport.send(raw_message(b"hello\r\n"), "a@example.cn", "b@example.com")
        finally:
            transport.close()
    assert result.outcome == Outcome.DEFERRED and "no reply within 0.5 seconds" in result.reply
    assert time.monotonic() - started < 2.5  # given up on, not waited out


@pytest.mark.parametrize("controller", [Controller, GoodbyeController], ids=["silent", "says-421"])
def test_a_connection_the_server_closed_while_idle_is_replaced_unnoticed(
    controller: type[Controller],
) -> None:
    handler = Recorder()
    # The server hangs up after 0.3 seconds without a command (saying 421 first, or not);
    # the client only finds out when it starts the next message.
    with smtp_server(handler, controller=controller, timeout=0.3) as server:
        transport = transport_to(server.port, pool=1)
        try:
            first = transport.send(raw_message(b"one\r\n"), "a@example.cn", "one@example.com")
            time.sleep(0.6)
            second = transport.send(raw_message(b"two\r\n"), "a@example.cn", "two@example.com")
        finally:
            transport.close()
    assert (first.outcome, second.outcome) == (Outcome.SENT, Outcome.SENT), second.reply
    assert handler.per_recipient() == Counter({"one@example.com": 1, "two@example.com": 1})


def test_the_rate_limit_spaces_the_messages_of_a_send(make_app: MakeApp) -> None:
    handler = Recorder()
    with smtp_server(handler) as server:
        app = make_app(smtp_url(server.port, pool=4, rate=20), readers(6))
        started = time.monotonic()
        report = send_issue(app, 2890)
        elapsed = time.monotonic() - started
    assert report.complete and report.counts.sent == 6
    assert elapsed >= 5 / 20  # six messages at 20 a second: five gaps of 50 ms at least


def test_a_server_that_is_down_leaves_the_mail_to_the_others(make_app: MakeApp) -> None:
    handler = Recorder()
    with smtp_server(handler) as server:
        down = free_port()  # nobody listens: every connection is refused at once
        app = make_app(f"{smtp_url(down, pool=2)} {smtp_url(server.port, pool=2)}", readers(10))
        report = send_issue(app, 2890)
    assert report.complete and report.counts.sent == 10
    assert_each_once(handler, 10)


def conversation(
    connection: socket.socket,
    ehlo: bytes = b"250 test\r\n",
    lines: BinaryIO | None = None,
    **answers: bytes,
) -> Iterator[bytes]:
    """Greet, then yield each command line the client sends after answering it.

    ``answers`` maps a verb (MAIL, STARTTLS, ...) to its reply; others get 250,
    DATA gets 354 and QUIT ends the conversation. A caller that reads the
    message text itself passes its ``lines``: a second reader would swallow
    the commands a client pipelines right after the text.
    """
    lines = lines or connection.makefile("rb")
    connection.sendall(b"220 test\r\n")
    while line := lines.readline():
        verb = line.split()[0].upper().decode() if line.strip() else ""
        if verb == "QUIT":
            connection.sendall(b"221 bye\r\n")
            return
        default = ehlo if verb == "EHLO" else b"354 go on\r\n" if verb == "DATA" else b"250 ok\r\n"
        connection.sendall(answers.get(verb, default))
        yield line


def test_a_refusal_before_the_text_is_all_written_ends_that_connection() -> None:
    commands: list[bytes] = []

    def refuses_big_messages_early(connection: socket.socket) -> None:
        lines = connection.makefile("rb")
        for line in conversation(connection, lines=lines):
            commands.append(line)
            if line.startswith(b"DATA"):
                size, refused = 0, False
                while (text := lines.readline()) != b".\r\n":
                    size += len(text)
                    if not text:
                        return
                    if size > 100_000 and not refused:
                        connection.sendall(b"552 5.3.4 message too big\r\n")
                        refused = True
                if not refused:
                    connection.sendall(b"250 ok\r\n")

    big = raw_message(b"".join(b"x" * 998 + b"\r\n" for _ in range(8000)))  # 8 MB
    with raw_server(refuses_big_messages_early) as port:
        transport = transport_to(port, pool=1, timeout=5)
        try:
            started = time.monotonic()
            refused = transport.send(big, "a@example.cn", "big@example.com")
            sent = transport.send(raw_message(b"small\r\n"), "a@example.cn", "small@example.com")
            elapsed = time.monotonic() - started
        finally:
            transport.close()
    assert refused.outcome == Outcome.FAILED and refused.reply.startswith("552 5.3.4")
    assert sent.outcome == Outcome.SENT
    # The rest of the big text was not taken for the next commands: no wait for a timeout.
    assert elapsed < 3
    assert [c.split(b":")[0] for c in commands].count(b"MAIL FROM") == 2


@pytest.mark.parametrize(
    ("ehlo", "answers", "url", "words"),
    [
        (
            b"250-test\r\n250 STARTTLS\r\n",
            {"STARTTLS": b"502 5.5.1 TLS not available\r\n"},
            {"tls": "starttls"},
            "refuses STARTTLS: 502",
        ),
        (
            b"250-test\r\n250 AUTH GSSAPI\r\n",
            {},
            {"username": "editor", "password": "s:cret"},
            "offers no login method we know",
        ),
    ],
    ids=["starttls-refused", "no-common-login"],
)
def test_a_server_set_up_differently_from_the_url_stops_the_send(
    ehlo: bytes, answers: dict[str, bytes], url: dict[str, str], words: str
) -> None:
    def session(connection: socket.socket) -> None:
        for _ in conversation(connection, ehlo, **answers):
            pass

    with raw_server(session) as port:
        transport = transport_to(port, **url)
        try:
            with pytest.raises(DeliveryError, match=words):
                transport.send(raw_message(b"hi\r\n"), "a@example.cn", "b@example.com")
        finally:
            transport.close()


@pytest.mark.parametrize("reply", [b"199 hmm\r\n", b"25\r\n", b"ok\r\n"])
def test_a_reply_that_is_not_smtp_is_never_taken_for_success(reply: bytes) -> None:
    def session(connection: socket.socket) -> None:
        lines = connection.makefile("rb")
        for line in conversation(connection, lines=lines):
            if line.startswith(b"DATA"):
                while lines.readline() not in (b".\r\n", b""):
                    pass
                connection.sendall(reply)

    with raw_server(session) as port:
        transport = transport_to(port)
        try:
            result = transport.send(raw_message(b"hi\r\n"), "a@example.cn", "b@example.com")
        finally:
            transport.close()
    assert result.outcome == Outcome.DEFERRED and "not SMTP" in result.reply


def test_a_server_that_never_greets_does_not_hold_up_the_others() -> None:
    def silent(connection: socket.socket) -> None:
        time.sleep(5)

    handler = Recorder()
    with raw_server(silent) as hung, smtp_server(handler) as healthy:
        # More connections to the silent server than there used to be threads to open them.
        transport = SmtpTransport(
            [
                SmtpTarget(host="127.0.0.1", port=healthy.port, pool=1, timeout=3),
                SmtpTarget(host="127.0.0.1", port=hung, pool=8, timeout=3),
            ]
        )
        try:
            started = time.monotonic()
            for tag in range(9):
                transport.start(tag, raw_message(b"hi\r\n"), "a@example.cn", f"r{tag}@example.com")
            first = transport.completed(timeout=10)
            elapsed = time.monotonic() - started
        finally:
            transport.close()
    assert [outcome.outcome for _, outcome in first] == [Outcome.SENT]  # type: ignore[union-attr]
    assert elapsed < 2  # not after the silent server's connections gave up
    assert len(handler.received) == 1


def test_closing_does_not_wait_long_for_servers_that_ignore_quit() -> None:
    def ignores_quit(connection: socket.socket) -> None:
        lines = connection.makefile("rb")
        connection.sendall(b"220 test\r\n")
        while line := lines.readline():
            if not line.upper().startswith(b"QUIT"):
                connection.sendall(b"250 ok\r\n")

    with raw_server(ignores_quit) as port:
        transport = transport_to(port, pool=4, timeout=5)
        for tag in range(4):  # open all four connections
            transport.start(tag, raw_message(b"hi\r\n"), "a@example.cn", f"r{tag}@example.com")
        done: list[object] = []
        while len(done) < 4:
            done += transport.completed(timeout=5)
        started = time.monotonic()
        transport.close()
        assert time.monotonic() - started < 2.5  # not 4 x 5 seconds


@pytest.mark.parametrize(
    ("server", "url", "missed"),
    [
        (TricklingGreeting, {}, "gave no greeting within 1 seconds"),
        (
            TricklingHandshake,
            {"tls": "implicit"},
            "did not finish the TLS handshake within 1 seconds",
        ),
        (
            SilentAfterStarttls,
            {"tls": "starttls"},
            "did not finish the TLS handshake within 1 seconds",
        ),
        (HangsAfterEhlo, {}, "did not answer MAIL FROM within 1 seconds"),
    ],
    ids=["trickled-greeting", "trickled-tls", "silent-after-starttls", "hangs-after-ehlo"],
)
def test_a_server_stuck_at_any_step_is_given_up_at_its_deadline(
    server: type[StuckServer], url: dict[str, str], missed: str
) -> None:
    stuck = server()
    with raw_server(stuck) as port:
        transport = transport_to(port, pool=2, timeout=1, **url)
        started = time.monotonic()
        try:
            with pytest.raises(DeliveryError, match=f"{missed}: given up for this run"):
                transport.send(raw_message(b"hi\r\n"), "a@example.cn", "b@example.com")
        finally:
            transport.close()
        # Each read came quickly enough; only a deadline on the whole step ends this.
        assert time.monotonic() - started < 10  # the server would go on for 30
        assert stuck.connections == 1  # the pool's other connection was never tried
        # And the connection is really dropped, not left to a thread still reading it.
        while stuck.open:
            assert time.monotonic() - started < 10, "the connection is still open"
            time.sleep(0.05)


def test_a_server_that_hangs_after_ehlo_is_given_up_once_for_the_whole_send(
    make_app: MakeApp,
) -> None:
    stuck = HangsAfterEhlo()
    with raw_server(stuck) as port:
        app = make_app(smtp_url(port, pool=4, timeout=1), readers(20))
        with pytest.raises(DeliveryError, match="did not answer MAIL FROM within 1 seconds"):
            send_issue(app, 2890)
    # Not connection after connection, each waiting out the same deadline.
    assert stuck.connections <= 4 and stuck.heard(b"MAIL FROM") <= 4
    (send,) = Ledger(app.db).unfinished_sends()
    assert Ledger(app.db).counts(send.id).queued == 20  # nobody lost, nobody deferred
    assert "given up for this run" in (send.last_error or "") and send.lease_owner is None


def test_the_mail_of_a_server_given_up_goes_to_the_others(make_app: MakeApp) -> None:
    # Slow enough that the send outlasts the stuck server's deadline several times.
    handler, stuck = Recorder(delay=0.2), HangsAfterEhlo()
    with raw_server(stuck) as hung, smtp_server(handler) as healthy:
        app = make_app(
            f"{smtp_url(hung, pool=2, timeout=1)} {smtp_url(healthy.port, pool=2)}", readers(30)
        )
        report = send_issue(app, 2890)
    assert report.complete and report.counts.sent == 30
    assert_each_once(handler, 30)
    assert stuck.connections <= 2  # given up once, then left alone
