"""The date line: ``2023年10月27日 农历九月十三 星期五 第2890期``, parts in any order."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, fields, replace

from publisher.errors import InputError
from publisher.model import weekday_of
from publisher.parse.doubts import Doubt
from publisher.parse.lunar import LUNAR_TEXT, lunar_day_of, read_lunar_date

# ASCII digits only (full-width ones are folded first): \d would take any script's digits.
_DATE = re.compile(
    r"(?<![0-9])([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日"
    r"|(?<![0-9])([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?![0-9])"
)
_WEEKDAY = re.compile(r"(?:星期|礼拜|周)[一二三四五六日天]")
_NUMBER = re.compile(r"(总)?第\s*([0-9]{1,9})\s*期")
_PARTS = (_DATE, LUNAR_TEXT, _WEEKDAY, _NUMBER)
# A paragraph is a date line only if little is left once its parts are taken out,
# and nothing is glued to a part (``2023年10月27日下午``); otherwise it is an article
# sentence that merely mentions a date.
_MAX_LEFTOVER = 12
# What separates the parts, in half- and full-width forms: comma, ideographic comma
# and full stop, semicolon, colon, parentheses, middle dots, bars, slashes, dashes.
_FILLER = re.compile(
    "[\\s,\uff0c\u3001.\u3002;\uff1b:\uff1a()\uff08\uff09\\[\\]\u3010\u3011"
    "\u00b7\u30fb|\uff5c/\uff0f\\-\u2014]+"
)
_PART_MARK = "\0"
_PART_NAMES = {
    "date": "date",
    "lunar_date": "lunar date",
    "weekday": "weekday",
    "number": "issue number",
}
# Full-width digits (U+FF10-U+FF19) read as ASCII ones.
_DIGITS = str.maketrans({0xFF10 + i: str(i) for i in range(10)})
# For the hint; calendar.month_name would follow the process locale.
_MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class DateLine:
    """What a date line says; any part may be missing."""

    date: dt.date | None = None
    lunar_date: str | None = None
    weekday: str | None = None
    number: int | None = None


def read_dateline(text: str, *, source: str | None = None) -> DateLine | None:
    """The parts of ``text`` if it is a date line, else ``None``.

    Raises ``InputError`` if a date line prints a date (or lunar date) that does
    not exist; a sentence that merely mentions one is not a date line.
    """
    text = text.translate(_DIGITS)
    dates = list(_DATE.finditer(text))
    number = _issue_number(text)
    if not dates and number is None:
        return None
    lunar = LUNAR_TEXT.search(text)
    weekday = _WEEKDAY.search(text)
    # An issue number alone says little: "培训班第3期开班" is a headline. Without a
    # date, weekday or lunar date beside it, the number must stand alone.
    dated = bool(dates) or lunar is not None or weekday is not None
    leftover = _leftover(text)
    if leftover is None or len(leftover) > _MAX_LEFTOVER or (not dated and leftover):
        return None
    printed_lunar = re.sub(r"\s+", "", lunar.group(0)) if lunar else None
    if printed_lunar is not None and read_lunar_date(printed_lunar) is None:
        raise InputError(
            f"the date line's lunar date {printed_lunar} does not exist",
            "correct the date line (lunar days run from 初一 to 三十, months from 正月 to 腊月)",
            source=source,
        )
    return DateLine(
        date=_date(dates[0], source) if dates else None,
        lunar_date=printed_lunar,
        weekday=_weekday(weekday.group(0)) if weekday else None,
        number=number,
    )


def dateline_doubts(line: DateLine, date: dt.date) -> list[Doubt]:
    """Doubts about a printed weekday or lunar date that is not ``date``'s.

    A misprinted weekday or lunar date does not stop an issue: the date wins, and
    an editor is told.
    """
    doubts = []
    weekday = weekday_of(date)
    if line.weekday is not None and line.weekday != weekday:
        detail = {"printed": line.weekday, "expected": weekday}
        doubts.append(Doubt("weekday-mismatch", line.weekday, detail))
    printed = read_lunar_date(line.lunar_date) if line.lunar_date else None
    actual = lunar_day_of(date)
    if line.lunar_date and printed and actual and not printed.agrees(actual):
        expected = actual.printed(with_year=printed.year_name is not None)
        detail = {"printed": line.lunar_date, "expected": expected}
        doubts.append(Doubt("lunar-mismatch", line.lunar_date, detail))
    return doubts


def merge_datelines(first: DateLine, more: DateLine, source: str | None = None) -> DateLine:
    """``first`` with the parts only ``more`` prints; raises ``InputError`` if a part differs.

    Each page may repeat the date line. Lunar dates are compared by the day they
    name, so ``农历十一月初三`` and ``农历冬月初三`` agree.
    """
    for f in fields(DateLine):
        ours, theirs = getattr(first, f.name), getattr(more, f.name)
        if ours is not None and theirs is not None and not _same(f.name, ours, theirs):
            raise InputError(
                f"the date lines disagree on the {_PART_NAMES[f.name]}: {ours} and {theirs}",
                "make every date line print the same date, lunar date, weekday and issue number",
                source=source,
            )
    missing = {
        f.name: getattr(more, f.name) for f in fields(DateLine) if getattr(first, f.name) is None
    }
    return replace(first, **missing)


def _same(part: str, ours: object, theirs: object) -> bool:
    if part == "lunar_date":
        assert isinstance(ours, str) and isinstance(theirs, str)
        ours_day, theirs_day = read_lunar_date(ours), read_lunar_date(theirs)
        if ours_day is not None and theirs_day is not None:
            return ours_day.agrees(theirs_day)
    return ours == theirs


def _leftover(text: str) -> str | None:
    """The text that is no part of a date line, or ``None`` if some is glued to a part."""
    marked = text
    for pattern in _PARTS:
        marked = pattern.sub(_PART_MARK, marked)
    words = [word for word in _FILLER.split(marked) if word]
    if any(_PART_MARK in word and word.strip(_PART_MARK) for word in words):
        return None
    return "".join(word for word in words if _PART_MARK not in word)


def _date(match: re.Match[str], source: str | None) -> dt.date:
    year, month, day = (int(g) for g in match.groups() if g is not None)
    try:
        return dt.date(year, month, day)
    except ValueError:
        printed = re.sub(r"\s+", "", match.group(0))
        raise InputError(
            f"the date line's date {printed} does not exist",
            f"correct the date line ({_why_not(year, month)})",
            source=source,
        ) from None


def _why_not(year: int, month: int) -> str:
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return f"there is no year {year}"
    if not 1 <= month <= 12:
        return "months run from 1 to 12"
    days = calendar.monthrange(year, month)[1]
    return f"{_MONTH_NAMES[month]} {year} has {days} days"


def _weekday(printed: str) -> str:
    """The weekday as the model spells it: 礼拜五 and 周五 are 星期五, 星期天 is 星期日."""
    day = printed[-1].replace("天", "日")
    return f"星期{day}"


def _issue_number(text: str) -> int | None:
    """The issue number; the running number (总第N期) only when no other is printed."""
    matches = list(_NUMBER.finditer(text))
    plain = [m for m in matches if not m.group(1)]
    chosen = plain or matches
    return int(chosen[0].group(2)) if chosen else None
