"""An issue as every renderer sees it: cleaned, typeset, with its links and dates.

Feeds, pages and the digest all read these views and never the raw issue, so
untrusted text is made safe once and every output agrees on titles, ledes,
permalinks, ids and dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from publisher.config import Settings
from publisher.model import Article, Issue
from publisher.render.links import Links
from publisher.render.text import clean, clean_one_line, excerpt, typeset
from publisher.store.archive import IssueSummary, StoredIssue

UNTITLED = "(无题)"


@dataclass(frozen=True)
class ArticleView:
    """One article, ready to print."""

    slug: str
    kicker: str | None
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    paragraphs: tuple[str, ...]
    untitled: bool
    lede: str
    url: str
    id: str
    published: dt.datetime
    updated: dt.datetime


class _Numbered:
    """How an issue's number and date are printed, for views that have both."""

    number: int
    date: dt.date

    @property
    def label(self) -> str:
        """The issue as the masthead names it: 第2890期."""
        return f"第{self.number}期"

    @property
    def date_text(self) -> str:
        """The date in Chinese: 2023年10月27日."""
        return _chinese_date(self.date)


@dataclass(frozen=True)
class IssueView(_Numbered):
    """One issue, ready to print."""

    publication: str
    publication_slug: str
    number: int
    date: dt.date
    weekday: str | None
    lunar_date: str | None
    organizers: tuple[str, ...]
    publisher: str | None
    articles: tuple[ArticleView, ...]
    url: str
    id: str
    web_digest_url: str
    published: dt.datetime
    updated: dt.datetime
    language: str

    @property
    def last_modified(self) -> dt.datetime:
        """The latest updated time of the issue and its articles."""
        return max([self.updated, *(a.updated for a in self.articles)])

    @property
    def dateline(self) -> str:
        """Date, weekday, lunar date and number, as printed under the masthead."""
        parts = (self.date_text, self.weekday, self.lunar_date, self.label)
        return " ".join(p for p in parts if p)

    @property
    def credit(self) -> str:
        """Who answers for the issue: its publisher, else the publication."""
        return self.publisher or self.publication

    def authors(self, article: ArticleView) -> tuple[str, ...]:
        """The article's authors, or the publisher for an unsigned article (feeds need one)."""
        return article.authors or (self.credit,)

    @property
    def title(self) -> str:
        """The issue's name in lists and feeds: 新即墨 第2890期."""
        return f"{self.publication} {self.label}"


@dataclass(frozen=True)
class SummaryView(_Numbered):
    """One issue in a long listing: its number, date and lead title, no text."""

    number: int
    date: dt.date
    title: str
    articles: int
    url: str


def stored_view(stored: StoredIssue, settings: Settings) -> IssueView:
    """The view of an issue read from the archive, dated by its last change."""
    return issue_view(stored.issue, stored.publication_slug, settings, stored.updated_at)


def summary_view(summary: IssueSummary, links: Links) -> SummaryView:
    """The listing entry of a stored issue."""
    return SummaryView(
        number=summary.number,
        date=dt.date.fromisoformat(summary.date),
        title=typeset(clean_one_line(summary.title)),
        articles=summary.articles,
        url=links.url(links.issue(summary.number)),
    )


def issue_view(
    issue: Issue, publication_slug: str, settings: Settings, updated_at: dt.datetime | None = None
) -> IssueView:
    """The view of ``issue`` for the configured site; ``updated_at`` is its last change."""
    links = Links(settings.site.base_url, publication_slug)
    # An issue appears at the start of its day in the publication's own time zone;
    # when it was stored (or corrected with --replace) later, that is its updated time.
    # Microseconds stay: two issues stored in one second must not share a timestamp.
    published = dt.datetime.combine(issue.date, dt.time(0), settings.timezone)
    updated = published
    if updated_at is not None:
        updated = max(published, updated_at.astimezone(settings.timezone))
    count = len(issue.articles)
    return IssueView(
        publication=clean_one_line(issue.publication),
        publication_slug=publication_slug,
        number=issue.number,
        date=issue.date,
        weekday=_optional(issue.weekday),
        lunar_date=_optional(issue.lunar_date),
        organizers=tuple(clean_one_line(o) for o in issue.organizers),
        publisher=_optional(issue.publisher),
        articles=tuple(
            # Print order as time: the lead story is the latest by a second, so readers
            # that sort by date list the issue as printed, and no two entries share one.
            _article_view(
                issue, a, links, published + _second(count - i), updated + _second(count - i)
            )
            for i, a in enumerate(issue.articles)
        ),
        url=links.url(links.issue(issue.number)),
        id=links.entry_id(issue.date, issue.number),
        web_digest_url=links.url(links.web_digest(issue.number)),
        published=published,
        updated=updated,
        language=settings.publication.language,
    )


def _article_view(
    issue: Issue, article: Article, links: Links, published: dt.datetime, updated: dt.datetime
) -> ArticleView:
    paragraphs = tuple(typeset(clean(p)) for p in article.paragraphs if clean(p).strip())
    return ArticleView(
        slug=article.slug,
        kicker=_optional(article.kicker),
        # A title made only of control characters must still name the entry.
        title=typeset(clean_one_line(article.title)) or UNTITLED,
        subtitle=_optional(article.subtitle),
        authors=tuple(clean_one_line(a) for a in article.authors),
        paragraphs=paragraphs,
        untitled=article.untitled,
        lede=excerpt(paragraphs[0]) if paragraphs else "",
        url=links.url(links.article(issue.number, article.slug)),
        id=links.entry_id(issue.date, issue.number, article.slug),
        published=published,
        updated=updated,
    )


def _second(count: int) -> dt.timedelta:
    return dt.timedelta(seconds=count)


def _chinese_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def _optional(text: str | None) -> str | None:
    if text is None:
        return None
    return typeset(clean_one_line(text)) or None
