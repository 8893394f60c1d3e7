"""Bounds on what an issue text may hold, checked before any parsing.

A 24-page paper has a few thousand paragraphs and lines, and next to no
Markdown marks; a megabyte of text in a paper's layout (eight such papers,
see benchmarks/publish_large_issue.py) has some 17,000 and 34,000. Far beyond that, the text is not an issue (a log, a dump, a
hostile file), and the Markdown parser's time grows faster than the text on
long runs of brackets and emphasis marks. Each bound is counted in one pass.
"""

from __future__ import annotations

import re

from publisher.errors import InputError

MAX_PARAGRAPHS = 20_000
MAX_LINES = 50_000
MAX_MARKS = 20_000  # [ ] * _ ` < : what links, emphasis, code and HTML are made of
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_MARKS = re.compile(r"[\[\]*_`<]")


def check_limits(text: str, source: str | None = None) -> None:
    """Raise ``InputError`` if ``text`` holds more than an issue ever does."""
    lines = text.count("\n")
    if lines > MAX_LINES:
        raise InputError(
            f"has {lines:,} lines; an issue has at most {MAX_LINES:,}",
            "check that this is the text of one issue, or split it into several issues",
            source=source,
        )
    paragraphs = len(_BLANK_LINE.findall(text))
    if paragraphs > MAX_PARAGRAPHS:
        raise InputError(
            f"has {paragraphs:,} paragraphs; an issue has at most {MAX_PARAGRAPHS:,}",
            "check that this is the text of one issue, or split it into several issues",
            source=source,
        )
    marks = len(_MARKS.findall(text))
    if marks > MAX_MARKS:
        raise InputError(
            f"has {marks:,} Markdown marks ([ ] * _ ` <); an issue has at most {MAX_MARKS:,}",
            "check that this is the text of an issue and not a dump or a log",
            source=source,
        )
