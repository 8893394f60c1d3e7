"""What the parser understands, shown in every output: photos, pages, notes, quotes, lists, briefs.

The issue is built from model objects (``render_support.CONVENTIONS``), so these
tests hold whatever the parser does. Chinese punctuation is checked by code
point: a file whose full-width literals were flattened into ASCII fails here.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from publisher.app import Publisher
from publisher.render.digest import render_digest
from publisher.render.view import issue_view

from .conftest import DATA
from .render_support import CONVENTIONS, HOSTILE_CAPTION, IMAGES, fw, publish_issue, punctuation

ATOM = "{http://www.w3.org/2005/Atom}"
ISSUE = "xinjimo/3012"
BASE = "http://localhost:8000/"
VALUES = {
    "name": "王读者",
    "email": "reader@example.cn",
    "unsubscribe_url": "https://news.example.cn/u?t=abc",
    "preferences_url": "https://news.example.cn/p?t=abc",
}


@pytest.fixture
def site(app: Publisher) -> Path:
    publish_issue(app)
    return app.settings.site_dir


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def site_file(site: Path, url: str) -> Path:
    """The file the site serves at ``url``."""
    assert url.startswith(BASE), url
    return site / url.removeprefix(BASE)


def image_urls(site: Path) -> list[str]:
    names = sorted((site / ISSUE / "images").iterdir())
    return [BASE + str(p.relative_to(site)) for p in names]


def test_photos_are_written_beside_the_issue_under_safe_names(site: Path) -> None:
    files = sorted((site / ISSUE / "images").iterdir())
    assert len(files) == 2
    for path in files:
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.png", path.name), path.name
    assert sorted(p.read_bytes() for p in files) == sorted(i.data for i in IMAGES)


def test_article_page_shows_photos_note_quote_lists_source_and_page(site: Path) -> None:
    doc = page(site / ISSUE / "1" / "index.html")
    story = doc.xpath("//article[@class='story']")[0]
    figures = story.xpath(".//figure")
    assert len(figures) == 3
    # The photo whose file is stored: an image that exists, with its caption and photographer.
    (img,) = figures[0].xpath("./img")
    assert site_file(site, img.get("src")).read_bytes() == IMAGES[0].data
    assert img.get("alt") == "会场<b>"
    caption = figures[0].xpath("string(./figcaption)")
    assert HOSTILE_CAPTION in caption and "李华 摄" in caption
    # No file (missing beside the issue, or never a src): the caption only, never a broken image.
    assert figures[1].xpath("./img") == [] and figures[2].xpath("./img") == []
    assert figures[1].xpath("string(./figcaption)") == "缺图的说明 王丽 摄"
    assert figures[2].xpath("string(./figcaption)") == "只有说明"
    # Untrusted captions stay text.
    assert not doc.xpath("//script")
    # The editor's note, set apart and headed.
    (note,) = story.xpath(".//aside[@class='editor-note']")
    assert note.xpath("./p[@class='note-heading']/text()") == ["编者按"]
    assert punctuation(note.xpath("string(./p[2])")) == ["FULLWIDTH COMMA", "IDEOGRAPHIC FULL STOP"]
    assert story.xpath(".//ol[@class='list']/li/text()") == ["抓好安全生产", "做好民生保障"]
    assert story.xpath(".//ul[@class='list']/li/text()") == ["第一条", "第二条"]
    (quote,) = story.xpath(".//blockquote")
    assert quote.text_content() == fw("他说:一定要办好。")
    assert punctuation(quote.text_content()) == ["FULLWIDTH COLON", "IDEOGRAPHIC FULL STOP"]
    assert story.xpath(".//span[@class='source']/text()") == ["本报"]
    assert story.xpath(".//span[@class='page-label']/text()") == ["第1版 要闻"]
    # Typeset by code point: the title, the text, and the template's own words.
    assert punctuation(story.xpath("string(.//h1)")) == [
        "FULLWIDTH LEFT PARENTHESIS",
        "FULLWIDTH RIGHT PARENTHESIS",
    ]
    assert punctuation(story.xpath("string(./p[1])"))[0] == "FULLWIDTH COMMA"
    nav = doc.xpath("string(//nav[@aria-label='本期'])")
    assert nav.startswith("下一篇") and punctuation(nav)[0] == "FULLWIDTH COLON"
    footer = doc.xpath("string(//footer/p[last()])")
    assert footer.startswith("订阅") and punctuation(footer)[0] == "FULLWIDTH COLON"


def test_issue_page_groups_the_contents_by_printed_page(site: Path) -> None:
    doc = page(site / ISSUE / "index.html")
    assert doc.xpath("//h2[@class='page-label']/text()") == ["第1版 要闻", "第2版 综合"]
    first, second = doc.xpath("//ol[@class='toc']")
    assert len(first.xpath("./li")) == 1 and len(second.xpath("./li")) == 2
    photo_brief, brief = second.xpath("./li")
    # A photo brief is its photo, shown large, labelled and linked.
    (figure,) = photo_brief.xpath(".//figure")
    assert "photo-brief" in figure.get("class")
    assert site_file(site, figure.xpath("./img/@src")[0]).read_bytes() == IMAGES[1].data
    assert photo_brief.xpath(".//h3//span[@class='brief-label']/text()") == ["图片新闻"]
    assert photo_brief.xpath("string(.//h3)") == "图片新闻"  # the label, not said twice
    assert brief.xpath(".//span[@class='brief-label']/text()") == ["简讯"]
    assert brief.xpath(".//h3/a/text()") == ["区运动会举行"]
    # Every image on the page is a file in the site.
    for src in doc.xpath("//img/@src"):
        assert site_file(site, src).is_file(), src
    link = doc.xpath("string(//p[@class='meta']/a)")
    assert punctuation(link) == ["FULLWIDTH LEFT PARENTHESIS", "FULLWIDTH RIGHT PARENTHESIS"]
    description = doc.xpath("//meta[@name='description']/@content")[0]
    assert "FULLWIDTH COLON" in punctuation(description)


def test_photo_brief_page_leads_with_its_photo(site: Path) -> None:
    doc = page(site / ISSUE / "2" / "index.html")
    story = doc.xpath("//article[@class='story']")[0]
    assert story.xpath("string(.//h1)") == "图片新闻"
    (figure,) = story.xpath(".//figure")
    assert "photo-brief" in figure.get("class")
    assert figure.xpath("string(./figcaption)") == "雪后即墨 张三 摄"


def test_atom_feed_carries_photos_as_enclosures_and_stays_valid(site: Path) -> None:
    path = site / "xinjimo" / "feeds" / "atom.xml"
    document = etree.parse(str(path))
    schema = etree.RelaxNG(etree.parse(str(DATA / "atom.rng")))
    assert schema.validate(document), schema.error_log
    meeting, snow = image_urls(site)
    entries = list(document.getroot().iter(f"{ATOM}entry"))
    enclosures = [
        [(e.get("href"), e.get("type"), e.get("length")) for e in entry.iter(f"{ATOM}link")
         if e.get("rel") == "enclosure"]
        for entry in entries
    ]  # fmt: skip
    assert enclosures == [
        [(meeting, "image/png", str(len(IMAGES[0].data)))],
        [(snow, "image/png", str(len(IMAGES[1].data)))],
        [],
    ]
    for entry in entries:
        alternates = [e for e in entry.iter(f"{ATOM}link") if e.get("rel") == "alternate"]
        assert len(alternates) == 1
    content = lxml.html.fromstring(entries[0].findtext(f"{ATOM}content"))
    assert content.xpath("//img/@src") == [meeting]
    assert HOSTILE_CAPTION + " 李华 摄" in content.text_content()
    assert "缺图的说明 王丽 摄" in content.text_content()
    assert not content.xpath("//script")
    assert content.xpath("//ol/li/text()") == ["抓好安全生产", "做好民生保障"]
    assert content.xpath("//blockquote//text()")[-1] == fw("他说:一定要办好。")
    assert [n for n in punctuation(content.text_content()) if "COMMA" in n][:1] == [
        "FULLWIDTH COMMA"
    ]


def test_rss_and_json_feeds_carry_photos(site: Path) -> None:
    meeting, snow = image_urls(site)
    rss = feedparser.parse(str(site / "xinjimo" / "feeds" / "rss.xml"))
    assert not rss.bozo, rss.bozo_exception
    assert [[e.href for e in entry.enclosures] for entry in rss.entries] == [[meeting], [snow], []]
    assert rss.entries[0].enclosures[0].type == "image/png"
    content = lxml.html.fromstring(rss.entries[0].content[0].value)
    assert content.xpath("//img/@src") == [meeting]
    feed = json.loads((site / "xinjimo" / "feeds" / "feed.json").read_bytes())
    first, photo, brief = feed["items"]
    assert first["image"] == meeting
    assert first["attachments"] == [
        {"url": meeting, "mime_type": "image/png", "size_in_bytes": len(IMAGES[0].data)}
    ]
    assert photo["image"] == snow and "图片新闻" in photo["tags"]
    assert "image" not in brief and "attachments" not in brief and "简讯" in brief["tags"]
    assert "FULLWIDTH COLON" in punctuation(feed["description"])


def test_issues_feed_lists_the_contents_by_printed_page(site: Path) -> None:
    document = etree.parse(str(site / "xinjimo" / "feeds" / "issues.atom.xml"))
    (entry,) = document.getroot().iter(f"{ATOM}entry")
    content = lxml.html.fromstring(entry.findtext(f"{ATOM}content"))
    assert content.xpath("//p/strong/text()") == ["第1版 要闻", "第2版 综合"]
    assert [len(ol.xpath("./li")) for ol in content.xpath("//ol")] == [1, 2]
    assert punctuation(content.xpath("string(//ol[1]/li/small[last()])")) == [
        "FULLWIDTH LEFT PARENTHESIS",
        "FULLWIDTH RIGHT PARENTHESIS",
    ]


def test_digest_shows_photos_note_and_lists(app: Publisher, site: Path) -> None:
    stored = app.archive.stored(3012)
    settings = app.settings
    full = dataclasses.replace(settings, email=dataclasses.replace(settings.email, full_text=True))
    meeting, snow = image_urls(site)
    for options in (settings, full):
        html, text = render_digest(
            options, stored.issue, stored.publication_slug, stored.images
        ).personalize(VALUES)
        doc = lxml.html.fromstring(html)
        assert doc.xpath("//img/@src") == [meeting, snow]
        assert HOSTILE_CAPTION + " 李华 摄" in doc.text_content()
        assert not doc.xpath("//script")
        assert doc.xpath("//p[contains(@class, 'note-heading')]/text()") == ["编者按"]
        assert "【图】" + HOSTILE_CAPTION + " 李华 摄\n" in text
        assert "【图】雪后即墨 张三 摄\n" in text
        assert "【编者按】\n  " + fw("这是编者按,请读者关注。") in text
        assert "【图片新闻】\n" in text and "【简讯】区运动会举行\n" in text
        assert "\n\n\n" not in text
        # The contents by printed page, numbered straight through.
        assert "本期目录\n第1版 要闻\n1. " in text and "\n第2版 综合\n2. 图片新闻\n3. " in text
        assert doc.xpath("//p[contains(@class, 'page-name')]/text()") == [
            "第1版 要闻",
            "第2版 综合",
        ]
        unsubscribe = text[text.index("退订") :]
        assert punctuation(unsubscribe)[0] == "FULLWIDTH COLON"
        greeting = doc.xpath("string(//td[contains(@class, 'footer')])")
        assert "FULLWIDTH COMMA" in punctuation(greeting)
    # The whole text: one list item a line, the quote typeset.
    assert "  1. 抓好安全生产\n  2. 做好民生保障\n" in text
    assert "  \u2022 第一条\n  \u2022 第二条\n" in text
    assert punctuation(text[text.index("会议指出") :])[0] == "FULLWIDTH COMMA"
    assert doc.xpath("//p[contains(@class, 'quote')]/text()") == [fw("他说:一定要办好。")]


def test_a_figure_without_a_stored_file_never_shows_an_image(app: Publisher) -> None:
    publish_issue(app, images=())
    site = app.settings.site_dir
    assert not (site / ISSUE / "images").exists()
    for path in (site / ISSUE / "index.html", site / ISSUE / "1" / "index.html"):
        doc = page(path)
        assert doc.xpath("//img") == []
        assert HOSTILE_CAPTION in doc.text_content()
    atom = (site / "xinjimo" / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert "enclosure" not in atom and "&lt;img" not in atom
    assert CONVENTIONS.articles[1].figures[0].caption in atom


def test_a_brief_printed_without_a_title_is_named_by_its_label(app: Publisher) -> None:
    brief = dataclasses.replace(CONVENTIONS.articles[2], title="", slug="1")
    long_title = "由区委老干部局、区教体局、区文旅局联合主办的全区老年人健身运动会举行"
    whole = dataclasses.replace(CONVENTIONS.articles[2], title=long_title, slug="2")
    issue = dataclasses.replace(CONVENTIONS, articles=(brief, whole))
    view = issue_view(issue, "xinjimo", app.settings)
    assert [a.title for a in view.articles] == ["简讯", long_title]
    assert [a.label for a in view.articles] == ["简讯", "简讯"]
    publish_issue(app, issue, images=())
    doc = page(app.settings.site_dir / ISSUE / "index.html")
    assert [h.text_content() for h in doc.xpath("//ol[@class='toc']//h3")] == [
        "简讯",
        "简讯" + long_title,  # the label, then the whole title: never cut
    ]
