"""Photo captions and photo credits: ``图为…``, ``▲ …``, ``(记者 张明 摄)``, ``张明/摄``.

A caption belongs to a figure, not to the text, and its credit names the
photographer, not the article's author: it never closes an article.
Patterns match folded text (``text.fold``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publisher.parse.byline import read_names
from publisher.parse.text import fold

# ▲ △ ↑ and the words that introduce a caption.
_CAPTION_START = re.compile(
    r"^\s*(?:[\u25b2\u25b3\u2191]\s*|(?:图为|上图|下图|左图|右图|图片说明|图)\s*:?\s*(?=\S))"
)
_CAPTION_WORDS = re.compile(r"^\s*(?:图为|上图|下图|左图|右图)")
_PHOTO_ROLE = re.compile(r"摄")
_REPORTED = re.compile(r"报道")
# (记者 张明 摄), (张明 摄影), (摄影 张明)
_PAREN_CREDIT = re.compile(r"\s*\(([^()]{1,40})\)\s*$")
# 张明/摄, 张明 摄, 记者 张明 摄, 摄影:张明 (standing alone or closing a caption)
_PLAIN_CREDIT = re.compile(
    r"^([^()]{1,30}?)(?:\s+|\s*/\s*)摄影?\s*$|^摄影\s*[:/]?\s*([^()]{2,30})$"
)
_SPACES = re.compile(r"\s+")
MAX_CAPTION = 300
_MAX_CREDIT = 60


@dataclass(frozen=True)
class Caption:
    """A caption's text (without its markers and credit) and the photographer(s)."""

    text: str | None
    credit: str | None


def read_photo_credit(text: str) -> str | None:
    """The photographer(s) of a credit standing alone (``(记者 张明 摄)``, ``张明/摄``), or ``None``."""
    if len(text) > _MAX_CREDIT or "摄" not in text:
        return None
    folded = fold(text).strip()
    if _REPORTED.search(folded):
        return None  # 摄影报道: the reporter's byline, read as such
    match = _PAREN_CREDIT.fullmatch(folded) or _PLAIN_CREDIT.fullmatch(folded)
    if match is None:
        return None
    return _credit(match)


def _trailing_credit(folded: str) -> tuple[int, str] | None:
    """Where a plain credit (``张明 摄``) closing ``folded`` starts, and its names.

    The credit is set apart by a space (or stands alone): ``调试设备 张明 摄``.
    The longest tail that reads as a credit wins.
    """
    for start in [0, *(m.end() for m in _SPACES.finditer(folded))]:
        match = _PLAIN_CREDIT.match(folded[start:].strip())
        if match and (names := _credit(match)):
            return start, names
    return None


def read_caption(text: str) -> Caption | None:
    """The caption in ``text``: it starts as captions do (``图为``, ``▲``) or ends with a photo credit.

    Text that only mentions a photo (``……的图片展在区图书馆开幕。``) is no caption.
    """
    if len(text) > MAX_CAPTION:
        return None
    folded = fold(text)
    if "摄" not in text and not _CAPTION_START.match(folded):
        return None  # neither a photo credit nor a caption's opening: the common case
    credit = None
    end = len(text)
    match = _PAREN_CREDIT.search(folded)
    if match and _REPORTED.search(match.group(1)) and not _CAPTION_START.match(folded):
        return None  # (记者 张明 摄影报道) closes an article's text: a byline, not a caption
    if match and _PHOTO_ROLE.search(match.group(1)) and (names := _credit(match)):
        credit, end = names, match.start()
    elif plain := _trailing_credit(folded.rstrip()):
        end, credit = plain
    start_match = _CAPTION_START.match(folded)
    if start_match is None and credit is None:
        return None
    start = start_match.end() if start_match and not _CAPTION_WORDS.match(folded) else 0
    caption = text[start:end].strip() or None
    return Caption(caption, credit)


def _credit(match: re.Match[str]) -> str | None:
    inside = next(group for group in match.groups() if group is not None)
    if match.re is _PAREN_CREDIT and not _PHOTO_ROLE.search(inside):
        return None
    names = read_names(inside.replace("/", " "))
    return "\u3001".join(names) if names else None
