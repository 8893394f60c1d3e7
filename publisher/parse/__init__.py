"""The parser: the text of an issue in, a structured ``Issue`` out (or a clear ``InputError``).

Markdown is read by markdown-it-py (``blocks``); the newspaper's conventions are
small rules on top, one module each: ``dateline``, ``colophon``, ``headlines``,
``byline``, ``paragraphs``, ``briefs`` and ``frontmatter``. This module puts them
together in reading order. It does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from publisher.errors import InputError
from publisher.model import Article, Issue, weekday_of
from publisher.parse.blocks import Block, read_blocks
from publisher.parse.briefs import brief_title
from publisher.parse.byline import split_byline
from publisher.parse.colophon import Colophon, read_colophon
from publisher.parse.dateline import DateLine, read_dateline
from publisher.parse.decode import decode
from publisher.parse.doubts import Doubt
from publisher.parse.frontmatter import read_front_matter
from publisher.parse.headlines import clean_heading, group_headline
from publisher.parse.paragraphs import join_broken

__all__ = ["Doubt", "ParsedIssue", "decode", "parse_issue", "read_issue"]

# A masthead is a paper's name: short, and no sentence.
_MASTHEAD_MAX = 12
_MASTHEAD_FORBIDDEN = set('。,,!?!?::;;——()()“”"')


@dataclass(frozen=True)
class ParsedIssue:
    """An issue as the parser understood it, and what it doubts about its reading."""

    issue: Issue
    doubts: tuple[Doubt, ...] = ()


def parse_issue(text: str, source: str | None = None) -> Issue:
    """Parse the text of one issue. Raises ``InputError`` saying what is missing."""
    return read_issue(text, source).issue


def read_issue(text: str, source: str | None = None) -> ParsedIssue:
    """Parse the text of one issue, with its doubts. Raises ``InputError`` if it cannot be used."""
    document = read_blocks(text)
    front = read_front_matter(document.front_matter, source)
    blocks = list(document.blocks)

    masthead = _take_masthead(blocks, front.known.get("publication"))
    dateline = DateLine()
    colophon = Colophon()
    content: list[Block] = []
    for block in blocks:
        line = read_dateline(block.text)
        if line is not None:
            # Each page may repeat the date line: the first printed value of each part wins.
            dateline = _fill_missing(dateline, line)
            continue
        parsed = read_colophon(block.lines)
        if parsed is not None:
            colophon = colophon if colophon.organizers or colophon.publisher else parsed
            continue
        if block.kind == "heading" and masthead and clean_heading(block.text) == masthead:
            continue  # the masthead repeated at the top of another page
        content.append(block)

    known = front.known
    publication = known.get("publication") or masthead
    number = known.get("number", dateline.number)
    date = known.get("date", dateline.date)
    _require(publication, number, date, source)
    articles = assemble_articles(content)
    if not articles:
        raise InputError(
            "no articles found",
            "give each article a '## 标题' heading followed by its paragraphs",
            source=source,
        )
    return ParsedIssue(
        Issue(
            publication=publication,
            number=number,
            date=date,
            weekday=known.get("weekday") or dateline.weekday or weekday_of(date),
            lunar_date=known.get("lunar_date") or dateline.lunar_date,
            organizers=known.get("organizers", colophon.organizers),
            publisher=known.get("publisher") or colophon.publisher,
            articles=tuple(articles),
            extra=front.extra,
        )
    )


def _take_masthead(blocks: list[Block], publication: str | None) -> str | None:
    """Remove and return the masthead: the first heading, if it looks like a paper's name."""
    for i, block in enumerate(blocks):
        if read_dateline(block.text) or read_colophon(block.lines):
            continue  # a date line or colophon may be printed above the name
        if block.kind != "heading":
            return None
        name = clean_heading(block.text)
        looks_like_name = len(name) <= _MASTHEAD_MAX and not (set(name) & _MASTHEAD_FORBIDDEN)
        if name == publication or (publication is None and looks_like_name):
            del blocks[i]
            return name
        return None
    return None


def _fill_missing(known: DateLine, more: DateLine) -> DateLine:
    missing = {
        f.name: getattr(more, f.name) for f in fields(known) if getattr(known, f.name) is None
    }
    return replace(known, **missing)


def _require(publication: str | None, number: int | None, date: object, source: str | None) -> None:
    if not publication:
        raise InputError(
            "no publication name found",
            "start the file with the masthead ('# 新即墨') or add front matter 'publication: NAME'",
            source=source,
        )
    if number is None:
        raise InputError(
            "no issue number found",
            "add a date line such as '2023年10月27日 星期五 第2890期' or front matter 'number: 2890'",
            source=source,
        )
    if date is None:
        raise InputError(
            "no issue date found",
            "add a date line such as '2023年10月27日 星期五 第2890期' "
            "or front matter 'date: 2023-10-27'",
            source=source,
        )


@dataclass
class _Draft:
    """An article while its blocks are being read."""

    kicker: str | None = None
    title: str | None = None
    subtitle: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    closed: bool = False  # a byline was read: what follows belongs to a new article

    def finish(self) -> Article | None:
        paragraphs = join_broken(self.paragraphs)
        if self.title is None:
            if not paragraphs:
                return None
            return Article(
                title=brief_title(paragraphs[0]),
                paragraphs=tuple(paragraphs),
                authors=tuple(self.authors),
                untitled=True,
            )
        return Article(
            title=self.title,
            kicker=self.kicker,
            subtitle=self.subtitle,
            paragraphs=tuple(paragraphs),
            authors=tuple(self.authors),
        )


def assemble_articles(blocks: list[Block]) -> list[Article]:
    """Group content blocks (metadata already removed) into articles, in reading order.

    A run of headings opens an article; a byline closes it; paragraphs after a
    closed article and before the next heading form an untitled brief.
    """
    drafts: list[_Draft] = []
    headings: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            headings.append(clean_heading(block.text))
            continue
        if headings:
            headline = group_headline(headings)
            drafts.append(_Draft(headline.kicker, headline.title, headline.subtitle))
            headings = []
        body, authors = split_byline(block.text)
        if not body and authors and drafts and drafts[-1].closed:
            # A lone credit after a closed article (a photo credit) belongs to that article.
            drafts[-1].authors.extend(a for a in authors if a not in drafts[-1].authors)
            continue
        if not drafts or drafts[-1].closed:
            drafts.append(_Draft())
        draft = drafts[-1]
        if body:
            draft.paragraphs.append(body)
        if authors is not None:
            draft.authors.extend(authors)
            draft.closed = True
    if headings:
        headline = group_headline(headings)
        drafts.append(_Draft(headline.kicker, headline.title, headline.subtitle))
    articles = (draft.finish() for draft in drafts)
    return [a for a in articles if a is not None]


def parse_bytes(data: bytes, source: str | None = None) -> Issue:
    """Decode and parse the bytes of an issue file."""
    return parse_issue(decode(data, source), source)
