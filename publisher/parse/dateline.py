"""The date line: ``2023年10月27日 农历九月十三 星期五 第2890期``, parts in any order."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{4})-(\d{1,2})-(\d{1,2})")
_LUNAR = re.compile(
    r"农历\s*(?:[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥]年\s*)?闰?"
    r"[正一二三四五六七八九十冬腊]{1,2}月\s*[初十廿卅][一二三四五六七八九十]?"
)
_WEEKDAY = re.compile(r"(?:星期|礼拜)[一二三四五六日天]")
_NUMBER = re.compile(r"(总)?第\s*(\d{1,9})\s*期")
# A paragraph is a date line only if little is left once its parts are taken out;
# otherwise it is an article sentence that merely mentions a date.
_MAX_LEFTOVER = 12
_FILLER = re.compile(r"[\s,,、|/·.。;;::()()\[\]【】-]+")


@dataclass(frozen=True)
class DateLine:
    """What a date line says; any part may be missing."""

    date: dt.date | None = None
    lunar_date: str | None = None
    weekday: str | None = None
    number: int | None = None


def read_dateline(text: str) -> DateLine | None:
    """The parts of ``text`` if it is a date line, else ``None``."""
    date = _first_valid_date(text)
    number_match = _issue_number(text)
    if date is None and number_match is None:
        return None
    leftover = text
    for pattern in (_DATE, _LUNAR, _WEEKDAY, _NUMBER):
        leftover = pattern.sub("", leftover)
    leftover = _FILLER.sub("", leftover)
    lunar = _LUNAR.search(text)
    weekday = _WEEKDAY.search(text)
    # An issue number alone says little: "培训班第3期开班" is a headline. Without a
    # date, weekday or lunar date beside it, the number must stand alone.
    dated = date is not None or lunar is not None or weekday is not None
    if len(leftover) > _MAX_LEFTOVER or (not dated and leftover):
        return None
    return DateLine(
        date=date,
        lunar_date=re.sub(r"\s+", "", lunar.group(0)) if lunar else None,
        weekday=weekday.group(0).replace("礼拜", "星期").replace("星期天", "星期日")
        if weekday
        else None,
        number=number_match,
    )


def _first_valid_date(text: str) -> dt.date | None:
    for match in _DATE.finditer(text):
        year, month, day = (int(g) for g in match.groups() if g is not None)
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None


def _issue_number(text: str) -> int | None:
    """The issue number; the running number (总第N期) only when no other is printed."""
    matches = list(_NUMBER.finditer(text))
    plain = [m for m in matches if not m.group(1)]
    chosen = (plain or matches or [None])[0]
    return int(chosen.group(2)) if chosen else None
