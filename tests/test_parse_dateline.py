"""The date line in detail: lunar days and months, computed lunar dates, doubts, errors."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from publisher.errors import InputError
from publisher.parse import parse_issue
from publisher.parse.dateline import DateLine, dateline_doubts, merge_datelines, read_dateline
from publisher.parse.doubts import Doubt
from publisher.parse.lunar import LunarDay, lunar_date_of, read_lunar_date

# Written out by hand, not generated, so that the test does not share the code's mistakes.
# fmt: off
DAY_NAMES = [
    "初一", "初二", "初三", "初四", "初五", "初六", "初七", "初八", "初九", "初十",
    "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十",
    "廿一", "廿二", "廿三", "廿四", "廿五", "廿六", "廿七", "廿八", "廿九", "三十",
]
# fmt: on
FRIDAY = dt.date(2023, 10, 27)  # 农历癸卯年九月十三


# --- lunar days and months ----------------------------------------------------


@pytest.mark.parametrize(("day", "name"), list(enumerate(DAY_NAMES, 1)))
def test_every_lunar_day_is_read_and_printed(day: int, name: str) -> None:
    line = read_dateline(f"2023年10月27日 农历九月{name} 第1期")
    assert line is not None and line.lunar_date == f"农历九月{name}"
    assert read_lunar_date(line.lunar_date) == LunarDay(9, day)
    assert LunarDay(9, day).printed() == f"农历九月{name}"


@pytest.mark.parametrize("name", ["二十", "三十"])
def test_twentieth_and_thirtieth_are_kept_whole(name: str) -> None:
    line = read_dateline(f"农历九月{name} 星期五 第1期")
    assert line is not None and line.lunar_date == f"农历九月{name}"


def test_sa_alone_is_the_thirtieth() -> None:
    line = read_dateline("2024年2月9日 农历腊月卅 第1期")
    assert line is not None and line.lunar_date == "农历腊月卅"
    assert read_lunar_date("农历腊月卅") == LunarDay(12, 30)


@pytest.mark.parametrize("printed", ["农历九月卅一", "农历九月十", "农历十三月初一"])
def test_a_lunar_day_that_does_not_exist_is_refused(printed: str) -> None:
    with pytest.raises(InputError, match=f"lunar date {printed} does not exist"):
        read_dateline(f"2023年10月27日 {printed} 第1期")


@pytest.mark.parametrize(
    ("printed", "meaning"),
    [
        ("农历正月初一", LunarDay(1, 1)),
        ("农历一月初一", LunarDay(1, 1)),
        ("农历十月初一", LunarDay(10, 1)),
        ("农历十一月初三", LunarDay(11, 3)),
        ("农历冬月初三", LunarDay(11, 3)),
        ("农历十二月初八", LunarDay(12, 8)),
        ("农历腊月初八", LunarDay(12, 8)),
        ("农历闰二月初一", LunarDay(2, 1, leap=True)),
        ("农历甲辰年正月初一", LunarDay(1, 1, year_name="甲辰")),
        ("癸卯年农历九月十三", LunarDay(9, 13, year_name="癸卯")),
    ],
)
def test_lunar_months_leap_months_and_years(printed: str, meaning: LunarDay) -> None:
    line = read_dateline(f"{printed} 第1期")
    assert line is not None and line.lunar_date == printed
    assert read_lunar_date(printed) == meaning


def test_lunar_date_keeps_its_printed_form_without_spaces() -> None:
    line = read_dateline("2023年10月27日 农历 九月 十三 第2890期")
    assert line is not None and line.lunar_date == "农历九月十三"


# --- the lunar date computed from the date ------------------------------------


@pytest.mark.parametrize(
    ("date", "lunar"),
    [
        (FRIDAY, "农历九月十三"),
        (dt.date(2024, 2, 10), "农历正月初一"),
        (dt.date(2023, 3, 22), "农历闰二月初一"),  # 2023 repeats its second month
        (dt.date(2023, 4, 19), "农历闰二月廿九"),
        (dt.date(2023, 4, 20), "农历三月初一"),
        (dt.date(2024, 1, 5), "农历冬月廿四"),
        (dt.date(2024, 2, 9), "农历腊月三十"),
        (dt.date(2023, 11, 3), "农历九月二十"),
    ],
)
def test_lunar_date_of_a_date(date: dt.date, lunar: str) -> None:
    assert lunar_date_of(date) == lunar


def test_lunar_date_of_a_date_outside_the_table_is_unknown() -> None:
    assert lunar_date_of(dt.date(2150, 6, 1)) is None
    assert lunar_date_of(dt.date(1850, 6, 1)) is None


# --- a printed weekday or lunar date that is not the date's: doubts -----------


def test_a_date_line_that_agrees_has_no_doubts() -> None:
    line = read_dateline("2023年10月27日 农历癸卯年九月十三 星期五 第2890期")
    assert line is not None and dateline_doubts(line, FRIDAY) == []
    assert dateline_doubts(DateLine(lunar_date="农历冬月廿四"), dt.date(2024, 1, 5)) == []
    assert dateline_doubts(DateLine(lunar_date="农历十一月廿四"), dt.date(2024, 1, 5)) == []


def test_weekday_mismatch_is_a_doubt() -> None:
    line = read_dateline("2023年10月27日 星期四 第2890期")
    assert line is not None
    assert dateline_doubts(line, FRIDAY) == [
        Doubt("weekday-mismatch", "星期四", {"printed": "星期四", "expected": "星期五"})
    ]


def test_lunar_mismatch_is_a_doubt() -> None:
    line = read_dateline("2023年10月27日 农历九月十四 第2890期")
    assert line is not None
    assert dateline_doubts(line, FRIDAY) == [
        Doubt(
            "lunar-mismatch",
            "农历九月十四",
            {"printed": "农历九月十四", "expected": "农历九月十三"},
        )
    ]


def test_a_wrong_leap_flag_or_year_is_a_lunar_mismatch() -> None:
    [leap] = dateline_doubts(DateLine(lunar_date="农历二月初一"), dt.date(2023, 3, 22))
    assert leap.detail["expected"] == "农历闰二月初一"
    [year] = dateline_doubts(DateLine(lunar_date="农历甲辰年九月十三"), FRIDAY)
    assert year.detail["expected"] == "农历癸卯年九月十三"


# --- impossible dates ---------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "printed", "why"),
    [
        ("2023年2月30日 星期四 第1期", "2023年2月30日", "February 2023 has 28 days"),
        ("2024年2月30日", "2024年2月30日", "February 2024 has 29 days"),
        ("2023年13月1日 第1期", "2023年13月1日", "months run from 1 to 12"),
        ("2023-02-30 第1期", "2023-02-30", "February 2023 has 28 days"),
    ],
)
def test_an_impossible_date_in_a_date_line_is_refused(line: str, printed: str, why: str) -> None:
    with pytest.raises(InputError) as error:
        read_dateline(line, source="issue.md")
    message = str(error.value)
    assert (
        message
        == f"issue.md: the date line's date {printed} does not exist; correct the date line ({why})"
    )
    assert "\n" not in message


def test_an_impossible_date_stops_the_issue() -> None:
    text = "# 测试报\n\n2023年2月30日 第1期\n\n## 标题\n\n正文。"
    with pytest.raises(InputError, match=r"^x\.md: the date line's date 2023年2月30日 does not"):
        parse_issue(text, "x.md")


@pytest.mark.parametrize(
    "sentence",
    [
        "2023年2月30日下午,区政府党组召开会议,研究部署下一阶段工作。",
        "2023年2月30日开会",
        "本报讯 2024年3月5日上午区委召开会议",
    ],
)
def test_a_sentence_mentioning_a_date_is_not_a_date_line(sentence: str) -> None:
    assert read_dateline(sentence) is None


# --- repeated date lines ------------------------------------------------------


def test_a_repeated_date_line_fills_what_the_first_did_not_print() -> None:
    first = DateLine(date=FRIDAY, number=2890)
    more = DateLine(date=FRIDAY, lunar_date="农历九月十三", weekday="星期五", number=2890)
    assert merge_datelines(first, more) == more


def test_repeated_lunar_dates_are_compared_by_meaning() -> None:
    first = DateLine(lunar_date="农历冬月廿四")
    assert merge_datelines(first, DateLine(lunar_date="农历十一月廿四")) == first


@pytest.mark.parametrize(
    ("first", "more", "words"),
    [
        (
            DateLine(date=FRIDAY),
            DateLine(date=dt.date(2023, 10, 28)),
            "date: 2023-10-27 and 2023-10-28",
        ),
        (DateLine(number=2890), DateLine(number=2891), "issue number: 2890 and 2891"),
        (DateLine(weekday="星期五"), DateLine(weekday="星期六"), "weekday: 星期五 and 星期六"),
        (
            DateLine(lunar_date="农历九月十三"),
            DateLine(lunar_date="农历闰九月十三"),
            "lunar date: 农历九月十三 and 农历闰九月十三",
        ),
    ],
)
def test_a_repeated_date_line_that_disagrees_is_refused(
    first: DateLine, more: DateLine, words: str
) -> None:
    with pytest.raises(InputError, match=f"^a.md: the date lines disagree on the {words};"):
        merge_datelines(first, more, "a.md")


def test_an_issue_whose_pages_print_different_dates_is_refused() -> None:
    text = "# 测试报\n\n2024年1月5日 第7期\n\n## 标题\n\n正文。\n\n2024年1月6日 第7期\n"
    with pytest.raises(InputError, match="disagree on the date: 2024-01-05 and 2024-01-06"):
        parse_issue(text, "x.md")


# --- full-width forms ---------------------------------------------------------

FULL_WIDTH = {
    ",": "\uff0c",
    ";": "\uff1b",
    ":": "\uff1a",
    "(": "\uff08",
    ")": "\uff09",
    " ": "\u3000",
}


def test_full_width_separators_read_like_half_width() -> None:
    assert [unicodedata.name(c) for c in FULL_WIDTH.values()] == [
        "FULLWIDTH COMMA",
        "FULLWIDTH SEMICOLON",
        "FULLWIDTH COLON",
        "FULLWIDTH LEFT PARENTHESIS",
        "FULLWIDTH RIGHT PARENTHESIS",
        "IDEOGRAPHIC SPACE",
    ]
    half = "2023年10月27日,农历九月十三;星期五:(第2890期) \u3001"
    full = half.translate(str.maketrans("".join(FULL_WIDTH), "".join(FULL_WIDTH.values())))
    assert not set(full) & set(FULL_WIDTH)  # no half-width separator is left
    assert unicodedata.name(half[-1]) == "IDEOGRAPHIC COMMA"
    expected = DateLine(FRIDAY, "农历九月十三", "星期五", 2890)
    assert read_dateline(half) == expected
    assert read_dateline(full) == expected


@pytest.mark.parametrize("separator", ["\u00b7", "|", "/", "\u3000"])
def test_other_separators(separator: str) -> None:
    line = read_dateline(separator.join(["2023年10月27日", "星期五", "第2890期"]))
    assert line == DateLine(date=FRIDAY, weekday="星期五", number=2890)


def test_full_width_digits_are_read() -> None:
    digits = "".join(chr(0xFF10 + int(d)) for d in "2023")
    assert [unicodedata.name(c) for c in digits[:1]] == ["FULLWIDTH DIGIT TWO"]
    line = read_dateline(f"{digits}年\uff11\uff10月\uff12\uff17日 第\uff12\uff18\uff19\uff10期")
    assert line == DateLine(date=FRIDAY, number=2890)


def test_weekday_spellings() -> None:
    for printed in ("星期日", "星期天", "礼拜天", "周日"):
        line = read_dateline(f"2023年10月29日 {printed}")
        assert line is not None and line.weekday == "星期日"
