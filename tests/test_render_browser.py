"""The pages and the digest in a real browser: headless Chromium at phone and desktop widths."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

import pytest

from publisher.app import Publisher
from publisher.images import ImageFile
from publisher.render.digest import render_digest

from .render_support import IMAGES, fw, png, publish_issue

PHONE, DESKTOP = 390, 1280
BASE = "http://localhost:8000/"


def open_page(browser, site: Path, width: int, url: str, color_scheme: str = "light"):
    """A page at ``width`` that serves the base URL from the site directory, no server needed."""
    page = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=color_scheme)

    def serve(route) -> None:
        path = site / route.request.url.removeprefix(BASE).split("?")[0]
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            route.fulfill(status=404, body="not found")
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=path.read_bytes(), content_type=kind)

    page.route(f"{BASE}**", serve)
    page.goto(url)
    return page


def ink(browser, png: bytes) -> float:
    """The share of a screenshot's pixels that differ from its top-left (background) pixel."""
    page = browser.new_page()
    try:
        return page.evaluate(
            """async (src) => {
                const img = new Image();
                img.src = src;
                await img.decode();
                const canvas = document.createElement('canvas');
                canvas.width = img.width; canvas.height = img.height;
                const ctx = canvas.getContext('2d');
                ctx.drawImage(img, 0, 0);
                const data = ctx.getImageData(0, 0, img.width, img.height).data;
                let differ = 0;
                for (let i = 0; i < data.length; i += 4) {
                    if (Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1])
                        + Math.abs(data[i + 2] - data[2]) > 60) differ++;
                }
                return differ / (data.length / 4);
            }""",
            "data:image/png;base64," + base64.b64encode(png).decode(),
        )
    finally:
        page.close()


def assert_fits(page) -> None:
    """Nothing wider than the viewport: no sideways scrolling on a phone."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page is {overflow}px wider than the viewport"


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_issue_page_renders_at_phone_and_desktop_width(
    browser, site: Path, tmp_path: Path, width: int
) -> None:
    page = open_page(browser, site, width, f"{BASE}xinjimo/2890/")
    try:
        assert_fits(page)
        heading = page.locator("h1")
        assert heading.is_visible() and heading.inner_text() == "第2890期"
        box = heading.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        # The stylesheet was loaded and applied: the CJK font stack and the line height.
        font = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert "Noto Sans CJK SC" in font
        titles = page.locator("ol.toc h2 a")
        assert titles.count() == 5 and titles.nth(3).is_visible()
        column = page.evaluate("document.querySelector('.page').getBoundingClientRect().width")
        assert column <= min(width, 42 * 18 + 1)
        shot = page.screenshot(full_page=True, path=str(tmp_path / f"issue-{width}.png"))
    finally:
        page.close()
    assert 0.01 < ink(browser, shot) < 0.6, "the screenshot is blank or a solid block"


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_article_page_indents_paragraphs_by_two_characters(browser, site: Path, width: int) -> None:
    page = open_page(browser, site, width, f"{BASE}xinjimo/2890/4/")
    try:
        assert_fits(page)
        assert page.locator("article h1").inner_text() == fw("一个“即”字,收益几何?")
        indent, size, height = page.evaluate(
            """() => { const s = getComputedStyle(document.querySelector('article.story p'));
                       return [parseFloat(s.textIndent), parseFloat(s.fontSize),
                               parseFloat(s.lineHeight)]; }"""
        )
        assert indent == pytest.approx(2 * size)
        assert height == pytest.approx(1.8 * size)
    finally:
        page.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_digest_html_renders_like_a_mail_client_would(
    browser, app: Publisher, site: Path, tmp_path: Path, width: int
) -> None:
    stored = app.archive.stored(2890)
    digest = render_digest(app.settings, stored.issue, stored.publication_slug)
    html, _ = digest.personalize(
        {
            "email": "reader@example.cn",
            "unsubscribe_url": "https://news.example.cn/u",
            "preferences_url": "https://news.example.cn/p",
        }
    )
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        # Mail clients load nothing from the network; neither does this page.
        page.route("**/*", lambda route: route.abort())
        page.set_content(html)
        assert_fits(page)
        container = page.evaluate(
            "document.querySelector('table.container').getBoundingClientRect().width"
        )
        assert container == (600 if width > 620 else width)
        masthead = page.locator("p.name")
        assert masthead.is_visible() and masthead.inner_text() == "新即墨"
        assert page.locator("p.more a").count() == 5
        shot = page.screenshot(full_page=True, path=str(tmp_path / f"digest-{width}.png"))
    finally:
        page.close()
    assert 0.01 < ink(browser, shot) < 0.6, "the screenshot is blank or a solid block"


def test_digest_follows_dark_mode(browser, app: Publisher, site: Path) -> None:
    stored = app.archive.stored(2890)
    html, _ = render_digest(app.settings, stored.issue, stored.publication_slug).personalize({})
    colours = {}
    for scheme in ("light", "dark"):
        page = browser.new_page(viewport={"width": DESKTOP, "height": 800}, color_scheme=scheme)
        try:
            page.set_content(html)
            colours[scheme] = page.evaluate(
                """[getComputedStyle(document.querySelector('table.card')).backgroundColor,
                    getComputedStyle(document.querySelector('p.text')).color]"""
            )
        finally:
            page.close()
    assert colours["light"] == ["rgb(255, 255, 255)", "rgb(29, 29, 31)"]
    assert colours["dark"] == ["rgb(28, 28, 31)", "rgb(236, 235, 231)"]


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_photos_fit_the_column_and_the_editors_note_stands_apart(
    browser, app: Publisher, width: int
) -> None:
    wide = (ImageFile("photos/meeting.png", "image/png", png(1600, 500)), IMAGES[1])
    publish_issue(app, images=wide)
    site = app.settings.site_dir
    page = open_page(browser, site, width, f"{BASE}xinjimo/3012/1/")
    try:
        assert_fits(page)
        # The photos load lazily: bring each into view, then wait until it is decoded.
        page.locator("article img").scroll_into_view_if_needed()
        loaded = page.evaluate(
            """async () => Promise.all([...document.querySelectorAll('article img')].map(
                   async i => { await i.decode();
                                return [i.complete, i.naturalWidth,
                                        i.getBoundingClientRect().width]; }))"""
        )
        column = page.evaluate("document.querySelector('article').getBoundingClientRect().width")
        assert len(loaded) == 1
        complete, natural, shown = loaded[0]
        assert complete and natural == 1600 and 0 < shown <= column
        note = page.locator("aside.editor-note")
        assert note.is_visible()
        border = page.evaluate(
            "getComputedStyle(document.querySelector('aside.editor-note')).borderLeftWidth"
        )
        assert border == "4px"
        caption = page.locator("figure figcaption").first
        assert caption.is_visible() and "李华 摄" in caption.inner_text()
    finally:
        page.close()
