"""Any text at all gives either an issue or a clear InputError, never a crash."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from publisher.errors import InputError
from publisher.model import Issue
from publisher.parse import parse_bytes

from .conftest import SAMPLE

SAMPLE_LINES = SAMPLE.read_text(encoding="utf-8").splitlines()

# Characters the parser treats specially, so that random text hits its rules often.
_SPECIAL = st.sampled_from(
    [
        *list("#()()——::。,、 \n\t-*>`[]!<&\\\u3000\u202e\ufeff"),
        "第12期",
        "2023年10月27日",
        "农历九月十三",
        "星期五",
        "主办",
        "编辑出版",
        "---\n",
        "记者",
    ]
)
_TEXT = st.lists(st.one_of(st.text(max_size=20), _SPECIAL), max_size=60).map("".join)


def check(data: bytes) -> None:
    try:
        issue = parse_bytes(data, "fuzz.md")
    except InputError as e:
        assert str(e).startswith("fuzz.md: ")  # says which file, then what is wrong
        return
    assert isinstance(issue, Issue)
    assert issue.publication and issue.number >= 0 and issue.articles
    assert all(a.title for a in issue.articles)
    json.dumps(issue.to_json(), ensure_ascii=False)  # always serialisable


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_TEXT)
@example("# 报\n\n## ——\n\n正文。\n\n2023年10月27日 第1期")
@example("---\n---\n")
@example("---\na: !!python/object:os.system ls\n---\n")
def test_arbitrary_text(text: str) -> None:
    check(text.encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    check(data)


@st.composite
def mutated_sample(draw: st.DrawFn) -> str:
    lines = list(SAMPLE_LINES)
    for _ in range(draw(st.integers(0, 12))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, draw(_TEXT))
        else:
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    return "\n".join(lines)


@settings(max_examples=200, deadline=None)
@given(mutated_sample())
def test_mutated_sample(text: str) -> None:
    check(text.encode("utf-8"))


def test_sample_survives_crlf_and_bom_unchanged() -> None:
    plain = parse_bytes(SAMPLE.read_bytes())
    windows = parse_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes().replace(b"\n", b"\r\n"))
    assert plain == windows
