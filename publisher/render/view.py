"""An issue as every renderer sees it: cleaned, typeset, with its links and dates.

Feeds, pages and the digest all read these views and never the raw issue, so
untrusted text is made safe once and every output agrees on titles, ledes,
permalinks, ids and dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from publisher.config import Settings
from publisher.images import ImageInfo, site_name
from publisher.model import Article, Figure, Issue
from publisher.render.blocks import Block, blocks_of
from publisher.render.links import Links
from publisher.render.text import clean, clean_one_line, excerpt, typeset
from publisher.store.archive import IssueSummary, StoredIssue

UNTITLED = "\uff08\u65e0\u9898\uff09"  # (无题) with full-width parentheses
BRIEF = "简讯"
PHOTO_BRIEF = "图片新闻"


@dataclass(frozen=True)
class FigureView:
    """A photo as printed: its image in the site (None when the file is missing) and caption."""

    url: str | None
    alt: str
    caption: str | None
    credit: str | None
    media_type: str | None = None
    length: int | None = None  # bytes, for feed enclosures

    @property
    def legend(self) -> str:
        """Caption and photographer on one line, as under a printed photo."""
        credit = f"{self.credit} 摄" if self.credit else ""
        return " ".join(p for p in (self.caption, credit) if p)


@dataclass(frozen=True)
class Section:
    """The articles of one printed page (版), for the issue's table of contents."""

    label: str | None  # 第1版 要闻; None when the issue does not say
    articles: tuple[ArticleView, ...]


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
    blocks: tuple[Block, ...] = ()  # the paragraphs as text, quotes and lists
    figures: tuple[FigureView, ...] = ()
    note: str | None = None  # the editor's note (编者按)
    source: str | None = None  # the agency: 本报, 新华社…
    page: str | None = None  # where it is printed: 第3版 要闻

    @property
    def label(self) -> str | None:
        """A brief's label (简讯, 图片新闻); None for a headed article."""
        return (self.kicker or BRIEF) if self.untitled else None

    @property
    def shown_kicker(self) -> str | None:
        """The kicker printed above the title: a brief's kicker is its label instead."""
        return None if self.untitled else self.kicker

    @property
    def photo_brief(self) -> bool:
        """A photo with its caption and little or no text (图片新闻): the photo leads."""
        return self.untitled and self.kicker == PHOTO_BRIEF

    @property
    def images(self) -> tuple[FigureView, ...]:
        """The figures whose image file is in the site."""
        return tuple(f for f in self.figures if f.url)


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

    @property
    def sections(self) -> tuple[Section, ...]:
        """The articles grouped by the page they are printed on, in print order."""
        sections: list[Section] = []
        for article in self.articles:
            if sections and sections[-1].label == article.page:
                last = sections[-1]
                sections[-1] = Section(last.label, (*last.articles, article))
            else:
                sections.append(Section(article.page, (article,)))
        return tuple(sections)


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
    return issue_view(
        stored.issue, stored.publication_slug, settings, stored.updated_at, stored.images
    )


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
    issue: Issue,
    publication_slug: str,
    settings: Settings,
    updated_at: dt.datetime | None = None,
    images: Sequence[ImageInfo] = (),
) -> IssueView:
    """The view of ``issue`` for the configured site; ``updated_at`` is its last change.

    ``images`` are the stored files of its figures; a figure without one shows
    its caption only.
    """
    links = Links(settings.site.base_url, publication_slug)
    files = {image.name: image for image in images}
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
                issue,
                a,
                links,
                files,
                published + _second(count - i),
                updated + _second(count - i),
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
    issue: Issue,
    article: Article,
    links: Links,
    files: dict[str, ImageInfo],
    published: dt.datetime,
    updated: dt.datetime,
) -> ArticleView:
    blocks = blocks_of(article.paragraphs, article.quotes)
    paragraphs = tuple(b.text for b in blocks)
    figures = tuple(_figure_view(issue.number, f, links, files) for f in article.figures)
    kicker = _optional(article.kicker)
    # A title made only of control characters must still name the entry; a brief
    # the paper printed without one is named by its label.
    fallback = (kicker or BRIEF) if article.untitled else UNTITLED
    return ArticleView(
        slug=article.slug,
        kicker=kicker,
        title=typeset(clean_one_line(article.title or "")) or fallback,
        subtitle=_optional(article.subtitle),
        authors=tuple(clean_one_line(a) for a in article.authors),
        paragraphs=paragraphs,
        untitled=article.untitled,
        lede=_lede(blocks, figures),
        url=links.url(links.article(issue.number, article.slug)),
        id=links.entry_id(issue.date, issue.number, article.slug),
        published=published,
        updated=updated,
        blocks=blocks,
        figures=figures,
        note=_optional_text(article.note),
        source=_optional(article.source),
        page=_page_label(article.page, article.page_name),
    )


def _lede(blocks: tuple[Block, ...], figures: tuple[FigureView, ...]) -> str:
    """The first plain paragraph, shortened; else the first block; else a photo's caption."""
    texts = [b.text for b in blocks if b.kind == "text"] or [b.text for b in blocks]
    texts += [f.legend for f in figures if f.legend]
    return excerpt(clean_one_line(texts[0])) if texts else ""


def _figure_view(
    number: int, figure: Figure, links: Links, files: dict[str, ImageInfo]
) -> FigureView:
    stored = files.get(figure.src) if figure.src else None
    url = None
    if stored is not None:
        url = links.url(links.image(number, site_name(stored.name, stored.media_type)))
    return FigureView(
        url=url,
        alt=clean_one_line(figure.alt),
        caption=_optional(figure.caption),
        credit=_optional(figure.credit),
        media_type=stored.media_type if stored else None,
        length=stored.length if stored else None,
    )


def _page_label(page: str | None, name: str | None) -> str | None:
    """The page as the paper names it: 第3版 要闻, A3版 要闻, or None."""
    number = clean_one_line(page or "")
    if not number:
        return None
    label = f"第{number}版" if number.isdigit() else f"{number}版"
    named = _optional(name)
    return f"{label} {named}" if named else label


def _second(count: int) -> dt.timedelta:
    return dt.timedelta(seconds=count)


def _chinese_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def _optional(text: str | None) -> str | None:
    if text is None:
        return None
    return typeset(clean_one_line(text)) or None


def _optional_text(text: str | None) -> str | None:
    """Like ``_optional`` for several paragraphs: line breaks are kept."""
    if text is None:
        return None
    lines = (typeset(clean_one_line(line)) for line in clean(text).split("\n"))
    return "\n".join(line for line in lines if line) or None
