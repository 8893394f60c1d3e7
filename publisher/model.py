"""The domain: a parsed issue of a publication and its articles.

Pure data, no I/O. The parser produces these, the store keeps them, the
renderers and the delivery stage read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True)
class Figure:
    """A photo printed with an article: its file, alt text, caption and photographer.

    ``src`` is the image's path as written in the issue (relative to the issue
    file); ``None`` when only a caption was printed (the text lost its picture).
    """

    src: str | None = None
    alt: str = ""
    caption: str | None = None
    credit: str | None = None  # the photographer(s), names joined with 、

    def to_json(self) -> dict[str, Any]:
        """The figure in the shape of ``publisher show --json``."""
        return {"src": self.src, "alt": self.alt, "caption": self.caption, "credit": self.credit}


@dataclass(frozen=True)
class Article:
    """One article: an optional kicker (引题) over a title, an optional subtitle (副题).

    ``untitled`` marks a brief (图片新闻/简讯) printed without a headline; its
    ``title`` is derived from its first clause so that feeds and email can list it.
    """

    title: str
    paragraphs: tuple[str, ...] = ()
    kicker: str | None = None
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    untitled: bool = False
    slug: str = ""
    source: str | None = None  # the agency of a lead credit: 本报, 新华社, 中新社…
    page: str | None = None  # the page (版) it is printed on: "3", "A3"
    page_name: str | None = None  # that page's name as printed: 要闻, 综合…
    figures: tuple[Figure, ...] = ()
    note: str | None = None  # the editor's note (编者按) printed before it
    # Indexes of paragraphs that are block quotes; a list is one paragraph, an item a line.
    quotes: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The article in the shape of ``publisher show --json``."""
        return {
            "slug": self.slug,
            "kicker": self.kicker,
            "title": self.title,
            "subtitle": self.subtitle,
            "authors": list(self.authors),
            "paragraphs": list(self.paragraphs),
            "untitled": self.untitled,
            "source": self.source,
            "page": self.page,
            "page_name": self.page_name,
            "figures": [f.to_json() for f in self.figures],
            "note": self.note,
            "quotes": list(self.quotes),
        }


@dataclass(frozen=True)
class Issue:
    """One numbered issue of a publication, as printed."""

    publication: str
    number: int
    date: dt.date
    articles: tuple[Article, ...]
    weekday: str | None = None
    lunar_date: str | None = None
    organizers: tuple[str, ...] = ()
    publisher: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # other front-matter fields

    def to_json(self) -> dict[str, Any]:
        """The issue in the shape of ``publisher show --json`` (a contract: keep it stable)."""
        return {
            "publication": self.publication,
            "number": self.number,
            "date": self.date.isoformat(),
            "weekday": self.weekday,
            "lunar_date": self.lunar_date,
            "organizers": list(self.organizers),
            "publisher": self.publisher,
            "articles": [a.to_json() for a in self.articles],
        }

    def content_key(self) -> dict[str, Any]:
        """What makes two ingests of an issue 'the same content' (slugs are ours, not content)."""
        data = asdict(self)
        for article in data["articles"]:
            article.pop("slug")
        data["date"] = self.date.isoformat()
        return data

    def article(self, slug: str) -> Article | None:
        """The article with this slug, if any."""
        return next((a for a in self.articles if a.slug == slug), None)


def weekday_of(date: dt.date) -> str:
    """The Chinese weekday name printed on the masthead for ``date``."""
    return WEEKDAYS[date.weekday()]
