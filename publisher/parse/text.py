"""Character-level rules of Chinese print text, shared by the parsing steps.

Real print-to-text output sets punctuation full-width (U+FF0C，U+FF08（ …);
some conversions give half-width, and a file may mix both. Every rule matches
on ``fold(text)``, which maps full-width forms to their ASCII twins one
character for one, so a match's positions are also positions in the original
text and what the paper printed is kept. Patterns are therefore written in
ASCII only: an editor that flattens full-width literals cannot break them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Ideographs, CJK punctuation, full-width forms and the curly quotes Chinese uses.
_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u201c\u201d\u2018\u2019"
    "\U00020000-\U0003134f"
)
CJK_CHAR = f"[{_CJK}]"
IDEOGRAPH = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"

# On folded text: spaces between two CJK characters, or between one and punctuation.
_CLAUSE_MARK = r"[,;:?!()]"
_SPACE_BETWEEN_CJK = re.compile(
    rf"(?<={CJK_CHAR})[ \t]+(?={CJK_CHAR}|{_CLAUSE_MARK})|(?<={_CLAUSE_MARK})[ \t]+(?={CJK_CHAR})"
)
_RUNS_OF_SPACE = re.compile(r"[ \t\u3000]+")

# Full-width ASCII variants (U+FF01-U+FF5E) and the ideographic space, folded one for one.
_FOLD = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
_FOLDABLE = re.compile("[\uff01-\uff5e\u3000]")
_CACHED_FOLD = 1024

IDEOGRAPHIC_FULL_STOP = "\u3002"
IDEOGRAPHIC_COMMA = "\u3001"
ELLIPSIS = "\u2026"
# What may end a sentence (on folded text); closing quotes and brackets are looked through.
SENTENCE_END = IDEOGRAPHIC_FULL_STOP + ELLIPSIS + "!?.;:"
# (The full-width parenthesis and bracket too, for callers that match unfolded text.)
CLOSERS = "\u201d\u2019\u300d\u300f\u3011\u300b\u3015\uff09\uff3d\"')]"


def fold(text: str) -> str:
    """``text`` with full-width punctuation, letters and digits as ASCII, one character each.

    ``fold("会议（扩大），召开")`` is ``"会议(扩大),召开"``: same length, same positions.
    Text without a full-width form is returned as it is, at the cost of one search.
    """
    if _FOLDABLE.search(text) is None:
        return text
    if len(text) > _CACHED_FOLD:
        return text.translate(_FOLD)
    return _fold_short(text)


@lru_cache(maxsize=4096)
def _fold_short(text: str) -> str:
    # Several rules fold the same short line or paragraph in turn. Only short texts
    # are kept, so that a long-running service holds a few megabytes at most.
    return text.translate(_FOLD)


def is_cjk(char: str) -> bool:
    """Whether ``char`` is a CJK ideograph, CJK punctuation or a full-width form."""
    return bool(re.fullmatch(CJK_CHAR, char))


def remove_cjk_spaces(text: str) -> str:
    """Drop spaces between two CJK characters: line-break artifacts of the print layout.

    ``孙杰组织召开即墨区政企 沟通座谈会`` becomes ``孙杰组织召开即墨区政企沟通座谈会``;
    a space next to Latin text (``德国 ITEM``) is kept. Punctuation of either width
    beside a CJK character counts as CJK (``会议, 召开`` and ``会议， 召开`` alike).
    """
    spans = [m.span() for m in _SPACE_BETWEEN_CJK.finditer(fold(text))]
    if not spans:
        return text
    kept, position = [], 0
    for start, end in spans:
        kept.append(text[position:start])
        position = end
    kept.append(text[position:])
    return "".join(kept)


def squeeze(text: str) -> str:
    """Trim ``text`` and collapse runs of spaces (including the ideographic space) to one."""
    return _RUNS_OF_SPACE.sub(" ", text).strip()


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: no space across a CJK boundary, one space between Latin words."""
    return join_text([line for line in (squeeze(line) for line in lines) if line])


def join_text(pieces: list[str]) -> str:
    """Non-empty ``pieces`` joined across line breaks, with a space only between Latin text.

    Built in one pass (a text grown piece by piece would be copied again and again).
    """
    parts: list[str] = []
    for i, piece in enumerate(pieces):
        if i and _needs_space(pieces[i - 1], piece):
            parts.append(" ")
        parts.append(piece)
    return "".join(parts)


def _needs_space(left: str, right: str) -> bool:
    """Whether a line break between ``left`` and ``right`` reads as a space (Latin text).

    Decided on folded characters, so both widths join alike: a clause mark after
    Chinese (``第一项；`` or ``第一项;``) is Chinese, after Latin (``was,``) it is Latin.
    """
    last, first = fold(left[-1]), fold(right[0])
    chinese_mark = re.fullmatch(_CLAUSE_MARK, last) and len(left) > 1 and is_cjk(fold(left[-2]))
    return not (is_cjk(last) or is_cjk(first) or chinese_mark)


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with sentence-final punctuation (looking through closing quotes)."""
    stripped = fold(text).rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


# Letters that render as blank space: Hangul fillers and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible(text: str) -> bool:
    """Whether ``text`` shows anything.

    That is a character that is not a space, a control, a format character (bidi
    marks, zero-width spaces), a combining mark or a blank letter such as U+3164.
    Every name and title must pass: one that reads as nothing cannot title a
    feed, a page or a mail, and would be invisible in any listing.
    """
    return any(
        unicodedata.category(char)[0] not in "CZM" and char not in _BLANK_LETTERS for char in text
    )
