"""Continued articles: ``(下转第三版)`` at the end of one part, ``(上接第一版)`` at the start of the next.

The notes are the print layout's, not the text's: they are cut off, and the
parts are joined into one article (see ``join_continued`` in ``articles``).
Also read: 转第N版, 接第N版, pages with section letters (A3), brackets of
either width (folded), and 【】.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publisher.parse.pages import PAGE, page_label
from publisher.parse.text import fold

_NOTE = rf"[(\[\u3010]\s*(?P<word>下转|转|上接|接)\s*(?:第\s*)?(?P<page>{PAGE})\s*版?\s*[)\]\u3011]"
_AT_END = re.compile(rf"\s*{_NOTE}\s*$")
_AT_START = re.compile(rf"^\s*{_NOTE}\s*")
# The note alone on its line may go without brackets: 上接第一版, 下转第3版.
_ALONE = re.compile(rf"^\s*(?P<word>下转|转|上接|接)\s*第\s*(?P<page>{PAGE})\s*版\s*$")


@dataclass(frozen=True)
class ContinuationNote:
    """Where the rest of an article is (``to``) or where it began (``from``)."""

    direction: str  # "to" or "from"
    page: str


def split_continuation(text: str) -> tuple[str, ContinuationNote | None]:
    """``text`` without a continuation note at its end or start, and the note.

    ``……加快推进(下转第三版)`` gives ``(……加快推进, to page 3)``.
    """
    folded = fold(text)
    if match := _ALONE.match(folded):
        return "", _note(match)
    if match := _AT_END.search(folded):
        return text[: match.start()], _note(match)
    if match := _AT_START.match(folded):
        return text[match.end() :], _note(match)
    return text, None


def _note(match: re.Match[str]) -> ContinuationNote:
    direction = "to" if match.group("word") in ("下转", "转") else "from"
    return ContinuationNote(direction, page_label(match.group("page")))
