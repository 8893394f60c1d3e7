"""From Markdown to a flat list of blocks: headings, paragraphs, list items, quotes and images.

markdown-it-py does the Markdown; this module only flattens its tokens. Raw HTML
is disabled, so ``<script>`` in the input stays text. Indented code is disabled
too: in text converted from print an indented paragraph is still a paragraph.
Lists are read (``1. `` or ``- `` at a line start), each item a block of its own,
so that one item stays one line in every output.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from publisher.parse.text import has_visible, join_lines, squeeze

_MARKDOWN = (
    MarkdownIt("commonmark", {"html": False})
    .disable(["code", "reference"])
    .use(front_matter_plugin)
)

BULLET = "\u2022"


@dataclass(frozen=True)
class Block:
    """A heading, paragraph, list item, quoted paragraph or image, as lines of plain text.

    ``kind`` is ``heading``, ``paragraph``, ``quote``, ``item`` or ``image``. An item's
    ``marker`` is how it is numbered (``1.``) or the bullet; an image's ``src`` is its
    path as written and its one line (if any) the alt text.
    """

    kind: str
    lines: tuple[str, ...]
    marker: str = ""
    src: str | None = None
    list_id: int = 0  # items of one list share it

    @cached_property
    def text(self) -> str:
        """The lines joined as print text is read (no space across a CJK line break)."""
        return join_lines(list(self.lines))


@dataclass(frozen=True)
class Document:
    """The front matter's raw YAML (if any) and the blocks in reading order."""

    front_matter: str | None
    blocks: tuple[Block, ...]


def read_blocks(text: str) -> Document:
    """Parse Markdown ``text`` into its front matter and blocks."""
    tokens = _MARKDOWN.parse(text)
    front_matter = None
    blocks: list[Block] = []
    open_kind: str | None = None
    quote_depth = 0
    lists: list[tuple[int, bool, int]] = []  # (id, ordered, next number) of each open list
    lists_seen = 0
    marker = ""
    for token in tokens:
        if token.type == "front_matter":
            front_matter = token.content
        elif token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type in ("ordered_list_open", "bullet_list_open"):
            lists_seen += 1
            start = int(token.attrGet("start") or 1)
            lists.append((lists_seen, token.type == "ordered_list_open", start))
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            list_id, ordered, number = lists[-1]
            marker = f"{number}." if ordered else BULLET
            lists[-1] = (list_id, ordered, number + 1)
        elif token.type == "heading_open":
            open_kind = "heading"
        elif token.type == "paragraph_open":
            open_kind = "item" if lists else "quote" if quote_depth else "paragraph"
        elif token.type == "inline" and open_kind is not None:
            list_id = lists[-1][0] if lists else 0
            blocks.extend(_inline_blocks(open_kind, token.children or [], marker, list_id))
            marker = ""  # an item's second paragraph carries no marker of its own
            open_kind = None
        elif token.type == "fence":
            blocks.extend(_fence_paragraphs(token.content))
    return Document(front_matter, tuple(blocks))


def _inline_blocks(kind: str, children: list[Token], marker: str, list_id: int) -> list[Block]:
    """The blocks of one inline run: its text lines, with each image a block of its own."""
    blocks: list[Block] = []
    lines = [""]

    def flush() -> None:
        # A line of nothing visible (bidi marks, zero-width spaces) is no line: a heading
        # made of it would title an article with nothing.
        kept = tuple(line for line in (squeeze(line) for line in lines) if has_visible(line))
        if kept:
            blocks.append(Block(kind, kept, marker if not blocks else "", list_id=list_id))
        lines[:] = [""]

    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            lines.append("")
        elif child.type in ("text", "code_inline"):
            lines[-1] += child.content
        elif child.type == "image":
            flush()
            alt = squeeze("".join(c.content for c in child.children or []))
            src = str(child.attrGet("src") or "").strip() or None
            blocks.append(Block("image", (alt,) if alt else (), src=src))
    flush()
    return blocks


def _fence_paragraphs(content: str) -> list[Block]:
    paragraphs = [p for p in content.split("\n\n") if p.strip()]
    return [Block("paragraph", tuple(squeeze(line) for line in p.splitlines())) for p in paragraphs]
