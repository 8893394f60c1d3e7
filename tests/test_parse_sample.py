"""The sample issue 2890 of 新即墨 parses exactly as the issue tracker specifies."""

from __future__ import annotations

import pytest

from publisher.model import Issue
from publisher.parse import parse_bytes

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def issue() -> Issue:
    return parse_bytes(SAMPLE.read_bytes(), str(SAMPLE))


def test_masthead_date_line_and_colophon(issue: Issue) -> None:
    assert issue.publication == "新即墨"
    assert issue.number == 2890
    assert issue.date.isoformat() == "2023-10-27"
    assert issue.weekday == "星期五"
    assert issue.lunar_date == "农历九月十三"
    assert issue.organizers == ("中共青岛即墨区委", "即墨区人民政府")
    assert issue.publisher == "即墨融媒体中心"


def test_five_articles_in_print_order(issue: Issue) -> None:
    got = [(a.kicker, a.title, a.authors, len(a.paragraphs), a.untitled) for a in issue.articles]
    assert got[:4] == [
        (None, "区政府党组(扩大)会议暨区政府常务会议召开", ("周程林", "韩伟绩"), 5, False),
        (None, "孙杰组织召开即墨区政企沟通座谈会", ("周程林", "韩伟绩"), 4, False),
        (None, "区人大常委会视察重点类代表建议办理情况", ("刘云睿",), 3, False),
        (
            "德国ITEM项目是我区首家实现“竣工即投产”的企业",
            "一个“即”字,收益几何?",
            ("刘元平", "刘翔宇"),
            7,
            False,
        ),
    ]
    brief = issue.articles[4]
    assert brief.untitled
    assert brief.authors == ("刘迪章", "任光瑞")
    assert len(brief.paragraphs) == 1
    assert brief.paragraphs[0].startswith("10月26日上午")
    # Its first clause only says when, and the next is too long for a title: it is
    # labelled as a brief rather than titled with a phrase cut in the middle.
    assert (brief.kicker, brief.title) == (None, "简讯")


def test_column_breaks_are_joined(issue: Issue) -> None:
    paragraphs = issue.articles[3].paragraphs
    assert any("以全过程数字化管理为抓手" in p for p in paragraphs)
    assert any("针对项目进展情况分阶段" in p for p in paragraphs)
    assert not any(p.startswith(("全过程", "进展情况")) for p in paragraphs)


def test_no_byline_remains_in_text(issue: Issue) -> None:
    for article in issue.articles:
        for paragraph in article.paragraphs:
            for author in article.authors:
                assert f"{author} " not in paragraph and f"{author})" not in paragraph
    assert issue.articles[0].paragraphs[-1] == "会议还研究了其他事项。"


def test_metadata_is_not_article_text(issue: Issue) -> None:
    text = "".join(p for a in issue.articles for p in a.paragraphs)
    assert "编辑出版" not in text
    assert "第2890期" not in text
