"""Lunar dates as papers print them (``农历九月十三``, ``农历癸卯年闰二月初一``).

A printed lunar date is read into a ``LunarDay`` so that two spellings of the same
day compare equal (``农历十一月初三`` is ``农历冬月初三``), and a date's lunar day
is computed with ``lunardate`` to fill one that was not printed or to check one
that was.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lunardate import LunarDate  # type: ignore[import-untyped]

_NUMERALS = "一二三四五六七八九"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_YEAR = rf"[{_STEMS}][{_BRANCHES}]年"

# Loose on purpose: whatever looks like a lunar date is taken, so that a misprint
# (``卅一``, ``十三月``) in a date line is refused rather than left behind as text.
LUNAR_TEXT = re.compile(
    rf"(?:{_YEAR}\s*)?农历\s*(?:{_YEAR}\s*)?闰?\s*[正一二三四五六七八九十冬腊]{{1,2}}\s*月"
    rf"\s*[初十廿卅二三][{_NUMERALS}十]{{0,2}}"
)
_PARTS = re.compile(
    rf"(?:(?P<year1>{_YEAR}))?农历(?:(?P<year2>{_YEAR}))?(?P<leap>闰)?"
    rf"(?P<month>[正一二三四五六七八九十冬腊]{{1,2}})月(?P<day>.+)"
)

# How papers print months: 正月 for the first, 冬月 and 腊月 for the last two.
_MONTH_NAMES = ("正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊")
_MONTHS = {name: n for n, name in enumerate(_MONTH_NAMES, 1)} | {
    "一": 1,
    "十一": 11,
    "十二": 12,
}


def _day_name(n: int) -> str:
    if n <= 10:
        return "初" + (_NUMERALS + "十")[n - 1]
    if n < 20:
        return "十" + _NUMERALS[n - 11]
    if n == 20:
        return "二十"
    if n < 30:
        return "廿" + _NUMERALS[n - 21]
    return "三十"


_DAY_NAMES = tuple(_day_name(n) for n in range(1, 31))
# Also read: 卅 (30) and the spelled-out 二十一…二十九 some typesetters use.
_DAYS = (
    {name: n for n, name in enumerate(_DAY_NAMES, 1)}
    | {"卅": 30}
    | {"二十" + digit: 21 + i for i, digit in enumerate(_NUMERALS)}
)


@dataclass(frozen=True)
class LunarDay:
    """A day of the lunar calendar: month 1-12 (leap or not), day 1-30, maybe its 干支 year."""

    month: int
    day: int
    leap: bool = False
    year_name: str | None = None  # 甲辰: printed by some papers, computed by lunar_day_of

    def agrees(self, other: LunarDay) -> bool:
        """Whether both name the same day; a year printed on only one side is not compared."""
        years_agree = None in (self.year_name, other.year_name) or self.year_name == other.year_name
        return (self.month, self.day, self.leap) == (other.month, other.day, other.leap) and (
            years_agree
        )

    def printed(self, *, with_year: bool = False) -> str:
        """The conventional printed form, e.g. ``农历闰二月初一`` (``农历甲辰年正月初一``)."""
        year = f"{self.year_name}年" if with_year and self.year_name else ""
        leap = "闰" if self.leap else ""
        return f"农历{year}{leap}{_MONTH_NAMES[self.month - 1]}月{_DAY_NAMES[self.day - 1]}"


def read_lunar_date(text: str) -> LunarDay | None:
    """The lunar day a printed lunar date names, or ``None`` if no such day exists (``卅一``)."""
    parts = _PARTS.fullmatch(re.sub(r"\s+", "", text))
    if parts is None:
        return None
    month = _MONTHS.get(parts["month"])
    day = _DAYS.get(parts["day"])
    if month is None or day is None:
        return None
    year = parts["year1"] or parts["year2"]
    return LunarDay(month, day, bool(parts["leap"]), year[:2] if year else None)


def lunar_day_of(date: dt.date) -> LunarDay | None:
    """The lunar day of ``date``, or ``None`` outside the years ``lunardate`` knows (1900-2099)."""
    try:
        lunar = LunarDate.from_solar_date(date.year, date.month, date.day)
        # Outside its table the library returns nonsense rather than failing: check the round trip.
        if lunar.to_solar_date() != date:
            return None
    except ValueError:
        return None
    year = int(lunar.year)
    name = _STEMS[(year - 4) % 10] + _BRANCHES[(year - 4) % 12]
    return LunarDay(int(lunar.month), int(lunar.day), bool(lunar.is_leap_month), name)


def lunar_date_of(date: dt.date) -> str | None:
    """The lunar date papers print for ``date`` (``农历九月十三``), or ``None`` if unknown."""
    lunar = lunar_day_of(date)
    return lunar.printed() if lunar else None
