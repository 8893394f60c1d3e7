"""Text as the renderers show it: made safe, typeset for Chinese, shortened into ledes.

Pure functions, no I/O. Every string from an issue passes through ``clean``
before any template, feed or mail sees it, so the rules live in one place.
"""

from __future__ import annotations

import re

from publisher.parse.text import CJK_CHAR, CLOSERS

# Bidi embeddings, overrides, isolates and marks: untrusted text could use them
# to reorder what surrounds it (a title that makes a link or a subject lie).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Characters XML 1.0 forbids (feeds would not parse) and C1 controls no reader wants.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff"
_UNSAFE = re.compile(f"[{_BIDI}{_CONTROL}]")

# Half-width punctuation that Chinese print sets full-width when it touches Chinese text.
# Written as escapes: some editors silently turn full-width literals into ASCII.
FULL_WIDTH = {
    ",": "\uff0c",
    ";": "\uff1b",
    ":": "\uff1a",
    "?": "\uff1f",
    "!": "\uff01",
    "(": "\uff08",
    ")": "\uff09",
}
_AFTER_CJK = re.compile(rf"(?<={CJK_CHAR})[,;:?!]")
_BEFORE_CJK = re.compile(rf"[,;:?!](?={CJK_CHAR})")
# A parenthesised aside, set full-width as a pair when it touches Chinese inside or out.
_PARENTHESES = re.compile(r"(?P<before>.?)\((?P<inner>[^()\n]*)\)(?=(?P<after>.?))")
_CJK_RE = re.compile(CJK_CHAR)

# Where a lede may end: after a full sentence, or failing that after a clause.
_ENDS = "\u3002\uff01\uff1f!?\u2026"
_SENTENCE = re.compile(rf"[^{_ENDS}]*[{_ENDS}]+[{re.escape(CLOSERS)}]*")
_CLAUSE_END = ",\u3001\uff0c;\uff1b:\uff1a"
ELLIPSIS = "\u2026\u2026"
_CLOSER_ROOM = 8
# Joins a list of Chinese titles (U+FF1B FULLWIDTH SEMICOLON).
TITLE_SEPARATOR = FULL_WIDTH[";"]
LEDE_CHARS = 120


def clean(text: str) -> str:
    """``text`` without bidi controls and characters that XML or mail cannot carry."""
    return _UNSAFE.sub("", text)


def clean_one_line(text: str) -> str:
    """``clean`` for a title or subject: also folds line breaks and tabs into spaces."""
    return " ".join(clean(text).split())


def typeset(text: str) -> str:
    """Chinese punctuation set full-width where the source used half-width forms.

    ``会议(扩大),召开`` gets U+FF08, U+FF09 and U+FF0C; ``1.4万`` and ``ITEM (GmbH)``
    keep theirs. A parenthesis pair changes together, so no aside is half one form.
    """
    text = _PARENTHESES.sub(_parentheses, text)
    text = _AFTER_CJK.sub(lambda m: FULL_WIDTH[m.group()], text)
    return _BEFORE_CJK.sub(lambda m: FULL_WIDTH[m.group()], text)


def _parentheses(match: re.Match[str]) -> str:
    edges = match["before"][-1:] + match["after"] + match["inner"][:1] + match["inner"][-1:]
    if not _CJK_RE.search(edges):
        return match.group()
    return f"{match['before']}{FULL_WIDTH['(']}{match['inner']}{FULL_WIDTH[')']}"


def excerpt(paragraph: str, limit: int = LEDE_CHARS) -> str:
    """The paragraph if short, else as many whole sentences as fit in ``limit`` characters.

    A first sentence longer than ``limit`` is cut after its last clause that
    fits (or, failing that, at ``limit``) and marked with an ellipsis.
    """
    if len(paragraph) <= limit:
        return paragraph
    lede = ""
    # Only sentences within the first ``limit`` characters can fit (a few more for
    # closing quotes): searching the whole paragraph would be quadratic where it
    # has no sentence end, each failed start scanning to its end.
    for match in _SENTENCE.finditer(paragraph, 0, limit + _CLOSER_ROOM):
        if len(lede) + len(match.group()) > limit:
            break
        lede += match.group()
    if lede:
        return lede
    head = paragraph[:limit]
    cut = max(head.rfind(mark) for mark in _CLAUSE_END)
    return (head[:cut] if cut > 0 else head) + ELLIPSIS
