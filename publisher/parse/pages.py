"""Pages (版): page labels as printed, and the running header that print-to-text repeats.

A running header is the line at the top of each page: ``2024年3月5日 星期二
第3012期 要闻 3``, ``第2版``, ``A2 综合`` or ``第3版:要闻``. It is never text; it
says which page the articles after it are on, and what that page is called.
Patterns match folded text (``text.fold``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publisher.parse.text import IDEOGRAPH, fold

_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CHINESE_NUMBER = "[一二两三四五六七八九十]{1,3}"
# A page as printed: 3, 12, A3, 三, 十二 (a letter names a section: A3 is page 3 of A).
PAGE = rf"(?:[A-Z]\s?\d{{1,2}}|\d{{1,2}}|{CHINESE_NUMBER})"
# 第三版, 第3版, 3版, A3版; a Chinese numeral needs its 第 (二版 may be a headline's word).
_PAGE_WORD = re.compile(rf"^(?:第\s?({PAGE})|([A-Z]?\d{{1,2}}))\s?版$")
_SECTION_PAGE = re.compile(r"^([A-Z]\d{1,2})$")
_BARE_NUMBER = re.compile(r"^(\d{1,2})$")
# A page name: a short word of its own (要闻, 综合, 即墨新闻, 文化周刊).
_PAGE_NAME = re.compile(rf"^{IDEOGRAPH}{{2,6}}$")
# What may stand between the parts of a header.
_SEPARATOR = re.compile(r"[\s|/:\u00b7\u2022\u2014-]+")
_DATE_PARTS = re.compile(r"年|月|日|星期|礼拜|农历|第\s?\d+\s?期|总第")
_MAX_HEADER = 60
_SPACED_PART = re.compile(
    r"\d+\s*年\s*\d+\s*月\s*\d+\s*日|第\s*[\dA-Z\u4e00-\u9fff]{1,4}?\s*[期版]|总\s*第"
)


@dataclass(frozen=True)
class RunningHeader:
    """A page's running header: its page, the page's name, and any date line it repeats."""

    page: str
    page_name: str | None = None
    date_text: str = ""  # the date-line part, for the date line's own rules


# The page's staff, printed at its foot: 本版编辑 张三 美编 李四 校对 王五.
_STAFF_ROLE = (
    "本版编辑|责任编辑|值班编辑|美术编辑|版式设计|美编|责编|校对|组版|排版|审核|终审|编辑|审校"
)
# A role set off by a space, colon or slash, then names each set off by a space.
_STAFF_PART = rf"(?:{_STAFF_ROLE})(?:\s*[:/]\s*|\s+){IDEOGRAPH}{{2,4}}(?:\s+{IDEOGRAPH}{{2,4}})*"
_STAFF_LINE = re.compile(rf"^{_STAFF_PART}(?:\s+{_STAFF_PART})*$")


def is_staff_line(text: str) -> bool:
    """Whether ``text`` is a page's staff line (``本版编辑 张三 校对 王五``): page furniture."""
    folded = fold(text).strip()
    return len(folded) <= _MAX_HEADER and bool(_STAFF_LINE.match(folded))


def page_label(printed: str) -> str:
    """A page as the archive keeps it: ``三`` → ``3``, ``十二`` → ``12``, ``A 3`` → ``A3``."""
    printed = fold(printed).replace(" ", "")
    if printed.isdigit():
        return str(int(printed))
    if printed[0].isascii():
        return printed[0] + str(int(printed[1:]))
    return str(chinese_number(printed))


def chinese_number(text: str) -> int:
    """``三`` → 3, ``十二`` → 12, ``二十`` → 20, ``二十四`` → 24 (up to 99)."""
    if "十" not in text:
        return _DIGITS[text[-1]]
    tens, _, ones = text.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def read_running_header(text: str) -> RunningHeader | None:
    """The running header in ``text``, or ``None`` if it is anything else.

    A header holds a page (``第2版``, ``A2``, or a bare number beside a date line),
    at most one page name, and optionally the date line's parts; nothing more.
    """
    folded = fold(text).strip()
    if not folded or len(folded) > _MAX_HEADER:
        return None
    page: str | None = None
    bare: str | None = None
    names: list[str] = []
    date_tokens: list[str] = []
    # Spaces inside a part (2024 年 3 月, 第 12 版) are layout, not separators.
    folded = _SPACED_PART.sub(lambda m: re.sub(r"\s+", "", m.group()), folded)
    for token in (t for t in _SEPARATOR.split(folded) if t):
        if page is None and (match := _PAGE_WORD.match(token) or _SECTION_PAGE.match(token)):
            page = page_label(next(g for g in match.groups() if g))
        elif _DATE_PARTS.search(token):
            date_tokens.append(token)
        elif _BARE_NUMBER.match(token) and bare is None:
            bare = token
        elif _PAGE_NAME.match(token) and not names:
            names.append(token)
        elif date_tokens and re.fullmatch(r"[\u4e00-\u9fff]+", token):
            date_tokens.append(token)  # 九月十三 after 农历, split by a space
        else:
            return None
    if page is None:
        # A bare number is a page only beside a date line (2024年3月5日 要闻 3).
        if bare is None or not date_tokens:
            return None
        page = page_label(bare)
    elif bare is not None:
        return None
    return RunningHeader(page, names[0] if names else None, " ".join(date_tokens))
