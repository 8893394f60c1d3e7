"""From Markdown to a flat list of blocks: headings and paragraphs of plain text.

markdown-it-py does the Markdown; this module only flattens its tokens. Raw HTML
is disabled, so ``<script>`` in the input stays text. Indented code and lists are
disabled too: in text converted from print an indented paragraph is still a
paragraph and ``1.`` at a line start is part of the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from publisher.parse.text import join_lines, squeeze

_MARKDOWN = (
    MarkdownIt("commonmark", {"html": False})
    .disable(["code", "list", "reference"])
    .use(front_matter_plugin)
)


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph, as lines of plain text."""

    kind: str  # "heading" or "paragraph"
    lines: tuple[str, ...]

    @property
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
    for token in tokens:
        if token.type == "front_matter":
            front_matter = token.content
        elif token.type == "heading_open":
            open_kind = "heading"
        elif token.type == "paragraph_open":
            # A paragraph inside a heading cannot happen; inside a blockquote it is a paragraph.
            open_kind = "paragraph"
        elif token.type == "inline" and open_kind is not None:
            lines = tuple(line for line in _inline_lines(token.children or []) if line)
            if lines:
                blocks.append(Block(open_kind, lines))
            open_kind = None
        elif token.type == "fence":
            blocks.extend(_fence_paragraphs(token.content))
    return Document(front_matter, tuple(blocks))


def _inline_lines(children: list[Token]) -> list[str]:
    """Plain text of inline tokens, split at line breaks (soft or hard)."""
    lines = [""]
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            lines.append("")
        elif child.type in ("text", "code_inline"):
            lines[-1] += child.content
        elif child.type == "image":
            lines[-1] += "".join(c.content for c in child.children or [])
    return [squeeze(line) for line in lines]


def _fence_paragraphs(content: str) -> list[Block]:
    paragraphs = [p for p in content.split("\n\n") if p.strip()]
    return [Block("paragraph", tuple(squeeze(line) for line in p.splitlines())) for p in paragraphs]
