"""Untitled briefs (图片新闻/简讯) get a short title from their first clause."""

from __future__ import annotations

import re

_CLAUSE_END = re.compile(r"[,,。;;!?!?::]")
_TRAILING_PUNCTUATION = re.compile(r"[,,。;;::]+$")
_MAX_TITLE = 24
# A first clause that only says when (10月26日上午) tells a reader nothing.
_WHEN_ONLY = re.compile(r"^[\d\s年月日号时点分许上中下午晚早凌晨今昨前近本周星期一二三四五六天]+$")


def brief_title(paragraph: str) -> str:
    """A short title for feeds and email: the first clause, or two if the first only says when.

    ``10月26日上午,由区委老干部局……`` gives ``10月26日上午,由区委老干部局、区教体局…``.
    """
    first = _CLAUSE_END.search(paragraph)
    end = first.end() if first else len(paragraph)
    if first and _WHEN_ONLY.match(paragraph[: first.start()]):
        second = _CLAUSE_END.search(paragraph, end)
        end = second.start() if second else len(paragraph)
    # A paragraph of punctuation alone still needs a title: then it is its own title.
    title = _TRAILING_PUNCTUATION.sub("", paragraph[:end]) or paragraph
    if len(title) > _MAX_TITLE:
        return title[: _MAX_TITLE - 1] + "…"
    return title
