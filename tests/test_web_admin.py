"""The editors' console over real HTTP: login, upload, preview, test send, send now, progress."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import httpx
import pytest

from publisher.app import Publisher
from publisher.i18n import catalog
from publisher.ingest import ingest_files
from publisher.web.staging import Staging

from .conftest import EDITOR_PASSWORD, SAMPLE
from .live import Live, form_token, live_service
from .outbox import messages

ZH = catalog("zh-CN")
# Storing an upload builds the site; on a loaded machine that outlasts httpx's 5 s default.
TIMEOUT = 60.0


@pytest.fixture
def live(console: Publisher) -> Live:
    with live_service(console) as live:
        yield live


def log_in(client: httpx.Client, live: Live, password: str = EDITOR_PASSWORD) -> httpx.Response:
    page = client.get(live.url + "admin/login")
    return client.post(
        live.url + "admin/login",
        data={"user": "editor", "password": password, "csrf_token": form_token(page.text)},
        follow_redirects=True,
    )


def check_upload(
    client: httpx.Client, live: Live, data: bytes, name: str = "issue.md"
) -> httpx.Response:
    """Step one: upload a file; the answer is the preview page (or an error)."""
    page = client.get(live.url + "admin")
    return client.post(
        live.url + "admin/upload",
        data={"csrf_token": form_token(page.text)},
        files={"issue": (name, data, "text/markdown")},
        follow_redirects=True,
    )


def staged_id(preview: str) -> str:
    found = re.search(r'name="upload" value="([^"]+)"', preview)
    assert found, preview
    return found.group(1)


def confirm(client: httpx.Client, live: Live, preview: str) -> httpx.Response:
    """Step two: press 确认入库 on the preview page."""
    return client.post(
        live.url + "admin/upload/confirm",
        data={"csrf_token": form_token(preview), "upload": staged_id(preview)},
        follow_redirects=True,
    )


def upload(client: httpx.Client, live: Live, data: bytes, name: str = "issue.md") -> httpx.Response:
    """Both steps: upload, then confirm what the preview shows."""
    preview = check_upload(client, live, data, name)
    assert preview.status_code == 200, preview.text
    return confirm(client, live, preview.text)


def test_console_needs_a_login(live: Live) -> None:
    response = httpx.get(live.url + "admin")
    assert response.status_code == 303 and response.headers["location"].endswith("/admin/login")
    with httpx.Client(timeout=TIMEOUT) as client:
        assert log_in(client, live, "wrong").status_code == 401
        assert client.get(live.url + "admin").status_code == 303
        home = log_in(client, live)
    assert home.status_code == 200 and "上传新一期" in home.text


def test_console_is_off_without_a_password_hash(app: Publisher) -> None:
    with live_service(app) as live:
        response = httpx.get(live.url + "admin/login")
    assert response.status_code == 503 and "password_hash" in response.text


def test_upload_preview_test_and_send(console: Publisher, live: Live) -> None:
    for address in ("a@example.com", "b@example.com", "c@example.com"):
        console.subscribers.add(address)
    with httpx.Client(timeout=TIMEOUT) as client:
        log_in(client, live)
        uploaded = upload(client, live, SAMPLE.read_bytes(), "xinjimo-2890.md")
        assert uploaded.status_code == 200 and "第2890期" in uploaded.text
        assert (console.settings.site_dir / "xinjimo" / "2890" / "index.html").is_file()

        issue_url = live.url + "admin/issues/xinjimo/2890"
        page = client.get(issue_url)
        assert "一个“即”字,收益几何?" in page.text
        preview = client.get(issue_url + "/digest")
        assert preview.status_code == 200 and "阅读全文" in preview.text

        tested = client.post(
            issue_url + "/test",
            data={"csrf_token": form_token(page.text), "email": "editor@example.cn"},
            follow_redirects=True,
        )
        assert tested.status_code == 200 and "editor@example.cn" in tested.text
        (test_message,) = messages(console.settings.data.dir)
        assert test_message["To"].addresses[0].addr_spec == "editor@example.cn"

        sent = client.post(issue_url + "/send", data={"csrf_token": form_token(page.text)})
        assert sent.status_code == 303  # Post/Redirect/Get: a reload does not send again
        # The redirect is by path: it never repeats the request's Host header.
        assert sent.headers["location"] == "/admin/issues/xinjimo/2890"
        assert "第2890期已开始发送" in client.get(sent.url.join(sent.headers["location"])).text
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            progress = client.get(issue_url + "/progress").json()["sends"]
            if progress and progress[0]["counts"]["sent"] == 3:
                break
            time.sleep(0.1)
        assert progress[0]["counts"] == {**progress[0]["counts"], "sent": 3, "queued": 0}
    recipients = sorted(m["To"].addresses[0].addr_spec for m in messages(console.settings.data.dir))
    assert recipients == ["a@example.com", "b@example.com", "c@example.com", "editor@example.cn"]


def test_upload_errors_are_shown_and_nothing_is_stored(console: Publisher, live: Live) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        log_in(client, live)
        response = check_upload(client, live, "# 测试报\n\n## 标题\n\n正文。".encode(), "bad.md")
    assert response.status_code == 400 and "no issue number" in response.text
    assert console.archive.publications() == []


NO_BYLINE = "# 测试报\n\n2024年3月5日 星期二 第12期\n\n## 春耕备耕有序开展\n\n各镇街组织春耕。\n"


def staged_files(app: Publisher) -> list[Path]:
    return sorted((app.settings.data.dir / "uploads").glob("*"))


def test_an_upload_is_shown_with_its_warnings_before_it_is_stored(
    console: Publisher, live: Live
) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        log_in(client, live)
        preview = check_upload(client, live, NO_BYLINE.encode(), "12.md")
        assert preview.status_code == 200
        outline = preview.text.split('id="outline"')[1]
        assert "测试报" in outline and "春耕备耕有序开展" in outline and "第12期" in outline
        assert ZH("doubt.no-byline", subject="春耕备耕有序开展") in preview.text
        assert ZH("admin.check.confirm") in preview.text
        # Nothing is stored before the editor confirms; the bytes wait in the data directory.
        assert console.archive.publications() == []
        assert len(staged_files(console)) == 1

        stored = confirm(client, live, preview.text)
        assert stored.status_code == 200 and "已保存" in stored.text
        assert console.archive.get(12, "测试报").articles[0].title == "春耕备耕有序开展"
        assert staged_files(console) == []

        again = confirm(client, live, preview.text)  # a second press stores nothing more
        assert again.status_code == 400 and ZH("admin.check.expired") in again.text


def test_the_preview_warns_of_a_number_lower_than_the_archives(
    console: Publisher, live: Live, tmp_path: Path
) -> None:
    newer = tmp_path / "13.md"
    newer.write_text(NO_BYLINE.replace("第12期", "第13期"), encoding="utf-8")
    ingest_files(console, [newer])
    with httpx.Client(timeout=TIMEOUT) as client:
        log_in(client, live)
        preview = check_upload(client, live, NO_BYLINE.encode()).text
    assert ZH("doubt.number-lower", last="13") in preview


def test_only_the_editor_who_uploaded_can_confirm(console: Publisher, live: Live) -> None:
    with httpx.Client(timeout=TIMEOUT) as client, httpx.Client(timeout=TIMEOUT) as other:
        log_in(client, live)
        preview = check_upload(client, live, NO_BYLINE.encode()).text
        upload_id = staged_id(preview)
        no_token = client.post(live.url + "admin/upload/confirm", data={"upload": upload_id})
        assert no_token.status_code == 403
        wrong_id = client.post(
            live.url + "admin/upload/confirm",
            data={"csrf_token": form_token(preview), "upload": "x" * 43},
        )
        assert wrong_id.status_code == 400
        log_in(other, live)
        theirs = other.get(live.url + "admin").text
        stolen = other.post(
            live.url + "admin/upload/confirm",
            data={"csrf_token": form_token(theirs), "upload": upload_id},
        )
        assert stolen.status_code == 400
        assert console.archive.publications() == []
        # The uploader still can, after all that.
        assert confirm(client, live, preview).status_code == 200
    assert console.archive.publications() == ["测试报"]


def test_cancel_forgets_the_upload(console: Publisher, live: Live) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        log_in(client, live)
        preview = check_upload(client, live, NO_BYLINE.encode()).text
        cancelled = client.post(
            live.url + "admin/upload/cancel", data={"csrf_token": form_token(preview)}
        )
        assert cancelled.status_code == 303
        assert staged_files(console) == []
        assert confirm(client, live, preview).status_code == 400
    assert console.archive.publications() == []


def test_staged_uploads_are_read_once_and_expire(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "uploads", max_age=3600)
    kept, old = staging.put(b"kept"), staging.put(b"old")
    hours_ago = time.time() - 2 * 3600
    os.utime(tmp_path / "uploads" / f"{old}.upload", (hours_ago, hours_ago))
    assert staging.take(old) is None
    assert staging.take("../" + kept[3:]) is None  # not an id: never a path
    assert staging.take(kept) == b"kept"
    assert staging.take(kept) is None
    stale = staging.put(b"stale")
    os.utime(tmp_path / "uploads" / f"{stale}.upload", (hours_ago, hours_ago))
    staging.put(b"new")  # each new upload sweeps the expired ones
    assert len(list((tmp_path / "uploads").iterdir())) == 1


def test_actions_need_the_csrf_token(console: Publisher, live: Live) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        log_in(client, live)
        response = client.post(
            live.url + "admin/upload", files={"issue": ("x.md", SAMPLE.read_bytes(), "text/plain")}
        )
    assert response.status_code == 403
    assert console.archive.publications() == []


def test_hostile_titles_are_inert_in_the_console(console: Publisher, live: Live) -> None:
    hostile = (
        "# 测试报\n\n2024年1月5日 第7期\n\n"
        "## <script>alert(1)</script>标题\u202e<img src=x onerror=alert(1)>\n\n正文。"
    )
    with httpx.Client(timeout=TIMEOUT) as client:
        log_in(client, live)
        preview = check_upload(client, live, hostile.encode()).text
        confirm(client, live, preview)
        home = client.get(live.url + "admin").text
        page = client.get(live.url + "admin/issues/ceshibao/7").text
    for html in (preview, home, page):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "\u202e" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;标题" in html


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("admin/issues/xinjimo/2890/test", {"email": "editor@example.cn"}),
        ("admin/issues/xinjimo/2890/send", {}),
    ],
)
def test_console_actions_need_the_csrf_token(
    console: Publisher, live: Live, path: str, data: dict[str, str]
) -> None:
    console.subscribers.add("reader@example.com")
    with httpx.Client(timeout=TIMEOUT) as client:
        log_in(client, live)
        upload(client, live, SAMPLE.read_bytes())
        response = client.post(live.url + path, data=data)
    assert response.status_code == 403
    time.sleep(0.3)  # a send would have begun by now
    assert messages(console.settings.data.dir) == []


def test_login_and_logout_need_the_csrf_token(console: Publisher, live: Live) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        refused = client.post(
            live.url + "admin/login", data={"user": "editor", "password": EDITOR_PASSWORD}
        )
        assert refused.status_code == 403
        log_in(client, live)
        client.post(live.url + "admin/logout", data={})  # no token: still logged in
        assert client.get(live.url + "admin").status_code == 200


def test_healthz_says_unhealthy_when_the_scheduler_stopped(console: Publisher) -> None:
    with live_service(console, scheduler=True) as live:
        assert httpx.get(live.url + "healthz").json()["scheduler"] == "running"
        live.service.scheduler.shutdown(wait=False)
        response = httpx.get(live.url + "healthz")
    assert response.status_code == 503 and response.json()["status"] == "unhealthy"
