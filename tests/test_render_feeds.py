"""Feeds: valid Atom (RFC 4287 schema), RSS 2.0 and JSON Feed 1.1, read back by a real client."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.render.build import build_all

from .conftest import DATA
from .render_support import fw, publish, write_issue

ATOM = "{http://www.w3.org/2005/Atom}"
SAMPLE_TITLES = [
    fw("区政府党组(扩大)会议暨区政府常务会议召开"),
    "孙杰组织召开即墨区政企沟通座谈会",
    "区人大常委会视察重点类代表建议办理情况",
    fw("一个“即”字,收益几何?"),
]


def feed_path(site: Path, name: str) -> Path:
    return site / "xinjimo" / "feeds" / name


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(DATA / "atom.rng")))


@pytest.mark.parametrize("name", ["atom.xml", "issues.atom.xml"])
def test_atom_feeds_are_valid_against_rfc4287_schema(
    site: Path, atom_schema: etree.RelaxNG, name: str
) -> None:
    document = etree.parse(str(feed_path(site, name)))
    assert atom_schema.validate(document), atom_schema.error_log
    root = document.getroot()
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    # The RFC's Schematron rules, which RELAX NG cannot express:
    ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))
    for entry in root.iter(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None
        # A link without rel is rel="alternate" (RFC 4287, 4.2.7.2); feedgen omits it.
        assert [
            link
            for link in entry.iter(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert entry.find(f"{ATOM}summary") is not None


def test_the_schema_rejects_an_invalid_feed(atom_schema: etree.RelaxNG) -> None:
    # Guards the guard: a feed without <updated> and with a date-only value must fail.
    bad = etree.fromstring(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id>'
        b"<entry><title>e</title><id>y</id><updated>2023-10-27</updated></entry></feed>"
    )
    assert not atom_schema.validate(bad)


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_feedparser_reads_every_field_of_the_article_feeds(site: Path, name: str) -> None:
    parsed = feedparser.parse(feed_path(site, name).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == "新即墨"
    assert parsed.feed.link == "http://localhost:8000/xinjimo/"
    assert parsed.feed.language == "zh-CN"
    # RSS has no updated date of its own: lastBuildDate and pubDate stand for it.
    assert parsed.feed.get("updated" if name == "atom.xml" else "published")
    assert len(parsed.entries) == 5
    assert [e.title for e in parsed.entries[:4]] == SAMPLE_TITLES
    for position, entry in enumerate(parsed.entries, start=1):
        assert entry.id.startswith("tag:localhost,2023-10-27:xinjimo/2890/")
        assert entry.link == f"http://localhost:8000/xinjimo/2890/{position}/"
        permalink = site / "xinjimo" / "2890" / str(position) / "index.html"
        assert permalink.is_file()
        assert entry.summary and "<" not in entry.summary
        assert entry.published_parsed is not None
        if name == "atom.xml":
            assert entry.updated_parsed is not None
        assert "第2890期" in [t.term for t in entry.tags]
        assert entry.content[0].value.count("<p>") >= 2
    assert [a.get("name") for a in parsed.entries[3].authors] == ["刘元平", "刘翔宇"]
    assert "简讯" in [t.term for t in parsed.entries[4].tags]


def test_feeds_have_self_links_and_the_publication_time_zone(site: Path) -> None:
    atom = feed_path(site, "atom.xml").read_text(encoding="utf-8")
    assert '<link href="http://localhost:8000/xinjimo/feeds/atom.xml" rel="self"' in atom
    # Articles are a second apart in print order: readers sorting by date show the
    # issue as printed, and no two entries share an updated time (a W3C warning).
    published = re.findall(r"<published>([^<]+)</published>", atom)
    assert published == [f"2023-10-27T00:00:0{5 - n}+08:00" for n in range(5)]
    updated = re.findall(r"<updated>([^<]+)</updated>", atom)
    assert len(set(updated[1:])) == 5
    assert updated[0] == max(updated[1:])  # the feed's own updated is its newest entry's
    for stamp in updated:
        assert stamp.endswith("+08:00")
    rss = feed_path(site, "rss.xml").read_text(encoding="utf-8")
    assert 'rel="self" type="application/rss+xml"' in rss
    assert "<pubDate>Fri, 27 Oct 2023 00:00:05 +0800</pubDate>" in rss
    assert "<language>zh-CN</language>" in rss
    assert "<content:encoded>" in rss and "<dc:creator>周程林</dc:creator>" in rss
    assert '<guid isPermaLink="false">tag:localhost,2023-10-27:xinjimo/2890/1</guid>' in rss


def test_time_zone_and_base_url_come_from_settings(
    env: dict[str, str], sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLISHER_PUBLICATION_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("PUBLISHER_SITE_BASE_URL", "https://news.example.cn/paper")
    app = Publisher(load_settings())
    try:
        publish(app, sample_path)
        atom = feed_path(app.settings.site_dir, "atom.xml").read_text(encoding="utf-8")
    finally:
        app.close()
    assert "<published>2023-10-27T00:00:05+02:00</published>" in atom
    assert '<link href="https://news.example.cn/paper/xinjimo/2890/1/"' in atom
    assert "<id>tag:news.example.cn,2023-10-27:xinjimo/2890/1</id>" in atom


def test_json_feed_has_the_fields_json_feed_1_1_requires(site: Path) -> None:
    # feedparser 6 does not read JSON Feed, so this checks the 1.1 spec's fields directly.
    feed = json.loads(feed_path(site, "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "新即墨"
    assert feed["feed_url"] == "http://localhost:8000/xinjimo/feeds/feed.json"
    assert feed["home_page_url"] == "http://localhost:8000/xinjimo/"
    assert feed["language"] == "zh-CN"
    assert feed["authors"] == [{"name": "即墨融媒体中心"}]
    assert len(feed["items"]) == 5
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item["content_html"] and item["summary"]
        assert item["url"].startswith("http://localhost:8000/xinjimo/2890/")
        assert dt.datetime.fromisoformat(item["date_published"]).utcoffset() == dt.timedelta(
            hours=8
        )
        assert all(a["name"] for a in item["authors"])
    assert feed["items"][4]["tags"] == ["第2890期", "简讯"]


def test_issues_feed_lists_each_issue_with_its_contents(site: Path) -> None:
    parsed = feedparser.parse(feed_path(site, "issues.atom.xml").read_bytes())
    assert parsed.bozo == 0
    (entry,) = parsed.entries
    assert entry.title == fw("新即墨 第2890期(2023年10月27日)")
    assert entry.link == "http://localhost:8000/xinjimo/2890/"
    assert entry.id == "tag:localhost,2023-10-27:xinjimo/2890"
    html = entry.content[0].value
    for title in SAMPLE_TITLES:
        assert title in html
    assert "德国ITEM项目是我区首家实现“竣工即投产”的企业" in html  # the kicker


def test_ids_survive_a_replace_and_updated_moves(
    app: Publisher, site: Path, sample_path: Path
) -> None:
    def entries() -> dict[str, tuple[str, str]]:
        parsed = feedparser.parse(feed_path(site, "atom.xml").read_bytes())
        return {e.link: (e.id, e.updated) for e in parsed.entries}

    before = entries()
    text = sample_path.read_text(encoding="utf-8")
    sample_path.write_text(text.replace("倾听企业心声", "倾听企业的心声"), encoding="utf-8")
    publish(app, sample_path, replace=True)
    after = entries()
    assert {link: ids[0] for link, ids in after.items()} == {
        link: ids[0] for link, ids in before.items()
    }
    assert all(after[link][1] >= before[link][1] for link in before)
    assert "倾听企业的心声" in feed_path(site, "atom.xml").read_text(encoding="utf-8")


def test_feeds_hold_only_the_newest_issues(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLISHER_SITE_FEED_ISSUES", "2")
    app = Publisher(load_settings())
    try:
        paths = [write_issue(tmp_path, n, dt.date(2024, 1, n)) for n in (1, 2, 3)]
        publish(app, *paths)
        parsed = feedparser.parse(feed_path(app.settings.site_dir, "atom.xml").read_bytes())
    finally:
        app.close()
    assert [e.title for e in parsed.entries] == [
        "区里召开会议",
        "主标题3号",
        "区里召开会议",
        "主标题2号",
    ]
    assert parsed.entries[0].id.endswith("/3/1")


def test_rebuilding_an_unchanged_archive_gives_identical_bytes(app: Publisher, site: Path) -> None:
    names = ["atom.xml", "rss.xml", "feed.json", "issues.atom.xml"]
    before = {name: feed_path(site, name).read_bytes() for name in names}
    report = build_all(app)
    assert report.changed == []
    assert {name: feed_path(site, name).read_bytes() for name in names} == before
