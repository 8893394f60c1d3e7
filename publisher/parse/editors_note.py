"""The editor's note (编者按): ``编者按:…`` or ``【编者按】…`` before an article or a column."""

from __future__ import annotations

import re

from publisher.parse.text import fold

# 编者按: / 【编者按】 / [编者按] / 编者的话: (folded, so either width)
_NOTE = re.compile(
    r"^\s*(?:[\[\u3010]\s*(?:编者按|编者的话)\s*[\]\u3011]|(?:编者按|编者的话)\s*:)\s*"
)


def read_editors_note(text: str) -> str | None:
    """The note's text if ``text`` is an editor's note, else ``None``."""
    match = _NOTE.match(fold(text))
    if match is None:
        return None
    return text[match.end() :].strip() or None
