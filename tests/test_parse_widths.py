"""Half-width and full-width punctuation, and any mix of them, parse to the same issue.

Issues are generated from the conventions the parser knows (headlines,
credits, bylines, captions, columns, continuations, running headers, lists,
quotes, notes) with random text between them; each is parsed as written
(half-width), with every punctuation mark full-width, and with a random mix.
"""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.errors import InputError
from publisher.parse import read_issue

from .conftest import FULLWIDTH_SAMPLE, SAMPLE
from .test_parse_conventions import full_width

_WORDS = st.sampled_from(
    [
        "区里",
        "召开",
        "会议",
        "工作",
        "落实",
        "项目",
        "建设",
        "群众",
        "即墨",
        "ITEM",
        "2024年",
        "3月5日",
        "1.4万",
    ]
)
_MARK = st.sampled_from(
    [",", ";", ":", "?", "!", "(扩大)", "\u3001", "\u201c好\u201d", "\u2014\u2014", "\u2026\u2026"]
)
_END = st.sampled_from(["\u3002", "!", "?", "\u2026\u2026", ""])
_CLAUSE = st.lists(_WORDS, min_size=1, max_size=6).map("".join)
_SENTENCE = st.builds(
    lambda parts, marks, end: "".join(p + m for p, m in zip(parts, marks, strict=False)) + end,
    st.lists(_CLAUSE, min_size=1, max_size=4),
    st.lists(_MARK, min_size=3, max_size=3),
    _END,
)
_NAMES = st.sampled_from(["张明", "王丽 刘洋", "记者 赵刚", "本报记者 孙伟 通讯员 周洁"])
_CREDIT = st.sampled_from(
    ["本报讯(记者 张明)", "本报讯 记者 王丽 ", "新华社北京3月5日电(记者 李华)", ""]
)
_EXTRA = st.sampled_from(
    [
        "![图](a.jpg)\n图为工人们在调试设备。(记者 张明 摄)",
        "▲ 古城夜景 赵刚/摄",
        "编者按:本报推出系列报道。",
        "1. 第一项;\n2. 第二项。",
        "> 引用的话。",
        "第2版 综合",
        "2024年3月5日 星期二 第3012期 要闻 3",
        "本版编辑 张三 校对 王五",
        "(下转第二版)",
        "(上接第一版)",
    ]
)


@st.composite
def _article(draw: st.DrawFn) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append(f"## {draw(_CLAUSE)}:")
    lines.append(f"## {draw(_CLAUSE)}{draw(st.sampled_from(['', '?', '!', '(上接第一版)']))}")
    if draw(st.booleans()):
        lines.append(f"## \u2014\u2014{draw(_CLAUSE)}")
    if draw(st.booleans()):
        lines.append(draw(_NAMES).replace("张明", "本报记者 张明"))
    body = draw(st.lists(st.one_of(_SENTENCE, _EXTRA), min_size=1, max_size=5))
    body[0] = draw(_CREDIT) + body[0]
    if draw(st.booleans()):
        body[-1] += f"({draw(_NAMES)})"
    return "\n\n".join(lines + body)


@st.composite
def issues(draw: st.DrawFn) -> str:
    parts = ["# 测试报", "2024年3月5日 星期二 农历正月廿五 第3012期"]
    parts += draw(
        st.lists(
            st.one_of(_article(), _EXTRA, st.just("## 简讯\n\n\u25cf区里开会。(张明)")),
            min_size=1,
            max_size=6,
        )
    )
    if draw(st.booleans()):
        parts.append("中共青岛即墨区委 即墨区人民政府 主办 即墨融媒体中心编辑出版")
    return "\n\n".join(parts)


def _outcome(text: str) -> object:
    """What the parser makes of ``text``, NFKC-normalised so that widths compare equal."""
    try:
        parsed = read_issue(text, "x.md")
    except InputError as e:
        return ("refused", unicodedata.normalize("NFKC", str(e)))
    data = {"issue": parsed.issue.to_json(), "doubts": [d.to_json() for d in parsed.doubts]}
    return unicodedata.normalize("NFKC", json.dumps(data, ensure_ascii=False))


def _mixed(text: str, choices: list[bool]) -> str:
    """Each punctuation mark full-width or not, as ``choices`` says (cycled)."""
    full = full_width(text)
    if len(full) != len(text):
        return full
    return "".join(
        f if choices[i % len(choices)] else h
        for i, (h, f) in enumerate(zip(text, full, strict=True))
    )


@settings(max_examples=150, deadline=None)
@given(issues(), st.lists(st.booleans(), min_size=1, max_size=7))
def test_half_full_and_mixed_widths_parse_the_same(text: str, choices: list[bool]) -> None:
    half = _outcome(text)
    assert _outcome(full_width(text)) == half
    assert _outcome(_mixed(text, choices)) == half


def test_the_two_samples_give_the_same_issue() -> None:
    full_text = FULLWIDTH_SAMPLE.read_text(encoding="utf-8")
    assert full_text.count("\uff0c") > 100  # really full-width, not a flattened copy
    half = _outcome(SAMPLE.read_text(encoding="utf-8"))
    assert _outcome(full_text) == half
    assert len(json.loads(str(half))["issue"]["articles"]) == 5
