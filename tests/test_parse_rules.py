"""Each newspaper rule of the parser, shown on a small input of its own."""

from __future__ import annotations

import datetime as dt

import pytest

from publisher.errors import InputError
from publisher.parse import decode, limits, parse_issue
from publisher.parse.briefs import brief_title
from publisher.parse.byline import split_byline
from publisher.parse.colophon import read_colophon
from publisher.parse.dateline import read_dateline
from publisher.parse.headlines import clean_heading, group_headline
from publisher.parse.paragraphs import join_broken
from publisher.parse.text import ends_sentence, remove_cjk_spaces

HEAD = "# 测试报\n\n2024年1月5日 星期五 第7期\n\n"


def parse(body: str, head: str = HEAD) -> object:
    return parse_issue(head + body)


# --- masthead -----------------------------------------------------------------


def test_masthead_is_the_publication_name() -> None:
    issue = parse("## 标题\n\n正文。")
    assert issue.publication == "测试报"
    assert [a.title for a in issue.articles] == ["标题"]


def test_masthead_repeated_on_a_later_page_is_not_a_headline() -> None:
    issue = parse("## 一版标题\n\n正文。(张三)\n\n# 测试报\n\n## 二版标题\n\n正文。")
    assert [a.title for a in issue.articles] == ["一版标题", "二版标题"]


def test_a_long_first_heading_is_a_headline_not_a_masthead() -> None:
    text = "---\npublication: 测试报\n---\n\n## 区政府召开常务会议研究部署重点工作\n\n正文。\n\n第7期 2024年1月5日"
    issue = parse_issue(text)
    assert issue.publication == "测试报"
    assert issue.articles[0].title == "区政府召开常务会议研究部署重点工作"


# --- date line ----------------------------------------------------------------


def test_date_line_parts_in_any_order() -> None:
    line = read_dateline("第2890期 星期五 农历九月十三 2023年10月27日")
    assert line is not None
    assert (line.number, line.date, line.weekday, line.lunar_date) == (
        2890,
        dt.date(2023, 10, 27),
        "星期五",
        "农历九月十三",
    )


def test_date_line_anywhere_in_the_document() -> None:
    issue = parse_issue("# 测试报\n\n## 标题\n\n正文。\n\n2024年1月5日 农历冬月廿四 第7期\n")
    assert (issue.number, issue.date, issue.lunar_date) == (7, dt.date(2024, 1, 5), "农历冬月廿四")


def test_running_number_used_only_when_no_other() -> None:
    assert read_dateline("2024年1月5日 第7期 总第3001期").number == 7
    assert read_dateline("2024年1月5日 总第3001期").number == 3001


def test_a_sentence_mentioning_a_date_is_not_a_date_line() -> None:
    assert read_dateline("2023年10月27日下午,区政府党组召开会议,研究部署下一阶段工作。") is None


def test_a_headline_with_an_issue_number_is_not_a_date_line() -> None:
    issue = parse("## 培训班第3期开班\n\n正文。")
    assert [a.title for a in issue.articles] == ["培训班第3期开班"]
    assert issue.number == 7
    assert read_dateline("第2890期").number == 2890  # a number standing alone still counts


def test_impossible_date_is_refused() -> None:
    with pytest.raises(InputError, match="2023年13月45日 does not exist"):
        read_dateline("2023年13月45日 第1期")


def test_weekday_computed_when_not_printed() -> None:
    issue = parse("## 标题\n\n正文。", head="# 测试报\n\n2024年1月6日 第8期\n\n")
    assert issue.weekday == "星期六"


# --- colophon -----------------------------------------------------------------


def test_colophon_names_before_role() -> None:
    colophon = read_colophon(("中共青岛即墨区委", "即墨区人民政府 主办", "即墨融媒体中心编辑出版"))
    assert colophon.organizers == ("中共青岛即墨区委", "即墨区人民政府")
    assert colophon.publisher == "即墨融媒体中心"


def test_colophon_role_before_names() -> None:
    colophon = read_colophon(("主办单位:中共某某区委", "出版:某某融媒体中心"))
    assert colophon.organizers == ("中共某某区委",)
    assert colophon.publisher == "某某融媒体中心"


def test_a_sentence_about_organizers_is_not_a_colophon() -> None:
    assert read_colophon(("本次活动由区文旅局主办,吸引了众多市民参加。",)) is None


# --- headlines ----------------------------------------------------------------


def test_heading_over_heading_is_kicker_over_title() -> None:
    issue = parse("## 引题文字\n\n# 主标题\n\n正文。")
    assert (issue.articles[0].kicker, issue.articles[0].title) == ("引题文字", "主标题")


@pytest.mark.parametrize("ending", ["——", ":", ":", "—"])
def test_kicker_ending_punctuation_is_dropped(ending: str) -> None:
    headline = group_headline([f"引题{ending}", "主标题"])
    assert headline.kicker == "引题"


def test_dash_heading_after_title_is_subtitle() -> None:
    issue = parse("# 主标题\n\n## ——记者走访全区十个社区\n\n正文。")
    article = issue.articles[0]
    assert (article.kicker, article.title, article.subtitle) == (
        None,
        "主标题",
        "记者走访全区十个社区",
    )


def test_kicker_title_and_subtitle_together() -> None:
    headline = group_headline(["引题", "主标题", "——副题"])
    assert (headline.kicker, headline.title, headline.subtitle) == ("引题", "主标题", "副题")


def test_heading_levels_do_not_decide_roles() -> None:
    a = parse("# 引题\n\n## 主标题\n\n正文。").articles[0]
    b = parse("### 引题\n\n# 主标题\n\n正文。").articles[0]
    assert (a.kicker, a.title) == (b.kicker, b.title) == ("引题", "主标题")


def test_spaces_between_cjk_in_headlines_are_layout_artifacts() -> None:
    assert clean_heading("孙杰组织召开即墨区政企 沟通座谈会") == "孙杰组织召开即墨区政企沟通座谈会"
    assert remove_cjk_spaces("德国 ITEM 项目 落户") == "德国 ITEM 项目落户"


# --- bylines ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "authors"),
    [
        ("会议结束。(周程林 韩伟绩)", ("周程林", "韩伟绩")),
        ("会议结束。(周程林 韩伟绩)", ("周程林", "韩伟绩")),
        ("会议结束。(记者 王晓东 通讯员 李娜)", ("王晓东", "李娜")),
        ("会议结束。(本报记者王晓东)", ("王晓东",)),
        ("(刘元平 刘翔宇)", ("刘元平", "刘翔宇")),
        ("会议结束。(文/图 李娜)", ("李娜",)),
        ("会议结束。(文静)", ("文静",)),
    ],
)
def test_byline_names_without_role_words(text: str, authors: tuple[str, ...]) -> None:
    body, found = split_byline(text)
    assert found == authors
    assert "(" not in body and "(" not in body


@pytest.mark.parametrize(
    "text",
    [
        "举办健身操舞(三项全能)",  # a parenthesis inside a sentence
        "会议结束。(详见第三版,本报将持续关注)",  # not names
        "没有括号的段落。",
    ],
)
def test_not_a_byline(text: str) -> None:
    assert split_byline(text) == (text, None)


def test_byline_closes_its_article_and_text_after_it_is_a_brief() -> None:
    issue = parse("## 标题\n\n正文。(张三)\n\n5月1日上午,某地举行活动。(李四 王五)")
    first, brief = issue.articles
    assert (first.title, first.authors, first.paragraphs) == ("标题", ("张三",), ("正文。",))
    assert brief.untitled and brief.authors == ("李四", "王五")
    assert brief.paragraphs == ("5月1日上午,某地举行活动。",)


def test_article_without_byline_runs_to_the_next_heading() -> None:
    issue = parse("## 甲\n\n第一段。\n\n第二段。\n\n## 乙\n\n第三段。")
    assert [len(a.paragraphs) for a in issue.articles] == [2, 1]
    assert not any(a.untitled for a in issue.articles)


def test_two_briefs_in_a_row() -> None:
    issue = parse("## 甲\n\n正文。(张三)\n\n简讯一。(李四)\n\n简讯二。(王五)")
    assert [a.untitled for a in issue.articles] == [False, True, True]
    assert [a.authors for a in issue.articles[1:]] == [("李四",), ("王五",)]


# --- untitled briefs ----------------------------------------------------------


def test_brief_title_from_first_clause() -> None:
    assert brief_title("区图书馆新馆开放,市民排队入馆。") == "区图书馆新馆开放"


def test_brief_title_takes_a_second_clause_when_the_first_is_a_time() -> None:
    assert (
        brief_title("10月26日上午,中老年健身操舞交流活动举行。")
        == "10月26日上午,中老年健身操舞交流活动举行"
    )


def test_a_clause_too_long_for_a_title_gives_no_title_rather_than_a_cut_one() -> None:
    assert brief_title("很长" * 40 + "。") is None
    assert (
        brief_title("区图书馆开展读书月活动\uff0c吸引读者" + "很多" * 30)
        == "区图书馆开展读书月活动"
    )


# --- paragraphs ---------------------------------------------------------------


def test_paragraph_broken_across_columns_is_joined() -> None:
    assert join_broken(["即在确保工程质量的前提下,以", "全过程数字化管理为抓手。", "下一段。"]) == [
        "即在确保工程质量的前提下,以全过程数字化管理为抓手。",
        "下一段。",
    ]


def test_latin_words_joined_with_a_space() -> None:
    assert join_broken(["The plan was", "approved."]) == ["The plan was approved."]


@pytest.mark.parametrize("text", ["结束。", "真的吗?", "好!", "他说:“好。”", "见下文:", "end."])
def test_sentence_final_punctuation(text: str) -> None:
    assert ends_sentence(text)


@pytest.mark.parametrize("text", ["以", "助推企业“竣工即投产”", "区住建局、"])
def test_not_sentence_final(text: str) -> None:
    assert not ends_sentence(text)


def test_soft_line_breaks_inside_a_paragraph_leave_no_space_between_cjk() -> None:
    issue = parse("## 标题\n\n区政府召开\n常务会议。")
    assert issue.articles[0].paragraphs == ("区政府召开常务会议。",)


# --- encodings and front matter -------------------------------------------------


def test_bom_and_crlf() -> None:
    text = decode(("\ufeff" + HEAD + "## 标题\r\n\r\n正文。\r\n").encode("utf-8"))
    issue = parse_issue(text)
    assert issue.publication == "测试报" and issue.articles[0].paragraphs == ("正文。",)


def test_front_matter_overrides_inferred_values() -> None:
    text = (
        "---\npublication: 另一报\nnumber: 99\ndate: 2024-02-01\neditor: 王编辑\n"
        "tags: [要闻, 时政]\n---\n" + HEAD + "## 标题\n\n正文。"
    )
    issue = parse_issue(text)
    assert (issue.publication, issue.number, issue.date) == ("另一报", 99, dt.date(2024, 2, 1))
    assert issue.extra == {"editor": "王编辑", "tags": ["要闻", "时政"]}


def test_front_matter_alone_is_enough_metadata() -> None:
    issue = parse_issue(
        "---\npublication: 某报\nnumber: 3\ndate: 2024-03-01\n---\n\n## 标题\n\n正文。"
    )
    assert (issue.number, issue.weekday) == (3, "星期五")


def test_front_matter_names_are_one_line() -> None:
    text = '---\npublication: "报\\r\\nBcc: victim@example.org"\n---\n' + HEAD + "## 标题\n\n正文。"
    assert parse_issue(text).publication == "报 Bcc: victim@example.org"


def test_raw_html_stays_text() -> None:
    issue = parse("## <b>标题</b>\n\n<script>alert(1)</script>正文。")
    article = issue.articles[0]
    assert article.title == "<b>标题</b>"
    assert article.paragraphs == ("<script>alert(1)</script>正文。",)


def test_indented_paragraph_and_numbered_line_are_text() -> None:
    issue = parse("## 标题\n\n    缩进的段落。\n\n1. 第一条意见。")
    assert issue.articles[0].paragraphs == ("缩进的段落。", "1. 第一条意见。")


# --- refusals -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \n\n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("# 测试报\n第1期".encode("gb18030"), "GB18030"),
    ],
)
def test_undecodable_input_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(InputError, match=words):
        decode(data)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("# 测试报\n\n## 标题\n\n正文。", "no issue number"),
        ("# 测试报\n\n第7期\n\n## 标题\n\n正文。", "no issue date"),
        (HEAD, "no articles"),
        ("2024年1月5日 第7期\n\n## 区政府召开常务会议,研究部署工作\n\n正文。", "no publication"),
        ("---\nnumber: [1\n---\n" + HEAD, "not valid YAML"),
        ("---\nnumber: abc\n---\n" + HEAD + "## 标题\n\n正文。", "not a whole number"),
        ("---\ndate: 2024-13-01\n---\n" + HEAD + "## 标题\n\n正文。", "not a date"),
        (
            "---\npublication: " + "报" * 201 + "\n---\n" + HEAD + "## 标题\n\n正文。",
            "longer than 200",
        ),
    ],
)
def test_missing_or_bad_metadata_is_refused_with_a_hint(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as error:
        parse_issue(text)
    assert error.value.hint  # every refusal says how to fix it


# --- bounds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("\n\n".join("区" for _ in range(limits.MAX_PARAGRAPHS + 1)), "paragraphs"),
        ("短行\n" * (limits.MAX_LINES + 1), "lines"),
        ("[" * (limits.MAX_MARKS + 1), "Markdown marks"),
    ],
)
def test_more_than_an_issue_ever_holds_is_refused_in_one_line(body: str, says: str) -> None:
    with pytest.raises(InputError, match=says) as refused:
        parse_issue(HEAD + "## 标题\n\n" + body, "big.md")
    assert "\n" not in str(refused.value) and str(refused.value).startswith("big.md: ")


def test_a_long_issue_within_the_bounds_is_read() -> None:
    body = "\n\n".join(f"## 标题{i}\n\n本报讯(记者 张明)正文。" for i in range(2_000))
    assert len(parse_issue(HEAD + body).articles) == 2_000


@pytest.mark.parametrize(
    ("front", "says"),
    [
        ("number: \u00b2", "is not a whole number"),
        ("number: \u2460", "is not a whole number"),
        ("a: &a [*a]", "aliases"),
        ("a: &x 1\nb: *x", "aliases"),
        ("x: " + "[" * 5000 + "]" * 5000, "nested more than"),
        ("x: " + "a" * 20_000, "longer than"),
    ],
)
def test_hostile_front_matter_is_one_clear_line(front: str, says: str) -> None:
    with pytest.raises(InputError, match=says) as refused:
        parse_issue(f"---\n{front}\n---\n" + HEAD + "## 标题\n\n正文。", "fm.md")
    assert "\n" not in str(refused.value) and str(refused.value).startswith("fm.md: ")


def test_headings_and_lines_of_nothing_visible_are_no_text() -> None:
    issue = parse_issue(
        "# \u200e\n\n# 测试报\n\n2024年1月5日 星期五 第7期\n\n## \u200e\u202e\n\n## 标题\n\n正文。\n\n\u200b\u2800"
    )
    assert issue.publication == "测试报"
    assert [(a.kicker, a.title, a.paragraphs) for a in issue.articles] == [
        (None, "标题", ("正文。",))
    ]
