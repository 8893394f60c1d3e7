"""The whole loop as people live it, in headless Chromium against the real service.

A reader subscribes, confirms from the delivered email, changes preferences and
leaves with one click; an editor logs in, uploads an issue, sends a test and
triggers the send, watching the counts move.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publisher.app import Publisher
from publisher.deliver.service import send_issue
from publisher.ingest import ingest_files

from .conftest import EDITOR_PASSWORD, SAMPLE
from .live import Live, live_service
from .outbox import link, messages


@pytest.fixture
def live(console: Publisher) -> Live:
    with live_service(console) as live:
        yield live


def test_reader_subscribes_confirms_sets_preferences_and_unsubscribes(
    browser, console: Publisher, live: Live, tmp_path: Path
) -> None:
    app = console
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live.url + "subscribe")
    page.fill("#email", "duzhe@example.com")
    page.fill("#name", "即墨读者")
    page.click("button[type=submit]")
    page.wait_for_selector("text=请查收确认邮件")
    page.screenshot(path=str(tmp_path / "subscribed.png"))

    page.wait_for_function("true")  # the confirmation leaves after the response
    (confirmation,) = _wait(lambda: messages(app.settings.data.dir), 1)
    page.goto(live.local(link(confirmation, "confirm")))
    assert app.subscribers.get_by_email("duzhe@example.com").status == "pending"  # only a page
    assert page.locator("button").count() == 1
    page.click("button")
    page.wait_for_selector("text=订阅成功")
    assert app.subscribers.get_by_email("duzhe@example.com").status == "active"

    # The next issue goes out; its email carries the personal links.
    ingest_files(app, [SAMPLE])
    send_issue(app, 2890)
    digest = messages(app.settings.data.dir)[-1]
    assert "即墨读者" in digest["To"]

    page.goto(live.local(link(digest, "preferences")))
    page.check("input[name=cadence][value=weekly]")
    page.check("input[name=format][value=text]")
    page.click("button[type=submit]")
    page.wait_for_selector("text=设置已保存")
    reader = app.subscribers.get_by_email("duzhe@example.com")
    assert (reader.cadence, reader.format) == ("weekly", "text")

    page.goto(live.local(link(digest, "unsubscribe")))
    assert page.locator("button").count() == 1
    page.click("button")
    page.wait_for_selector("text=已退订")
    assert app.subscribers.get_by_email("duzhe@example.com").status == "unsubscribed"
    page.close()


def test_editor_uploads_tests_and_sends(browser, console: Publisher, live: Live) -> None:
    app = console
    for i in range(5):
        app.subscribers.add(f"reader{i}@example.com")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live.url + "admin")
    page.fill("#user", "editor")
    page.fill("#password", EDITOR_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=上传新一期")

    page.set_input_files("input[name=issue]", str(SAMPLE))
    page.click("form[action$='admin/upload'] button")
    page.wait_for_selector("#outline")  # what was understood, shown before anything is stored
    page.click("#confirm-upload")
    page.wait_for_selector("text=第2890期\uff0c5 篇文章")
    assert page.locator("text=已保存").count() == 1
    page.click("#issues a:has-text('第2890期')")
    page.wait_for_selector("text=一个“即”字,收益几何?")
    digest_frame = page.frame_locator("iframe")
    assert "阅读全文" in digest_frame.locator("body").inner_text()

    page.fill("input[name=email]", "editor@example.cn")
    page.click("form[action$='/test'] button")
    page.wait_for_selector("text=测试邮件已发往 editor@example.cn")

    page.click("#send-now")
    page.wait_for_selector("text=第2890期已开始发送")
    # The progress script updates the counts without a reload.
    page.wait_for_function(
        """() => { const cell = document.querySelector('#sends [data-count="sent"]');
                   return cell && cell.textContent.trim() === '5'; }""",
        timeout=20_000,
    )
    recipients = sorted(m["To"].addresses[0].addr_spec for m in messages(app.settings.data.dir))
    assert recipients == ["editor@example.cn"] + [f"reader{i}@example.com" for i in range(5)]
    assert re.search(r"已发送", page.content())
    page.close()


def _wait(read, count: int, seconds: float = 10.0):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = read()
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} items, got {len(read())}")
