"""Hostile content in a title and a paragraph comes out inert in every output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from publisher.app import Publisher
from publisher.render.digest import render_digest
from publisher.render.text import clean, clean_one_line

from .render_support import BIDI, HOSTILE_PARAGRAPH, HOSTILE_TITLE, publish, write_issue

ATOM = "{http://www.w3.org/2005/Atom}"
VALUES = {
    "email": "r@example.cn",
    "unsubscribe_url": "https://x.example/u",
    "preferences_url": "https://x.example/p",
}


@pytest.fixture
def site(app: Publisher, tmp_path: Path) -> Path:
    path = write_issue(
        tmp_path, 7, dt.date(2024, 5, 1), title=HOSTILE_TITLE, paragraph=HOSTILE_PARAGRAPH
    )
    publish(app, path)
    issue = app.archive.get(7)
    # The parser keeps the text as written; only the renderers make it safe.
    assert issue.articles[0].title.startswith("<script>")
    assert "\u202e" in issue.articles[0].paragraphs[0]
    return app.settings.site_dir


def assert_inert_html(markup: str) -> None:
    """No script, no event handler, no script URL, no bidi control: only text."""
    assert not any(char in markup for char in BIDI)
    doc = lxml.html.fromstring(f"<div>{markup}</div>")
    assert not doc.xpath("//script | //img | //svg | //iframe | //object")
    for element in doc.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert not value.strip().lower().startswith("javascript:"), (element.tag, value)
    text = doc.text_content()
    # The hostile markup survives as visible text, so readers see what the source said.
    if "危险标题" in text:
        assert "<script>alert(1)</script>危险标题" in text
    if "第一段" in text:
        assert "<img src=x onerror=alert(1)>" in text


def test_pages_show_hostile_markup_as_text(site: Path) -> None:
    pages = sorted((site / "xinjimo").rglob("*.html"))
    assert len(pages) >= 6
    for page in pages:
        markup = page.read_text(encoding="utf-8")
        assert_inert_html(markup)
    article = (site / "xinjimo" / "7" / "1" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;危险标题反转" in article
    assert "还有倒序文字和隔离。" in lxml.html.fromstring(article).text_content()


def test_feeds_carry_hostile_markup_as_escaped_text(site: Path) -> None:
    for name in ("atom.xml", "issues.atom.xml"):
        raw = (site / "xinjimo" / "feeds" / name).read_text(encoding="utf-8")
        assert not any(char in raw for char in BIDI)
        root = etree.fromstring(raw.encode("utf-8"))
        for entry in root.iter(f"{ATOM}entry"):
            assert_inert_html(entry.findtext(f"{ATOM}content"))
            title = entry.findtext(f"{ATOM}title")
            assert "<" not in title or title.startswith("<script>alert(1)</script>危险标题反转")
    rss = etree.parse(str(site / "xinjimo" / "feeds" / "rss.xml"))
    for item in rss.iter("item"):
        assert_inert_html(item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded"))
        assert_inert_html(item.findtext("description"))
        assert_inert_html(item.findtext("title"))
    feed = json.loads((site / "xinjimo" / "feeds" / "feed.json").read_text(encoding="utf-8"))
    for item in feed["items"]:
        assert_inert_html(item["content_html"])
        assert not any(char in item["title"] + item["summary"] for char in BIDI)


def test_digest_html_text_and_subject_are_inert(app: Publisher, site: Path) -> None:
    stored = app.archive.stored(7)
    digest = render_digest(app.settings, stored.issue, stored.publication_slug)
    assert not any(char in digest.subject + digest.preheader for char in BIDI)
    assert (
        digest.subject
        == "新即墨 第7期|<script>alert(1)</script>危险标题反转<img src=x onerror=alert(3)> 等2篇"
    )
    html, text = digest.personalize(VALUES)
    assert_inert_html(html)
    assert not any(char in text for char in BIDI)
    assert "第一段<img src=x onerror=alert(1)>" in text  # plain text: shown, never run


def test_bidi_and_control_characters_cannot_reach_a_header_or_xml() -> None:
    assert clean("a\u202eb\u2066c\u2069d\x00e\x1bf") == "abcdef"
    assert clean_one_line("标题\n第二行\t尾") == "标题 第二行 尾"


def test_delivered_message_preview_eml_and_console_preview_are_inert(
    console: Publisher, tmp_path: Path
) -> None:
    """The real paths out: a digest delivered to a subscriber, ``publisher preview``, the console."""
    from email import message_from_bytes
    from email.policy import default

    from publisher.deliver.service import send_issue
    from publisher.render.preview import write_preview
    from publisher.service import Service

    from .outbox import messages

    path = write_issue(
        tmp_path, 7, dt.date(2024, 5, 1), title=HOSTILE_TITLE, paragraph=HOSTILE_PARAGRAPH
    )
    publish(console, path)
    console.subscribers.add("reader@example.cn", name="<b>读者</b>\u202e")
    assert send_issue(console, 7).counts.sent == 1
    (delivered,) = messages(console.settings.data.dir)
    preview = write_preview(console, 7)
    from_preview = message_from_bytes(preview.eml.read_bytes(), policy=default)
    console_html = Service(console, scheduler=False).preview_html("xinjimo", 7)

    for message in (delivered, from_preview):
        for header in ("Subject", "To", "From"):
            assert not any(char in str(message[header]) for char in BIDI), header
        assert_inert_html(message.get_body(preferencelist=("html",)).get_content())
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert not any(char in text for char in BIDI)
    assert "<script>alert(1)</script>危险标题" in str(delivered["Subject"])  # as text
    assert_inert_html(console_html)
