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
_SPLIT = "check that this is the text of one issue, or split it into several issues"
_NOT_A_DUMP = "check that this is the text of an issue and not a dump or a log"


def check_limits(text: str, source: str | None = None) -> None:
    """Raise ``InputError`` if ``text`` holds more than an issue ever does."""
    counts = (
        (text.count("\n"), MAX_LINES, "lines", _SPLIT),
        (len(_BLANK_LINE.findall(text)), MAX_PARAGRAPHS, "paragraphs", _SPLIT),
        (len(_MARKS.findall(text)), MAX_MARKS, "Markdown marks ([ ] * _ ` <)", _NOT_A_DUMP),
    )
    for count, limit, what, hint in counts:
        if count > limit:
            raise InputError(
                f"has {count:,} {what}; an issue has at most {limit:,}", hint, source=source
            )
