"""Atom and RSS feeds of a publication's newest issues (feedgen).

Pure: views in, feed documents out. Entry ids are tag: URIs made from stable
keys (see ``links``), dates carry the publication's UTC offset, and nothing
depends on the clock, so rebuilding an unchanged archive gives identical bytes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from publisher.render.links import Links
from publisher.render.templating import render
from publisher.render.text import TITLE_SEPARATOR, typeset
from publisher.render.view import ArticleView, IssueView

ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"


def atom_feed(issues: Sequence[IssueView], links: Links) -> bytes:
    """Atom 1.0: one entry per article of ``issues`` (newest issue first)."""
    feed = _articles(issues, links, "atom", ATOM_TYPE)
    return _atom_bytes(feed)


def rss_feed(issues: Sequence[IssueView], links: Links) -> bytes:
    """RSS 2.0 with ``content:encoded`` and ``dc:creator``: one item per article."""
    feed = _articles(issues, links, "rss", RSS_TYPE)
    return feed.rss_str(pretty=True)


def issues_feed(issues: Sequence[IssueView], links: Links) -> bytes:
    """Atom 1.0: one entry per issue, its table of contents as content."""
    feed = _generator(
        issues, links, "issues", ATOM_TYPE, typeset(f"{issues[0].publication}:每期目录")
    )
    for issue in issues:
        entry = feed.add_entry(order="append")
        entry.id(issue.id)
        entry.title(typeset(f"{issue.title}({issue.date_text})"))
        entry.link(href=issue.url, rel="alternate", type="text/html")
        entry.author(name=issue.credit)
        entry.content(render("issue_entry.html", issue=issue), type="html")
        entry.summary(TITLE_SEPARATOR.join(a.title for a in issue.articles))
        entry.category(term=issue.label)
        entry.published(issue.published)
        entry.updated(issue.updated)
    return _atom_bytes(feed)


def _atom_bytes(feed: FeedGenerator) -> bytes:
    """The Atom document, with each entry link's ``rel``, ``type`` and ``length`` restored.

    feedgen 1.0 drops those attributes when it writes an entry's links, which
    would make a photo's enclosure a second alternate link (invalid Atom).
    """
    root = etree.fromstring(feed.atom_str(pretty=True))
    for entry, element in zip(feed.entry(), root.iter(f"{ATOM}entry"), strict=True):
        for link, node in zip(entry.link(), element.iter(f"{ATOM}link"), strict=True):
            for key in ("rel", "type", "length"):
                if link.get(key):
                    node.set(key, link[key])
    return etree.tostring(
        root.getroottree(), pretty_print=True, encoding="UTF-8", xml_declaration=True
    )


def _articles(
    issues: Sequence[IssueView], links: Links, kind: str, self_type: str
) -> FeedGenerator:
    feed = _generator(
        issues, links, kind, self_type, typeset(f"{issues[0].publication}:每期文章全文")
    )
    for issue in issues:
        for article in issue.articles:
            _article_entry(feed.add_entry(order="append"), issue, article, rss=kind == "rss")
    return feed


def _generator(
    issues: Sequence[IssueView], links: Links, kind: str, self_type: str, subtitle: str
) -> FeedGenerator:
    newest = issues[0]
    feed = FeedGenerator()
    feed.load_extension("dc", atom=False, rss=True)
    feed.id(links.feed_id(kind))
    feed.title(newest.publication)
    feed.subtitle(subtitle)
    feed.language(newest.language)
    feed.author(name=newest.credit)
    feed.link(href=links.url(links.feed(kind)), rel="self", type=self_type)
    # RSS takes its one <link> from the last link given: the site, not the feed.
    feed.link(href=links.url(links.index()), rel="alternate", type="text/html")
    updated = max(issue.last_modified for issue in issues)
    feed.updated(updated)
    # feedgen stamps RSS with the clock by default; the content's date keeps rebuilds identical.
    feed.lastBuildDate(updated)
    feed.pubDate(updated)
    return feed


def _article_entry(entry: FeedEntry, issue: IssueView, article: ArticleView, *, rss: bool) -> None:
    entry.id(article.id)
    entry.guid(article.id, permalink=False)
    # Many RSS readers show <title> as HTML although the spec says text; escaping
    # keeps a title such as "<script>" visible and inert there. Atom types it as text.
    entry.title(html.escape(article.title, quote=False) if rss else article.title)
    entry.link(href=article.url, rel="alternate", type="text/html")
    for name in issue.authors(article):
        entry.author(name=name)
        entry.dc.dc_creator(name)
    entry.summary(article.lede)
    # RSS readers take <description> as HTML, so the plain lede is escaped for it
    # (Atom's summary is typed text and needs nothing). feedgen's description()
    # also overwrites the Atom content, so the content is set after it.
    entry.description(html.escape(article.lede, quote=False))
    entry.content(render("entry.html", issue=issue, article=article), type="html")
    entry.category(term=issue.label)
    if article.label:
        entry.category(term=article.label)
    # Photos whose file is in the site travel as enclosures; RSS allows one per item.
    for figure in article.images[:1] if rss else article.images:
        entry.enclosure(figure.url, figure.length, figure.media_type)
    entry.published(article.published)
    entry.updated(article.updated)
