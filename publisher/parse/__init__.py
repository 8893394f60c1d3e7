"""The parser: the text of an issue in, a structured ``Issue`` out (or a clear ``InputError``).

Markdown is read by markdown-it-py (``blocks``); the newspaper's conventions are
small rules on top, one module each. This module reads what belongs to the
issue (front matter, masthead, date line, colophon, running headers); the
articles are assembled in ``articles``. It does no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from publisher.errors import InputError
from publisher.model import Issue, weekday_of
from publisher.parse.articles import assemble_articles
from publisher.parse.blocks import Block, read_blocks
from publisher.parse.colophon import Colophon, has_colophon_role, read_colophon
from publisher.parse.dateline import DateLine, dateline_doubts, merge_datelines, read_dateline
from publisher.parse.decode import decode
from publisher.parse.doubts import Doubt
from publisher.parse.frontmatter import read_front_matter
from publisher.parse.headlines import clean_heading
from publisher.parse.limits import check_limits
from publisher.parse.lunar import lunar_date_of
from publisher.parse.pages import RunningHeader, is_staff_line, read_running_header
from publisher.parse.text import fold

__all__ = ["Doubt", "ParsedIssue", "decode", "parse_issue", "read_issue"]

# A masthead is a paper's name: short, and no sentence.
_MASTHEAD_MAX = 12
_MASTHEAD_FORBIDDEN = set('\u3002\u2014\u201c\u201d",!?:;()')
# The longest a date line, running header, staff line or one-block colophon can be.
_METADATA_MAX = 120
# Page furniture is a short line naming a page, an issue, a date or a page's staff.
_PAGE_LINE_MAX = 60
_PAGE_HINT = re.compile(
    r"版|期|年|月|星期|礼拜|周[一二三四五六日天]|农历|[A-Z\uff21-\uff3a]\s?\d|编|校|审"
    r"|\d{4}\s*-\s*\d|[\uff10-\uff19]{4}\s*-"
)
# A colophon may run over a few short paragraphs, each a name or two.
_COLOPHON_BLOCKS = 4
_COLOPHON_PART = 40


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
    check_limits(text, source)
    document = read_blocks(text)
    front = read_front_matter(document.front_matter, source)
    blocks = [part for block in document.blocks for part in _split_page_lines(block, source)]

    masthead = _take_masthead(blocks, front.known.get("publication"), source)
    dateline = DateLine()
    colophon = Colophon()
    doubts: list[Doubt] = []
    page: RunningHeader | None = None
    content: list[tuple[Block, RunningHeader | None]] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        i += 1
        if block.kind in ("item", "image"):
            content.append((block, page))
            continue
        if not _may_be_metadata(block.text):
            content.append((block, page))  # a paragraph of text: the common case
            continue
        paged = _PAGE_HINT.search(block.text) is not None
        if paged and is_staff_line(block.text):
            doubts.append(Doubt("running-header-dropped", block.text))
            continue
        if paged and (header := read_running_header(block.text)):
            # Print-to-text repeats each page's header: it names the page, and is no text.
            page = header
            doubts.append(Doubt("running-header-dropped", block.text))
            line = read_dateline(header.date_text, source=source) if header.date_text else None
            if line is not None:
                dateline = merge_datelines(dateline, line, source)
            continue
        line = read_dateline(block.text, source=source) if paged else None
        if line is not None:
            # Each page may repeat the date line: the repeats must agree with the first.
            dateline = merge_datelines(dateline, line, source)
            continue
        parsed, taken = _read_colophon(blocks, i - 1)
        if parsed is not None:
            colophon = Colophon(
                colophon.organizers or parsed.organizers, colophon.publisher or parsed.publisher
            )
            i += taken - 1
            continue
        if masthead and masthead[0] in block.text and clean_heading(block.text) == masthead:
            continue  # the masthead repeated at the top of another page
        content.append((block, page))

    known = front.known
    publication = known.get("publication") or masthead
    number = known.get("number", dateline.number)
    date = known.get("date", dateline.date)
    publication, number, date = _require(publication, number, date, source)
    articles, article_doubts = assemble_articles(content)
    if not articles:
        raise InputError(
            "no articles found",
            "give each article a '## 标题' heading followed by its paragraphs",
            source=source,
        )
    doubts[:0] = dateline_doubts(replace(dateline, date=date), date)
    return ParsedIssue(
        Issue(
            publication=publication,
            number=number,
            date=date,
            weekday=known.get("weekday") or dateline.weekday or weekday_of(date),
            lunar_date=known.get("lunar_date") or dateline.lunar_date or lunar_date_of(date),
            organizers=known.get("organizers", colophon.organizers),
            publisher=known.get("publisher") or colophon.publisher,
            articles=tuple(articles),
            extra=front.extra,
        ),
        tuple(doubts + article_doubts),
    )


def _take_masthead(blocks: list[Block], publication: str | None, source: str | None) -> str | None:
    """Remove and return the masthead: the first heading, if it looks like a paper's name.

    Text converted from print may set the name as a plain line: a first
    paragraph counts too when a date line follows it directly.
    """
    for i, block in enumerate(blocks):
        if read_dateline(block.text, source=source) or read_colophon(block.lines):
            continue  # a date line or colophon may be printed above the name
        after = blocks[i + 1].text if i + 1 < len(blocks) else ""
        dated = bool(read_dateline(after, source=source) or read_running_header(after))
        if block.kind != "heading" and not (block.kind == "paragraph" and dated):
            return None
        name = clean_heading(block.text)
        looks_like_name = len(name) <= _MASTHEAD_MAX and not (set(fold(name)) & _MASTHEAD_FORBIDDEN)
        if name == publication or (publication is None and looks_like_name):
            del blocks[i]
            return name
        return None
    return None


def _require(
    publication: str | None, number: int | None, date: dt.date | None, source: str | None
) -> tuple[str, int, dt.date]:
    """The three things every issue needs, or an ``InputError`` saying which is missing."""
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
    return publication, number, date


def _split_page_lines(block: Block, source: str | None) -> list[Block]:
    """A paragraph cut where a line is page furniture (a running header, date or staff line).

    Converted text often runs such a line into the text around it with no blank
    line between; each becomes a block of its own, and so do the parts around it.
    """
    if block.kind != "paragraph" or len(block.lines) < 2:
        return [block]
    parts: list[Block] = []
    run: list[str] = []
    for line in block.lines:
        if _is_page_line(line, source):
            if run:
                parts.append(Block("paragraph", tuple(run)))
            parts.append(Block("paragraph", (line,)))
            run = []
        else:
            run.append(line)
    if run:
        parts.append(Block("paragraph", tuple(run)))
    return parts


def _may_be_metadata(text: str) -> bool:
    """Whether ``text`` could be a header, date line, staff line or colophon, or the masthead.

    Each of those is short; a long paragraph is text, decided without the readers.
    """
    return len(text) <= _METADATA_MAX


def _is_page_line(line: str, source: str | None) -> bool:
    if len(line) > _PAGE_LINE_MAX or not _PAGE_HINT.search(line):
        return False  # the common case, decided without the three readers
    return bool(
        is_staff_line(line) or read_running_header(line) or read_dateline(line, source=source)
    )


def _read_colophon(blocks: list[Block], start: int) -> tuple[Colophon | None, int]:
    """The colophon at ``blocks[start]``, and how many blocks it takes.

    It may stand in one block or run over a few short ones: names in one
    paragraph, their role (主办) in the next.
    """
    window = blocks[start : start + _COLOPHON_BLOCKS]
    with_role = [i for i, b in enumerate(window) if has_colophon_role(b.text)]
    if not with_role:
        return None, 0  # no 主办 or 出版 here: the common case, decided at once
    for count in range(with_role[0] + 1, len(window) + 1):
        group = window[:count]
        if len(group) < count or any(b.kind != "paragraph" for b in group):
            break
        if count > 1 and len(group[-2].text) > _COLOPHON_PART:
            break
        lines = tuple(line for b in group for line in b.lines)
        if (colophon := read_colophon(lines)) is not None:
            return colophon, count
    return None, 0


def parse_bytes(data: bytes, source: str | None = None) -> Issue:
    """Decode and parse the bytes of an issue file."""
    return parse_issue(decode(data, source), source)
