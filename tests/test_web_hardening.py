"""The service under hostile requests (issue 15): sessions, body limits, HEAD, odd paths, hosts.

Every test runs a real server (uvicorn on a loopback port) and talks HTTP to it;
the request-limit tests talk raw HTTP over a socket where a client library
would refuse to send what an attacker sends.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.errors import ConfigError
from publisher.render.build import build_all
from publisher.web.accesslog import TokenRedactor
from publisher.web.admin import hash_password
from publisher.web.app import allowed_hosts

from .conftest import EDITOR_PASSWORD
from .live import Live, form_token, live_service
from .outbox import link, messages
from .render_support import issue_text, publish
from .test_web_admin import TIMEOUT, check_upload, log_in
from .test_web_subscribe import subscribe, wait_for_messages


@pytest.fixture
def live(console: Publisher) -> Iterator[Live]:
    with live_service(console) as live:
        yield live


def raw_request(live: Live, head: str, body: bytes = b"") -> tuple[int, bytes]:
    """Send ``head`` (request line and headers, without the blank line) and ``body``; read the answer.

    Returns the status and the whole answer, read until the server closes or 5 s of silence.
    """
    address = urlsplit(live.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode("latin-1") + b"\r\n\r\n" + body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and b"Connection: close" not in answer:
                    break
        except TimeoutError:
            pass
    return int(answer.split(b" ", 2)[1]), answer


# -- 4. sessions end on logout and with a new password ------------------------------------


def test_logout_ends_every_copy_of_the_session(live: Live) -> None:
    with httpx.Client(timeout=TIMEOUT) as editor, httpx.Client(timeout=TIMEOUT) as other:
        assert log_in(editor, live).status_code == 200
        assert log_in(other, live).status_code == 200  # the same editor on another machine
        stolen = dict(editor.cookies)  # a copy of the cookie, as a thief would keep it
        page = editor.get(live.url + "admin")
        assert page.status_code == 200
        out = editor.post(live.url + "admin/logout", data={"csrf_token": form_token(page.text)})
        assert out.status_code == 303
        replayed = httpx.get(live.url + "admin", cookies=stolen)
        assert replayed.status_code == 303 and replayed.headers["location"] == "/admin/login"
        assert other.get(live.url + "admin").status_code == 303  # every session ended
        # Logging in again opens a new session, which works.
        assert log_in(editor, live).status_code == 200
        assert editor.get(live.url + "admin").status_code == 200


def test_a_new_password_ends_the_sessions_of_the_old(
    console: Publisher, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with live_service(console) as live, httpx.Client(timeout=TIMEOUT) as editor:
        assert log_in(editor, live).status_code == 200
        cookie = dict(editor.cookies)
        assert httpx.get(live.url + "admin", cookies=cookie).status_code == 200
    # The operator sets a new password hash and restarts, on the same database and secret.
    monkeypatch.setenv("PUBLISHER_ADMIN_PASSWORD_HASH", hash_password("a new password"))
    restarted = Publisher(load_settings())
    try:
        with live_service(restarted) as live:
            assert httpx.get(live.url + "admin", cookies=cookie).status_code == 303
    finally:
        restarted.close()


# -- 5. request bodies are bounded while they stream in -----------------------------------


def test_an_announced_gigabyte_is_refused_before_one_byte_is_read(live: Live) -> None:
    status, answer = raw_request(
        live,
        "POST /subscribe HTTP/1.1\nHost: 127.0.0.1\n"
        "Content-Type: application/x-www-form-urlencoded\nContent-Length: 1073741824",
    )  # the body never comes: only an answer that does not wait for it can arrive
    assert status == 413, answer


def test_a_form_longer_than_16_kb_is_cut_off_while_streaming(live: Live) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b"email=reader%40example.com&name="
        for _ in range(40):
            yield b"x" * 1024

    with httpx.Client() as client:
        token = form_token(client.get(live.url + "subscribe").text)
        small = client.post(live.url + "subscribe", data={"email": "a", "csrf_token": token})
        assert small.status_code == 400  # an ordinary form is read (and its address refused)
        response = client.post(
            live.url + "subscribe",
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 413
    assert response.headers["connection"] == "close"  # the rest of the body is not read


def test_multipart_is_refused_where_no_file_is_taken(app: Publisher, live: Live) -> None:
    response = httpx.post(
        live.url + "subscribe",
        data={"email": "reader@example.com"},
        files={"junk": ("junk.bin", b"\0" * 1000, "application/octet-stream")},
    )
    assert response.status_code == 415
    assert app.subscribers.find_by_email("reader@example.com") is None


def test_uploads_are_bounded_by_max_upload_mb(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLISHER_ADMIN_PASSWORD_HASH", hash_password(EDITOR_PASSWORD))
    monkeypatch.setenv("PUBLISHER_ADMIN_MAX_UPLOAD_MB", "0.05")  # 52,428 bytes
    small = Publisher(load_settings())
    try:
        with live_service(small) as live, httpx.Client(timeout=TIMEOUT) as client:
            log_in(client, live)
            fits = check_upload(client, live, issue_text(2890, dt.date(2026, 11, 2)).encode())
            assert fits.status_code == 200  # the preview of an issue under the limit
            big = check_upload(client, live, b"x" * 60_000)
            assert big.status_code == 413
            status, _ = raw_request(
                live,
                "POST /admin/upload HTTP/1.1\nHost: 127.0.0.1\n"
                "Content-Type: multipart/form-data; boundary=b\nContent-Length: 104857600",
            )
            assert status == 413
        staged = small.settings.data.dir / "uploads"
        assert len(list(staged.glob("*.upload"))) == 1  # only the upload that fit
    finally:
        small.close()


# -- 7. HEAD never changes anything --------------------------------------------------------


def test_head_with_a_one_click_body_unsubscribes_nobody(app: Publisher, live: Live) -> None:
    subscriber = app.subscribers.add("stays@example.com")
    url = live.local(app.links.url(subscriber, "unsubscribe"))
    response = httpx.request(
        "HEAD",
        url,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200 and response.content == b""
    assert app.subscribers.get(subscriber.id).status == "active"


# -- 8. odd paths are 400 or 404, never 500 ------------------------------------------------


@pytest.mark.parametrize(
    "path", ["%00", "index.html%00.txt", "a" * 300, "x/" + "b" * 1000, "c" * 70_000]
)
def test_odd_paths_are_refused_without_a_traceback(
    live: Live, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        # Raw: a client library refuses to send some of these.
        status, _ = raw_request(live, f"GET /{path} HTTP/1.1\nHost: 127.0.0.1\nConnection: close")
    assert status in (400, 404, 414)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


# -- 9. no soft 404 for feeds --------------------------------------------------------------


def test_feeds_at_the_root_are_404_with_two_publications(app: Publisher, tmp_path: Path) -> None:
    first = tmp_path / "first.md"
    first.write_text(issue_text(2890, dt.date(2026, 11, 2)), encoding="utf-8")
    second = tmp_path / "second.md"
    second.write_text(
        issue_text(17, dt.date(2026, 11, 2)).replace(
            "publication: 新即墨", "publication: 即墨周刊"
        ),
        encoding="utf-8",
    )
    publish(app, first, second)
    assert len(app.archive.publications()) == 2
    with live_service(app) as live:
        response = httpx.get(live.url + "feeds/atom.xml")
        assert response.status_code == 404
        assert "max-age" not in response.headers.get("cache-control", "")
        assert httpx.get(live.url + "feeds/anything").status_code == 404


# -- 10. the access log keeps no tokens ----------------------------------------------------


def test_the_access_log_redacts_signed_link_tokens(
    app: Publisher, live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    subscriber = app.subscribers.add("logged@example.com")
    urls = [live.local(app.links.url(subscriber, p)) for p in ("unsubscribe", "preferences")]
    tokens = [url.rsplit("/", 1)[1] for url in urls]
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        for url in [*urls, live.url + "confirm/" + tokens[0] + "?x=1"]:
            httpx.get(url)
        deadline = time.monotonic() + 10  # uvicorn logs a request after answering it
        while len(_access_lines(caplog)) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
    lines = _access_lines(caplog)
    assert len(lines) == 3, lines
    assert all("[redacted]" in line for line in lines)
    assert not any(token in line for token in tokens for line in lines)


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]


def test_the_redactor_keeps_other_paths_whole() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/xinjimo/2890/confirm.html", "1.1", 200), None,
    )  # fmt: skip
    TokenRedactor().filter(record)
    assert "/xinjimo/2890/confirm.html" in record.getMessage()


# -- 11. confirming takes a press, and an old link cannot undo a later unsubscribe ---------


def test_an_old_confirm_link_does_not_undo_a_later_unsubscribe(app: Publisher, live: Live) -> None:
    with httpx.Client() as client:
        assert subscribe(client, live, "changed.mind@example.com").status_code == 200
    (mail,) = wait_for_messages(app.settings.data.dir, 1)
    confirm_url = live.local(link(mail, "confirm"))
    subscriber = app.subscribers.get_by_email("changed.mind@example.com")
    # Token times are whole seconds: the reader leaves in a later second than the mail was made.
    time.sleep(1.1)
    app.subscribers.unsubscribe_by_token(app.links.url(subscriber, "unsubscribe").rsplit("/")[-1])
    with httpx.Client() as reader:
        assert reader.get(confirm_url).status_code == 404  # dead, so there is no button either
        # A session's form token from another page, as if the button had been shown earlier.
        token = form_token(reader.get(live.url + "subscribe").text)
        pressed = reader.post(confirm_url, data={"csrf_token": token})
    assert pressed.status_code == 404
    assert app.subscribers.get(subscriber.id).status == "unsubscribed"
    assert len(messages(app.settings.data.dir)) == 1


def test_confirming_needs_the_form_token(app: Publisher, live: Live) -> None:
    with httpx.Client() as client:
        subscribe(client, live, "scanned@example.com")
    (mail,) = wait_for_messages(app.settings.data.dir, 1)
    url = live.local(link(mail, "confirm"))
    assert httpx.head(url).status_code == 200  # a scanner's HEAD and GET change nothing
    assert httpx.get(url).status_code == 200
    assert httpx.post(url).status_code == 403  # nor a POST without the page's token
    assert app.subscribers.get_by_email("scanned@example.com").status == "pending"


# -- 15. the Host header is neither trusted nor repeated -----------------------------------


def test_an_unknown_host_is_refused(live: Live) -> None:
    evil = httpx.get(live.url + "admin", headers={"Host": "evil.example"})
    assert evil.status_code == 400
    known = httpx.get(live.url + "admin", headers={"Host": "localhost:8000"})
    assert known.status_code == 303 and known.headers["location"] == "/admin/login"


def test_redirects_never_name_the_host_even_when_any_host_is_allowed(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLISHER_SERVER_ALLOWED_HOSTS", "*")
    anyhost = Publisher(load_settings())
    try:
        with live_service(anyhost) as live:
            response = httpx.get(live.url + "admin", headers={"Host": "evil.example"})
    finally:
        anyhost.close()
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login"


# -- 17. no temporary file outlives its build, and none is served --------------------------


def test_a_killed_builds_temporary_file_is_removed_and_never_served(
    app: Publisher, sample_path: Path
) -> None:
    publish(app, sample_path)
    site = app.settings.site_dir
    left = site / ".index.html.k9x2ab.tmp"  # what write_atomic leaves when killed mid-write
    left.write_text("<p>half a page</p>", encoding="utf-8")
    hour_ago = time.time() - 3600
    os.utime(left, (hour_ago, hour_ago))
    writing = site / ".rss.xml.w7q3zz.tmp"  # another build's write in progress
    writing.write_text("<rss>", encoding="utf-8")
    with live_service(app) as live:
        assert httpx.get(live.url + left.name).status_code == 404
    build_all(app)
    assert not left.exists()
    assert writing.exists()  # young: it may belong to a build still running


@pytest.mark.parametrize("pattern", ["news.*.cn", "*example.cn"])
def test_a_host_pattern_starlette_cannot_match_is_a_config_error(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    monkeypatch.setenv("PUBLISHER_SERVER_ALLOWED_HOSTS", f"news.example.cn {pattern}")
    settings = load_settings()
    with pytest.raises(ConfigError) as raised:
        allowed_hosts(settings)
    assert pattern in raised.value.message and raised.value.hint


def test_allowed_hosts_default_to_base_url_and_loopback(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLISHER_SITE_BASE_URL", "https://news.example.cn/")
    assert allowed_hosts(load_settings()) == ["news.example.cn", "localhost", "127.0.0.1", "[::1]"]
