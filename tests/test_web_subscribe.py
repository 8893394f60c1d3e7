"""Subscribing over real HTTP: double opt-in, CSRF, rate limit, one-click unsubscribe, preferences."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from publisher.app import Publisher

from .live import Live, form_token, live_service
from .outbox import link, messages


@pytest.fixture
def live(app: Publisher) -> Live:
    with live_service(app) as live:
        yield live


def subscribe(client: httpx.Client, live: Live, email: str, name: str = "") -> httpx.Response:
    token = form_token(client.get(live.url + "subscribe").text)
    return client.post(
        live.url + "subscribe", data={"email": email, "name": name, "csrf_token": token}
    )


def wait_for_messages(data_dir: Path, count: int) -> list:
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = messages(data_dir)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} messages, found {len(messages(data_dir))}")


def test_double_opt_in(app: Publisher, live: Live) -> None:
    data_dir = app.settings.data.dir
    with httpx.Client() as client:
        page = client.get(live.url + "subscribe")
        assert page.status_code == 200 and 'lang="zh-CN"' in page.text
        answer = subscribe(client, live, "Reader@Example.com", "读者")
    assert answer.status_code == 200 and "请查收确认邮件" in answer.text
    assert app.subscribers.get_by_email("reader@example.com").status == "pending"

    (confirmation,) = wait_for_messages(data_dir, 1)
    assert confirmation["To"].addresses[0].addr_spec.lower() == "reader@example.com"
    with httpx.Client() as reader:
        # Following the link (as a mail scanner does too) only shows a page with a button.
        page = reader.get(live.local(link(confirmation, "confirm")))
        assert page.status_code == 200 and page.text.count("<button") == 1
        assert app.subscribers.get_by_email("reader@example.com").status == "pending"
        confirmed = reader.post(
            live.local(link(confirmation, "confirm")), data={"csrf_token": form_token(page.text)}
        )
    assert confirmed.status_code == 200 and "订阅成功" in confirmed.text
    assert app.subscribers.get_by_email("reader@example.com").status == "active"


def test_answers_never_reveal_whether_an_address_is_known(app: Publisher, live: Live) -> None:
    with httpx.Client() as client:
        first = subscribe(client, live, "known@example.com")
        app.subscribers.confirm(
            app.links.url(app.subscribers.get_by_email("known@example.com"), "confirm").rsplit(
                "/", 1
            )[1]
        )
        again = subscribe(client, live, "known@example.com")
        stranger = subscribe(client, live, "stranger@example.com")

    def normalise(response: httpx.Response) -> str:
        body = response.text.split("<main>")[1]
        return body.replace("known@example.com", "X").replace("stranger@example.com", "X")

    assert first.status_code == again.status_code == stranger.status_code == 200
    assert normalise(again) == normalise(stranger)


def test_form_without_csrf_token_is_refused(app: Publisher, live: Live) -> None:
    response = httpx.post(live.url + "subscribe", data={"email": "x@example.com"})
    assert response.status_code == 403
    assert app.subscribers.find_by_email("x@example.com") is None


def test_invalid_address_is_explained(live: Live) -> None:
    with httpx.Client() as client:
        response = subscribe(client, live, "not an address")
    assert response.status_code == 400 and "邮箱地址或称呼无效" in response.text


def test_subscribe_requests_are_rate_limited_per_client(app: Publisher, live: Live) -> None:
    limit = app.settings.server.subscribe_rate
    with httpx.Client() as client:
        codes = [subscribe(client, live, f"r{i}@example.com").status_code for i in range(limit + 1)]
    assert codes[:limit] == [200] * limit and codes[-1] == 429


def test_one_click_unsubscribe_rfc_8058(app: Publisher, live: Live) -> None:
    subscriber = app.subscribers.add("leaver@example.com")
    url = live.local(app.links.url(subscriber, "unsubscribe"))
    response = httpx.post(url, data={"List-Unsubscribe": "One-Click"})  # no cookie, no page
    assert response.status_code == 200
    assert app.subscribers.get(subscriber.id).status == "unsubscribed"


def test_unsubscribe_page_has_one_button(app: Publisher, live: Live) -> None:
    subscriber = app.subscribers.add("button@example.com")
    url = live.local(app.links.url(subscriber, "unsubscribe"))
    with httpx.Client() as client:
        page = client.get(url)
        assert page.text.count("<button") == 1
        assert (
            app.subscribers.get(subscriber.id).status == "active"
        )  # showing the page changes nothing
        done = client.post(url, data={"csrf_token": form_token(page.text)})
    assert done.status_code == 200 and "已退订" in done.text
    assert app.subscribers.get(subscriber.id).status == "unsubscribed"


def test_forged_or_cross_purpose_links_do_nothing(app: Publisher, live: Live) -> None:
    victim = app.subscribers.add("victim@example.com")
    preferences_token = app.links.url(victim, "preferences").rsplit("/", 1)[1]
    for token in ("forged", preferences_token):
        response = httpx.post(
            live.url + f"unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
        )
        assert response.status_code == 400
    assert app.subscribers.get(victim.id).status == "active"
    assert httpx.get(live.url + "confirm/forged").status_code == 404


def test_preferences(app: Publisher, live: Live) -> None:
    subscriber = app.subscribers.add("prefs@example.com")
    url = live.local(app.links.url(subscriber, "preferences"))
    with httpx.Client() as client:
        page = client.get(url)
        saved = client.post(
            url, data={"csrf_token": form_token(page.text), "cadence": "weekly", "format": "text"}
        )
    assert "设置已保存" in saved.text
    changed = app.subscribers.get(subscriber.id)
    assert (changed.cadence, changed.format) == ("weekly", "text")


def test_hostile_name_is_escaped_in_pages(app: Publisher, live: Live) -> None:
    with httpx.Client() as client:
        response = subscribe(
            client, live, "<script>alert(1)</script>@example.com", "<img src=x onerror=alert(1)>"
        )
    assert "<script>alert(1)</script>" not in response.text
    assert "<img src=x" not in response.text


@pytest.mark.parametrize("purpose", ["unsubscribe", "preferences"])
def test_link_forms_need_the_csrf_token(app: Publisher, live: Live, purpose: str) -> None:
    subscriber = app.subscribers.add(f"{purpose}@example.com")
    url = live.local(app.links.url(subscriber, purpose))
    with httpx.Client() as client:
        client.get(url)  # a session exists, but the form's token is not sent
        response = client.post(url, data={"cadence": "weekly", "format": "text"})
    assert response.status_code == 403
    unchanged = app.subscribers.get(subscriber.id)
    assert (unchanged.status, unchanged.cadence, unchanged.format) == ("active", "issue", "html")


def test_hostile_name_on_a_successful_subscribe_is_escaped(app: Publisher, live: Live) -> None:
    with httpx.Client() as client:
        response = subscribe(client, live, "named@example.com", "<b onmouseover=alert(1)>王</b>")
    assert response.status_code == 200
    assert "<b onmouseover" not in response.text
    assert (
        app.subscribers.get_by_email("named@example.com").name == "<b onmouseover=alert(1)>王</b>"
    )


def test_session_cookie_is_secure_behind_https(env: dict[str, str], monkeypatch) -> None:
    monkeypatch.setenv("PUBLISHER_SITE_BASE_URL", "https://news.example.cn/")
    from publisher.config import load_settings

    secure_app = Publisher(load_settings())
    try:
        with live_service(secure_app) as live, httpx.Client() as client:
            cookie = client.get(live.url + "subscribe").headers["set-cookie"]
    finally:
        secure_app.close()
    assert "secure" in cookie.lower() and "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
