"""An article's paragraphs as the renderers lay them out: plain text, block quotes and lists.

The model keeps a Markdown list as one paragraph whose items are lines
(``1. `` for numbered items, ``\u2022 `` for bullets) and names its block
quotes by index. Pages and feeds print a list as ``<ol>``/``<ul>``, the
text part of the mail one item per line, a quote as ``<blockquote>``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from publisher.render.text import clean, clean_one_line, typeset

BlockKind = Literal["text", "quote", "ordered", "bullet", "lines"]

BULLET = "\u2022"
# A numbered item: 1. 1、 1) and their full-width forms (U+FF0E, U+3001, U+FF09).
_ORDERED = re.compile(r"^\d+[.\uff0e\u3001)\uff09]\s*")
_BULLET = re.compile(rf"^[{BULLET}\u00b7\u25cf\u25a0\u25c6*-]\s*")


@dataclass(frozen=True)
class Block:
    """One paragraph, typeset: ``text`` keeps a list's lines (markers included) for plain text."""

    kind: BlockKind
    text: str
    items: tuple[str, ...] = ()  # a list's items without their markers

    @property
    def lines(self) -> tuple[str, ...]:
        """The paragraph's lines as printed (one for anything but a list)."""
        return tuple(self.text.split("\n"))


def blocks_of(paragraphs: Sequence[str], quotes: Collection[int]) -> tuple[Block, ...]:
    """The blocks of an article's ``paragraphs``; ``quotes`` index the block quotes.

    Empty paragraphs (nothing left once cleaned) are dropped after the
    indexes are read, so a quote stays a quote.
    """
    blocks = []
    for index, paragraph in enumerate(paragraphs):
        lines = [typeset(clean_one_line(line)) for line in clean(paragraph).split("\n")]
        lines = [line for line in lines if line]
        if lines:
            blocks.append(_block(lines, quote=index in quotes))
    return tuple(blocks)


def _block(lines: list[str], *, quote: bool) -> Block:
    text = "\n".join(lines)
    if quote:
        return Block("quote", text, tuple(lines) if len(lines) > 1 else ())
    if len(lines) == 1:
        return Block("text", text)
    if all(_ORDERED.match(line) for line in lines):
        return Block("ordered", text, tuple(_ORDERED.sub("", line) for line in lines))
    if all(_BULLET.match(line) for line in lines):
        return Block("bullet", text, tuple(_BULLET.sub("", line) for line in lines))
    return Block("lines", text, tuple(lines))
