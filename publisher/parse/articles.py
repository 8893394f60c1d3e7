"""Articles from content blocks: the newspaper's conventions applied in reading order.

The issue-level metadata (masthead, date line, colophon, running headers) is
already gone; each block comes with the page it is printed on. A run of
headings opens an article; a byline closes it; what follows a closed article
before the next heading is an untitled brief. On top of that, one small rule
module each: lead credits and reporter lines (``credit``), photos and captions
(``captions``), columns of short items (``briefs``), editor's notes
(``editors_note``) and continued articles (``continuation``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from publisher.model import Article, Figure
from publisher.parse.blocks import Block
from publisher.parse.briefs import (
    BRIEF,
    PHOTO_BRIEF,
    brief_title,
    is_column_heading,
    split_item_marker,
)
from publisher.parse.byline import split_byline
from publisher.parse.captions import read_caption, read_photo_credit
from publisher.parse.continuation import split_continuation
from publisher.parse.credit import read_lead_credit, read_reporter_line
from publisher.parse.doubts import Doubt
from publisher.parse.editors_note import read_editors_note
from publisher.parse.headlines import clean_heading, group_headline
from publisher.parse.pages import RunningHeader
from publisher.parse.paragraphs import join_broken
from publisher.parse.text import ends_sentence, join_lines

# How many articles after a 下转 note its continuation may be printed.
_CONTINUATION_REACH = 300


@dataclass
class _Paragraph:
    """A paragraph while it is read: plain text, a block quote, or a list (one item a line)."""

    text: str
    kind: str = "text"  # "text", "quote" or "list"
    list_id: int = 0


@dataclass
class _Draft:
    """An article while its blocks are being read."""

    kicker: str | None = None
    title: str | None = None
    subtitle: str | None = None
    page: RunningHeader | None = None
    column: str | None = None  # the column an item of short news belongs to
    paragraphs: list[_Paragraph] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    source: str | None = None
    note: str | None = None
    continues_on: str | None = None  # 下转第N版
    continued_from: str | None = None  # 上接第N版
    closed: bool = False  # a byline was read: what follows belongs to a new article

    @property
    def fresh(self) -> bool:
        """Nothing of the text read yet: a credit or note here opens the article."""
        return not self.paragraphs and not self.closed

    def add_authors(self, names: tuple[str, ...] | list[str]) -> None:
        """Add names not already credited (a lead credit and a byline often repeat them)."""
        self.authors.extend(n for n in names if n not in self.authors)


@dataclass
class _Reader:
    """The state of reading one issue's content blocks."""

    drafts: list[_Draft] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    heading_note: str | None = None  # a 上接 note printed in the headline
    pending_note: str | None = None  # an editor's note waiting for its article
    column: str | None = None
    page: RunningHeader | None = None
    # The figure just read, still without caption: its article and place there.
    caption_wanted: tuple[_Draft, int] | None = None

    @property
    def current(self) -> _Draft | None:
        return self.drafts[-1] if self.drafts else None

    def open(
        self,
        column: str | None = None,
        kicker: str | None = None,
        title: str | None = None,
        subtitle: str | None = None,
    ) -> _Draft:
        """A new article on the current page, taking any editor's note waiting for it."""
        draft = _Draft(
            kicker=kicker,
            title=title,
            subtitle=subtitle,
            page=self.page,
            column=column,
            note=self.pending_note,
        )
        self.pending_note = None
        self.drafts.append(draft)
        return draft

    def open_headline(self) -> None:
        """Turn the run of headings just read into an article, or into a column's name."""
        headline = group_headline(self.headings)
        self.headings = []
        if (
            headline.kicker is None
            and headline.subtitle is None
            and is_column_heading(headline.title)
        ):
            self.column = headline.title
            return
        self.column = None
        draft = self.open(kicker=headline.kicker, title=headline.title, subtitle=headline.subtitle)
        draft.continued_from, self.heading_note = self.heading_note, None

    def writable(self) -> _Draft:
        """The article text goes to: the open one, or a new untitled brief."""
        draft = self.current
        if draft is None or draft.closed:
            draft = self.open(column=self.column)
        return draft


def assemble_articles(
    blocks: list[tuple[Block, RunningHeader | None]],
) -> tuple[list[Article], list[Doubt]]:
    """Group content blocks, each with its page, into articles in reading order."""
    reader = _Reader()
    for block, page in blocks:
        reader.page = page
        if block.kind == "heading":
            text, note = split_continuation(clean_heading(block.text))
            if note and note.direction == "from":
                reader.heading_note = note.page
            if text:
                reader.headings.append(text)
            continue
        if reader.headings:
            reader.open_headline()
        _read_block(reader, block)
    if reader.headings:
        reader.open_headline()
    drafts, doubts = _join_continued([d for d in reader.drafts if _has_content(d)])
    articles = [_finish(draft) for draft in drafts]
    doubts += [Doubt("no-byline", a.title) for a in articles if not a.authors]
    return articles, doubts


def _read_block(reader: _Reader, block: Block) -> None:
    if block.kind == "image":
        figure = Figure(src=block.src, alt=block.text)
        draft = reader.current
        if draft is None or draft.closed or (reader.column and _begun(draft)):
            draft = reader.open(column=reader.column)
        draft.figures.append(figure)
        reader.caption_wanted = (draft, len(draft.figures) - 1)
        return
    wanted, reader.caption_wanted = reader.caption_wanted, None
    lines = list(block.lines)
    # Reporter lines open the text, one or several (本报记者 周婷婷 / 通讯员 韩雪).
    while block.kind == "paragraph" and lines and (names := read_reporter_line(lines[0])):
        _reporter_line(reader, names)
        lines = lines[1:]
    if not lines:
        return
    if wanted is not None and block.kind == "paragraph":
        # The caption may run into what follows without a blank line: it ends at
        # its photo credit, or failing that at the end of its first sentence.
        count = _caption_lines(lines)
        if _caption(wanted, join_lines(lines[:count])):
            lines = lines[count:]
            if not lines:
                return
    if block.kind == "paragraph" and reader.column:
        # Items of a column on consecutive lines: each marked line starts a brief.
        for item in _marked_items(lines):
            _paragraph(reader, join_lines(item))
        return
    text = join_lines(lines)
    if block.kind == "item":
        _list_item(reader, block, text)
    elif block.kind == "quote":
        reader.writable().paragraphs.append(_Paragraph(text, "quote"))
    else:
        _paragraph(reader, text)


def _caption_lines(lines: list[str]) -> int:
    """How many of ``lines`` a caption takes: up to its photo credit or its first sentence end."""
    for i, line in enumerate(lines):
        if read_photo_credit(line) is not None or _ends_with_credit(line):
            return i + 1
    for i, line in enumerate(lines):
        if ends_sentence(line):
            return i + 1
    return len(lines)


def _ends_with_credit(line: str) -> bool:
    caption = read_caption(line)
    return caption is not None and caption.credit is not None


def _marked_items(lines: list[str]) -> list[list[str]]:
    """``lines`` grouped into items, a new one at each line opening with a marker (● 1.)."""
    items: list[list[str]] = []
    for line in lines:
        if not items or split_item_marker(line)[0]:
            items.append([line])
        else:
            items[-1].append(line)
    return items


def _reporter_line(reader: _Reader, names: tuple[str, ...]) -> None:
    """``本报记者 张明`` before the text credits the article; after its text, it closes it."""
    draft = reader.current
    if draft is None or draft.closed or reader.column:
        draft = reader.open(column=reader.column)
    draft.add_authors(names)
    if draft.paragraphs:
        draft.closed = True


def _caption(wanted: tuple[_Draft, int], text: str) -> bool:
    """Read ``text`` as the caption of the figure just before it, if it is one."""
    caption = read_caption(text)
    if caption is None:
        return False
    draft, index = wanted
    figure = draft.figures[index]
    draft.figures[index] = Figure(figure.src, figure.alt, caption.text, caption.credit)
    return True


def _list_item(reader: _Reader, block: Block, text: str) -> None:
    """A Markdown list item: a brief of its own in a column, else one line of a list."""
    if reader.column:
        _paragraph(reader, text, new_item=True)
        return
    draft = reader.writable()
    last = draft.paragraphs[-1] if draft.paragraphs else None
    line = f"{block.marker} {text}" if block.marker else text
    if last is not None and last.kind == "list" and last.list_id == block.list_id:
        last.text += ("\n" if block.marker else "") + line
    else:
        draft.paragraphs.append(_Paragraph(line, "list", block.list_id))


def _paragraph(reader: _Reader, text: str, *, new_item: bool = False) -> None:
    """A paragraph of text, after the rules that may make it something else."""
    if (note := read_editors_note(text)) is not None:
        draft = reader.current
        if draft is not None and draft.fresh and draft.note is None and not reader.column:
            draft.note = note
        else:
            reader.pending_note = note
        return
    text, continuation = split_continuation(text)
    if continuation and continuation.direction == "from":
        draft = reader.current
        if draft is None or not draft.fresh:
            draft = reader.open(column=reader.column)
        draft.continued_from = continuation.page
    if not text:
        if continuation and continuation.direction == "to" and reader.current:
            reader.current.continues_on = continuation.page
        return
    if _loose_caption(reader, text):
        return
    if reader.column:
        marked, text = split_item_marker(text)
        draft = reader.current
        if new_item or marked or draft is None or draft.closed or draft.column != reader.column:
            draft = reader.open(column=reader.column)
    else:
        draft = reader.writable()
    if draft.fresh and (credit := read_lead_credit(text)):
        draft.source = draft.source or credit.source
        draft.add_authors(credit.authors)
        text = credit.rest
    body, authors = split_byline(text)
    if body:
        draft.paragraphs.append(_Paragraph(body))
    if continuation and continuation.direction == "to":
        draft.continues_on = continuation.page
    if authors is not None:
        draft.add_authors(authors)
        draft.closed = True


def _loose_caption(reader: _Reader, text: str) -> bool:
    """A caption or photo credit with no image before it: the text lost its picture.

    A credit alone credits the last figure (or, with none, the article just closed).
    """
    if (credit := read_photo_credit(text)) is not None:
        draft = reader.current
        if draft is None:
            return False
        if draft.figures and draft.figures[-1].credit is None:
            last = draft.figures[-1]
            draft.figures[-1] = Figure(last.src, last.alt, last.caption, credit)
        else:
            draft.add_authors(tuple(credit.split("\u3001")))
        return True
    caption = read_caption(text)
    if caption is None:
        return False
    draft = reader.current
    if draft is None or draft.closed or (reader.column and _begun(draft)):
        draft = reader.open(column=reader.column)
    draft.figures.append(Figure(caption=caption.text, credit=caption.credit))
    return True


def _begun(draft: _Draft) -> bool:
    """Whether a column's item has anything yet: a new photo then starts the next item."""
    return bool(draft.paragraphs or draft.figures or draft.closed)


def _has_content(draft: _Draft) -> bool:
    return bool(draft.title or draft.paragraphs or draft.figures)


def _join_continued(drafts: list[_Draft]) -> tuple[list[_Draft], list[Doubt]]:
    """Join each article continued on another page (下转) with its continuation (上接).

    The continuation is the later article marked 上接 whose title repeats the
    first part's, or failing that, which is printed on the page the note names.
    """
    doubts: list[Doubt] = []
    i = 0
    while i < len(drafts):
        first = drafts[i]
        if first.continues_on is None:
            i += 1
            continue
        # The rest is printed a few pages on: looking further would only make a
        # hostile file of a thousand notes cost a million comparisons.
        later = [d for d in drafts[i + 1 : i + 1 + _CONTINUATION_REACH] if d.continued_from]
        rest = (
            next((d for d in later if d.title and d.title == first.title), None)
            or next((d for d in later if d.page and d.page.page == first.continues_on), None)
            # Pages unknown (no running headers): the next part that says it continues.
            or next((d for d in later if d.page is None), None)
        )
        page = first.continues_on
        if rest is None:
            doubts.append(Doubt("continuation-unmatched", first.title or "", {"page": page}))
            i += 1
            continue
        drafts.remove(rest)
        first.paragraphs.extend(rest.paragraphs)
        first.figures.extend(rest.figures)
        first.add_authors(rest.authors)
        first.source = first.source or rest.source
        # A part in the middle continues again: look for the next part from here.
        first.continues_on = rest.continues_on
        doubts.append(Doubt("continuation-merged", first.title or "", {"page": page}))
    # A part still marked 上接 was nobody's continuation: its beginning was not found.
    doubts += [
        Doubt("continuation-unmatched", d.title or "", {"page": d.continued_from})
        for d in drafts
        if d.continued_from is not None
    ]
    return drafts, doubts


def _finish(draft: _Draft) -> Article:
    texts, quotes = _paragraph_texts(draft.paragraphs)
    authors = list(draft.authors)
    if not texts and draft.figures and not authors:
        # A photo brief is the photographer's.
        for figure in draft.figures:
            if figure.credit:
                authors.extend(n for n in figure.credit.split("\u3001") if n not in authors)
    kicker, title, untitled = draft.kicker, draft.title, False
    if title is None:
        untitled = True
        # A photo with its caption alone is a photo brief, even among a column's items.
        kicker = PHOTO_BRIEF if not texts else draft.column or BRIEF
        caption = next((f.caption for f in draft.figures if f.caption), "")
        # A caption's 图为 ("the picture shows") is no part of a photo brief's title.
        first = texts[0] if texts else caption.removeprefix("\u56fe\u4e3a")
        title = brief_title(first)
        if title is None:  # no clause short enough: the label is the title
            title, kicker = kicker, None
    return Article(
        title=title,
        kicker=kicker,
        subtitle=draft.subtitle,
        paragraphs=tuple(texts),
        authors=tuple(authors),
        untitled=untitled,
        source=draft.source,
        page=draft.page.page if draft.page else None,
        page_name=draft.page.page_name if draft.page else None,
        figures=tuple(draft.figures),
        note=draft.note,
        quotes=tuple(quotes),
    )


def _paragraph_texts(paragraphs: list[_Paragraph]) -> tuple[list[str], list[int]]:
    """The texts, with broken plain paragraphs mended; and the indexes of the quotes.

    Only runs of plain text are mended: a list or a quote keeps its own bounds.
    """
    texts: list[str] = []
    quotes: list[int] = []
    run: list[str] = []
    for paragraph in [*paragraphs, None]:
        if paragraph is not None and paragraph.kind == "text":
            run.append(paragraph.text)
            continue
        texts.extend(join_broken(run))
        run = []
        if paragraph is None:
            break
        if paragraph.kind == "quote":
            quotes.append(len(texts))
        texts.append(paragraph.text)
    return texts, quotes
