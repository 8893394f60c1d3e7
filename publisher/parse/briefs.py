"""Untitled briefs (图片新闻/简讯) get a short title from their first clause."""

from __future__ import annotations

import re

_CLAUSE_END = re.compile(r"[,,。;;!?!?::]")
_MAX_TITLE = 24
_MIN_CLAUSE = 10


def brief_title(paragraph: str) -> str:
    """A short title for feeds and email: the first clause, or two if the first is very short.

    ``10月26日上午,由区委老干部局……`` gives ``10月26日上午,由区委老干部局、区教体局…``.
    """
    first = _CLAUSE_END.search(paragraph)
    end = first.end() if first else len(paragraph)
    if end < _MIN_CLAUSE and first:
        second = _CLAUSE_END.search(paragraph, end)
        end = second.start() if second else len(paragraph)
    title = paragraph[:end].rstrip(",,。;;::")
    if len(title) > _MAX_TITLE:
        return title[: _MAX_TITLE - 1] + "…"
    return title
