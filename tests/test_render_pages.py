"""The static web archive: pages, permalinks, typography, incremental and atomic builds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lxml.html
import pytest

from publisher.app import Publisher
from publisher.errors import RenderError
from publisher.model import Article, Issue
from publisher.render.build import build_changed, build_issue
from publisher.render.files import write_atomic

from .render_support import fw, publish, write_issue

FEED_TYPES = [
    "application/atom+xml",
    "application/rss+xml",
    "application/feed+json",
    "application/atom+xml",
]


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def meta(doc: lxml.html.HtmlElement, prop: str) -> str:
    (value,) = doc.xpath(f"//meta[@property='{prop}']/@content")
    return value


def test_issue_page_is_the_papers_table_of_contents(site: Path) -> None:
    doc = page(site / "xinjimo" / "2890" / "index.html")
    assert doc.get("lang") == "zh-CN"
    assert doc.findtext(".//title") == "新即墨 第2890期"
    assert "2023年10月27日 星期五 农历九月十三 第2890期" in doc.text_content()
    items = doc.xpath("//ol[@class='toc']/li")
    assert len(items) == 5
    kicker_item = items[3]
    # The kicker stands above the title, as printed.
    assert kicker_item.xpath("./p[@class='kicker']/text()") == [
        "德国ITEM项目是我区首家实现“竣工即投产”的企业"
    ]
    assert kicker_item.xpath("./h2/a/text()") == [fw("一个“即”字,收益几何?")]
    assert kicker_item.xpath("./p[@class='byline']/text()") == ["刘元平 刘翔宇"]
    assert items[4].xpath(".//span[@class='brief-label']/text()") == ["简讯"]
    links = doc.xpath("//ol[@class='toc']//h2/a/@href")
    assert links == [f"http://localhost:8000/xinjimo/2890/{n}/" for n in range(1, 6)]
    for n in range(1, 6):
        assert (site / "xinjimo" / "2890" / str(n) / "index.html").is_file()
    assert "中共青岛即墨区委 即墨区人民政府 主办" in doc.xpath("string(//footer)")


def test_pages_offer_feed_autodiscovery_and_open_graph(site: Path) -> None:
    for path in (
        site / "xinjimo" / "index.html",
        site / "xinjimo" / "2890" / "index.html",
        site / "xinjimo" / "2890" / "4" / "index.html",
        site / "xinjimo" / "archive" / "2023" / "index.html",
    ):
        doc = page(path)
        alternates = doc.xpath("//head/link[@rel='alternate']")
        assert [link.get("type") for link in alternates] == FEED_TYPES
        for link in alternates:
            feed = link.get("href").removeprefix("http://localhost:8000/")
            assert (site / feed).is_file(), feed
        assert meta(doc, "og:url") == doc.xpath("//link[@rel='canonical']/@href")[0]
        assert meta(doc, "og:site_name") == "新即墨"
        assert meta(doc, "og:locale") == "zh_CN"
        assert not doc.xpath("//script"), "pages must be readable without JavaScript"
    article = page(site / "xinjimo" / "2890" / "4" / "index.html")
    assert meta(article, "og:type") == "article"
    assert meta(article, "og:title") == fw("一个“即”字,收益几何?") + " - 新即墨 第2890期"
    assert meta(article, "og:description").startswith(fw("一个“即”字,收益几何?落户我区"))
    assert meta(article, "article:published_time") == "2023-10-27T00:00:02+08:00"


def test_article_permalink_page_has_the_whole_text(site: Path) -> None:
    doc = page(site / "xinjimo" / "2890" / "4" / "index.html")
    story = doc.xpath("//article[@class='story']")[0]
    assert story.xpath(".//h1/text()") == [fw("一个“即”字,收益几何?")]
    paragraphs = story.xpath("./p")
    assert len(paragraphs) == 7
    # The paragraph broken across columns in print is one paragraph here.
    assert "以全过程数字化管理为抓手" in paragraphs[3].text_content()
    # Half-width punctuation between Chinese characters is set full-width for display.
    assert paragraphs[0].text_content().startswith(fw("一个“即”字,收益几何?落户我区"))
    assert doc.xpath("//nav//a[text()='本期目录']/@href") == ["http://localhost:8000/xinjimo/2890/"]


def test_stylesheet_sets_chinese_typography(site: Path) -> None:
    css = (site / "assets" / "site.css").read_text(encoding="utf-8")
    assert '"Noto Sans CJK SC"' in css and '"PingFang SC"' in css
    assert "text-indent: 2em" in css
    assert "line-height: 1.8" in css
    assert "line-break: strict" in css
    doc = page(site / "xinjimo" / "2890" / "1" / "index.html")
    assert doc.xpath("//link[@rel='stylesheet']/@href") == ["http://localhost:8000/assets/site.css"]
    assert doc.xpath("//meta[@name='viewport']/@content") == ["width=device-width, initial-scale=1"]


def test_index_year_and_home_pages_list_the_issues(app: Publisher, tmp_path: Path) -> None:
    paths = [
        write_issue(tmp_path, 1, dt.date(2023, 12, 30)),
        write_issue(tmp_path, 2, dt.date(2024, 1, 2)),
        write_issue(tmp_path, 3, dt.date(2024, 1, 3)),
    ]
    publish(app, *paths)
    site = app.settings.site_dir
    index = page(site / "xinjimo" / "index.html")
    assert index.xpath("//ol[@class='issue-list']/li/h2/a/text()") == ["第3期", "第2期", "第1期"]
    assert index.xpath("//nav[@aria-label='往期']//a/text()") == ["2024年", "2023年"]
    year = page(site / "xinjimo" / "archive" / "2024" / "index.html")
    assert year.xpath("//ol[@class='issue-list']/li/h2/a/text()") == ["第3期", "第2期"]
    assert "2024年1月3日 · 2篇" in year.text_content()
    assert page(site / "xinjimo" / "archive" / "2023" / "index.html").xpath("//h2/a/text()") == [
        "第1期"
    ]
    home = page(site / "index.html")
    assert home.xpath("//h2/a/@href") == ["http://localhost:8000/xinjimo/"]


def test_publishing_one_issue_touches_only_what_lists_it(app: Publisher, tmp_path: Path) -> None:
    old = [write_issue(tmp_path, n, dt.date(2023, 5, n)) for n in (1, 2)]
    publish(app, *old)
    site = app.settings.site_dir
    old_page = site / "xinjimo" / "1" / "index.html"
    stamp = old_page.stat().st_mtime_ns

    report = publish(app, write_issue(tmp_path, 3, dt.date(2024, 2, 1)))

    assert [(b.publication, b.number) for b in report.issues] == [("新即墨", 3)]
    changed = {p.relative_to(site).as_posix() for p in report.changed}
    assert changed == {
        "xinjimo/3/index.html",
        "xinjimo/3/1/index.html",
        "xinjimo/3/2/index.html",
        "xinjimo/3/email.html",
        "xinjimo/archive/2024/index.html",
        "xinjimo/index.html",
        "xinjimo/feeds/atom.xml",
        "xinjimo/feeds/rss.xml",
        "xinjimo/feeds/feed.json",
        "xinjimo/feeds/issues.atom.xml",
    }
    assert old_page.stat().st_mtime_ns == stamp
    # The 2023 listing links to 2024 only through the front page, so it is not rebuilt.
    assert "2024年" not in (site / "xinjimo" / "archive" / "2023" / "index.html").read_text(
        encoding="utf-8"
    )
    assert build_changed(app).issues == []


def test_a_replaced_issue_that_lost_an_article_loses_its_page(
    app: Publisher, tmp_path: Path
) -> None:
    path = write_issue(tmp_path, 1, dt.date(2024, 1, 1))
    publish(app, path)
    article_dir = app.settings.site_dir / "xinjimo" / "1" / "2"
    assert (article_dir / "index.html").is_file()
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("## 主标题")], encoding="utf-8")
    publish(app, path, replace=True)
    assert not article_dir.exists()
    assert (app.settings.site_dir / "xinjimo" / "1" / "1" / "index.html").is_file()


def test_subtitles_are_printed_under_their_title(app: Publisher) -> None:
    issue = Issue(
        publication="新即墨",
        number=9,
        date=dt.date(2024, 3, 1),
        articles=(Article(title="主标题", kicker="引题", subtitle="副题", paragraphs=("正文。",)),),
    )
    app.archive.save(issue)
    build_issue(app, 9)
    doc = page(app.settings.site_dir / "xinjimo" / "9" / "1" / "index.html")
    header = doc.xpath("//article/header")[0]
    assert [e.text_content() for e in header] == ["引题", "主标题", "——副题"]


def test_write_atomic_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "feeds" / "atom.xml"
    assert write_atomic(target, "first version", public_root=tmp_path)
    reader = target.open("rb")  # a feed reader that opened the file mid-build
    assert write_atomic(target, "second version, longer than the first", public_root=tmp_path)
    assert reader.read() == b"first version"  # it still sees one whole file
    reader.close()
    assert target.read_text() == "second version, longer than the first"
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert not write_atomic(target, "second version, longer than the first", public_root=tmp_path)
    assert [p.name for p in target.parent.iterdir()] == ["atom.xml"]  # no temporary files left


def test_write_atomic_failure_when_the_directory_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "site").write_text("not a directory")
    with pytest.raises(RenderError, match="site directory"):
        write_atomic(tmp_path / "site" / "index.html", "page")


def test_years_without_issues_get_no_link(app: Publisher, tmp_path: Path) -> None:
    paths = [
        write_issue(tmp_path, 1, dt.date(2021, 6, 1)),
        write_issue(tmp_path, 2, dt.date(2023, 6, 1)),
    ]
    publish(app, *paths)
    site = app.settings.site_dir
    index = page(site / "xinjimo" / "index.html")
    assert index.xpath("//nav[@aria-label='往期']//a/text()") == ["2023年", "2021年"]
    assert not (site / "xinjimo" / "archive" / "2022").exists()
    publish(app, write_issue(tmp_path, 3, dt.date(2024, 1, 1)))
    index = page(site / "xinjimo" / "index.html")
    assert index.xpath("//nav[@aria-label='往期']//a/text()") == ["2024年", "2023年", "2021年"]


def test_an_issue_numbered_like_a_year_keeps_its_own_page(app: Publisher, tmp_path: Path) -> None:
    publish(app, write_issue(tmp_path, 2024, dt.date(2024, 1, 1)))
    site = app.settings.site_dir / "xinjimo"
    assert page(site / "2024" / "index.html").xpath("//h1/text()") == ["第2024期"]
    assert page(site / "archive" / "2024" / "index.html").xpath("//h2/a/text()") == ["第2024期"]
