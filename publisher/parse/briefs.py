"""Briefs: columns of short items (简讯, 短讯, 快讯) and the display title of an untitled brief.

Under a column heading each item, marked ``●``, ``■``, ``◆`` or numbered, is a
brief of its own with the column's name as its kicker. A brief printed without
a headline is titled by its first complete clause when that is short enough to
be a title, and otherwise labelled only (简讯, 图片新闻): a title is never cut
in the middle of a phrase. Patterns match folded text (``text.fold``).
"""

from __future__ import annotations

import re

from publisher.parse.text import IDEOGRAPHIC_COMMA, IDEOGRAPHIC_FULL_STOP, fold

BRIEF = "简讯"
PHOTO_BRIEF = "图片新闻"
_COLUMN_ENDINGS = ("简讯", "短讯", "快讯", "简报", "速递", "速览", "一句话新闻")
# ● ■ ◆ ◇ □ ○ ★ ☆ ▶ ► • and numbers: 1. 1、 (1) 一、 (一)
_MARKER = re.compile(
    "^\\s*(?:[\u25cf\u25a0\u25c6\u25c7\u25a1\u25cb\u2605\u2606\u25b6\u25ba\u2022]"
    f"|\\d{{1,2}}[.{IDEOGRAPHIC_COMMA}]|\\(\\d{{1,2}}\\)|[一二三四五六七八九十]{{1,3}}{IDEOGRAPHIC_COMMA}"
    "|\\([一二三四五六七八九十]{1,3}\\))\\s*"
)
_CLAUSE_END = re.compile(f"[,{IDEOGRAPHIC_FULL_STOP};!?:]")
_MAX_TITLE = 24
# A first clause that only says when (10月26日上午) tells a reader nothing.
_WHEN_ONLY = re.compile(r"^[\d\s年月日号时点分许上中下午晚早凌晨今昨前近本周星期一二三四五六天]+$")


def is_column_heading(heading: str) -> bool:
    """Whether a heading names a column of short items: ``简讯``, ``即墨快讯``, ``简 讯``."""
    name = re.sub(r"\s+", "", heading)
    return name == PHOTO_BRIEF or (len(name) <= 6 and name.endswith(_COLUMN_ENDINGS))


def split_item_marker(text: str) -> tuple[bool, str]:
    """``(marked, text)``: whether ``text`` opens with an item marker, and ``text`` without it."""
    match = _MARKER.match(fold(text))
    if match is None:
        return False, text
    return True, text[match.end() :]


def brief_title(paragraph: str) -> str | None:
    """A brief's title: its first complete clause, or two if the first only says when.

    ``区图书馆开展读书月活动,……`` gives ``区图书馆开展读书月活动``. ``None`` when that
    clause is longer than a title can be: the brief is then shown by its label.
    """
    folded = fold(paragraph)
    first = _CLAUSE_END.search(folded)
    end = first.start() if first else len(paragraph)
    if first and _WHEN_ONLY.match(folded[:end]):
        second = _CLAUSE_END.search(folded, first.end())
        end = second.start() if second else len(paragraph)
    title = paragraph[:end].strip()
    if not title or len(title) > _MAX_TITLE:
        return None
    return title
