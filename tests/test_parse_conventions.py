"""The conventions of Chinese papers, each on examples of our own, in both punctuation widths.

Examples are written here with half-width punctuation; ``full_width`` sets
them as real print-to-text output does, and every test runs on both forms.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from publisher.model import Figure, Issue
from publisher.parse import read_issue

# Half-width punctuation and the full-width form real papers print, by code point.
_FULL = {
    ",": "\uff0c",
    "(": "\uff08",
    ")": "\uff09",
    ":": "\uff1a",
    ";": "\uff1b",
    "?": "\uff1f",
    "!": "\uff01",
}


_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


def full_width(text: str) -> str:
    """``text`` with its half-width Chinese punctuation set full-width (Markdown images aside)."""
    pieces = _MARKDOWN_IMAGE.split(text)
    images = [*_MARKDOWN_IMAGE.findall(text), ""]
    return "".join(
        "".join(_FULL.get(c, c) for c in piece) + image
        for piece, image in zip(pieces, images, strict=True)
    )


def test_the_full_width_forms_are_what_they_claim() -> None:
    # If an editor flattened the table above, every "full-width" test would silently
    # test half-width twice: this fails instead.
    assert {unicodedata.name(c) for c in _FULL.values()} == {
        "FULLWIDTH COMMA",
        "FULLWIDTH LEFT PARENTHESIS",
        "FULLWIDTH RIGHT PARENTHESIS",
        "FULLWIDTH COLON",
        "FULLWIDTH SEMICOLON",
        "FULLWIDTH QUESTION MARK",
        "FULLWIDTH EXCLAMATION MARK",
    }


HEAD = "# 测试报\n\n2024年3月5日 星期二 第3012期\n\n"


@pytest.fixture(params=["half", "full"])
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def read(body: str, width: str, head: str = HEAD) -> tuple[Issue, list[str]]:
    text = head + body
    parsed = read_issue(full_width(text) if width == "full" else text)
    return parsed.issue, [d.code for d in parsed.doubts]


def nfkc(text: str | None) -> str | None:
    return unicodedata.normalize("NFKC", text) if text is not None else None


# --- lead credit lines ----------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "source", "authors", "rest"),
    [
        (
            "本报讯(记者 张明 通讯员 刘洋)昨日,区里召开会议。",
            "本报",
            ("张明", "刘洋"),
            "昨日,区里召开会议。",
        ),
        ("本报讯 记者 张明 昨日,区里召开会议。", "本报", ("张明",), "昨日,区里召开会议。"),
        ("新华社北京3月5日电(记者 李华)今天,大会开幕。", "新华社", ("李华",), "今天,大会开幕。"),
        ("中新社青岛3月4日电(记者 王丽)记者从会上获悉。", "中新社", ("王丽",), "记者从会上获悉。"),
        ("人民日报北京3月5日电(记者 赵刚)今天开幕。", "人民日报", ("赵刚",), "今天开幕。"),
        ("大众日报济南3月5日讯(记者 孙伟)今天开幕。", "大众日报", ("孙伟",), "今天开幕。"),
        ("青岛日报讯(记者 周洁)今天开幕。", "青岛日报", ("周洁",), "今天开幕。"),
    ],
)
def test_lead_credit_gives_source_and_authors(
    width: str, first: str, source: str, authors: tuple[str, ...], rest: str
) -> None:
    issue, _ = read(f"## 大会开幕\n\n{first}\n\n第二段。", width)
    (article,) = issue.articles
    assert (article.source, article.authors) == (source, authors)
    assert nfkc(article.paragraphs[0]) == nfkc(rest)


def test_lead_credit_and_closing_byline_are_merged(width: str) -> None:
    body = "## 标题\n\n本报讯(记者 张明)昨日,区里召开会议。\n\n会议要求落实。(张明 刘洋)"
    issue, doubts = read(body, width)
    assert issue.articles[0].authors == ("张明", "刘洋")
    assert "no-byline" not in doubts


def test_a_word_after_the_agency_is_text_not_a_name(width: str) -> None:
    issue, _ = read("## 标题\n\n本报讯 近日,区图书馆开展读书活动。", width)
    assert issue.articles[0].authors == ()
    assert issue.articles[0].source == "本报"
    assert nfkc(issue.articles[0].paragraphs[0]) == "近日,区图书馆开展读书活动。"


# --- reporter lines -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("本报记者 张明", ("张明",)),
        ("记者 张明 王丽", ("张明", "王丽")),
        ("通讯员 刘洋", ("刘洋",)),
        ("本报记者 张明 通讯员 刘洋", ("张明", "刘洋")),
    ],
)
def test_reporter_line_gives_authors_and_is_no_paragraph(
    width: str, line: str, authors: tuple[str, ...]
) -> None:
    issue, _ = read(f"## 标题\n\n{line}\n\n第一段的文字,\n\n接着写完。\n\n第二段。", width)
    (article,) = issue.articles
    assert article.authors == authors
    assert [nfkc(p) for p in article.paragraphs] == ["第一段的文字,接着写完。", "第二段。"]


def test_reporter_line_on_the_first_line_of_a_paragraph_is_split_off(width: str) -> None:
    issue, _ = read("## 标题\n\n记者 张明\n昨日,区里召开会议。", width)
    assert issue.articles[0].authors == ("张明",)
    assert nfkc(issue.articles[0].paragraphs[0]) == "昨日,区里召开会议。"


def test_a_sentence_starting_with_a_role_word_is_text(width: str) -> None:
    issue, _ = read("## 标题\n\n记者节到了。", width)
    assert issue.articles[0].authors == ()
    assert issue.articles[0].paragraphs == ("记者节到了。",)


# --- continued articles ---------------------------------------------------------


CONTINUED = """\
第1版 要闻

## 新区建设提速

本报讯(记者 张明)今年以来,新区建设全面提速,一批重点项目

(下转第三版)

## 另一篇报道

正文。(王丽)

第3版 综合

## 新区建设提速

(上接第一版)

相继开工建设。(刘洋)
"""


def test_continued_article_is_one_article_in_reading_order(width: str) -> None:
    issue, doubts = read(CONTINUED, width)
    assert [a.title for a in issue.articles] == ["新区建设提速", "另一篇报道"]
    first = issue.articles[0]
    assert [nfkc(p) for p in first.paragraphs] == [
        "今年以来,新区建设全面提速,一批重点项目相继开工建设。"
    ]
    assert first.authors == ("张明", "刘洋")
    assert (first.page, first.page_name) == ("1", "要闻")
    assert "continuation-merged" in doubts


@pytest.mark.parametrize(
    ("to", "back"),
    [("(下转A3版)", "(上接A1版)"), ("(转第3版)", "(接第1版)"), ("(下转3版)", "(上接1版)")],
)
def test_continuation_notes_in_every_spelling(width: str, to: str, back: str) -> None:
    page = "A3" if "A" in to else "3"
    body = (
        f"第{'A1' if page == 'A3' else '1'}版 要闻\n\n## 标题\n\n开头的文字,{to}\n\n"
        f"## 别的\n\n正文。(王丽)\n\n第{page}版 综合\n\n## 标题{back}\n\n结尾的文字。(张明)"
    )
    issue, _ = read(body, width)
    assert [a.title for a in issue.articles] == ["标题", "别的"]
    assert [nfkc(p) for p in issue.articles[0].paragraphs] == ["开头的文字,结尾的文字。"]


def test_a_continuation_whose_other_part_is_missing_is_kept_and_doubted(width: str) -> None:
    issue, doubts = read("## 标题\n\n开头的文字。(下转第三版)", width)
    assert issue.articles[0].paragraphs == ("开头的文字。",)
    assert "continuation-unmatched" in doubts


# --- running headers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "page", "name"),
    [
        ("2024年3月5日 星期二 第3012期 要闻 3", "3", "要闻"),
        ("第2版", "2", None),
        ("A2 综合", "A2", "综合"),
        ("第三版:即墨新闻", "3", "即墨新闻"),
    ],
)
def test_running_header_sets_the_page_and_is_no_text(
    width: str, header: str, page: str, name: str | None
) -> None:
    issue, doubts = read(f"## 一版\n\n正文。(张明)\n\n{header}\n\n## 二版\n\n正文。(王丽)", width)
    assert [a.title for a in issue.articles] == ["一版", "二版"]
    assert (issue.articles[1].page, issue.articles[1].page_name) == (page, name)
    assert issue.articles[0].page is None
    assert "running-header-dropped" in doubts
    text = "".join(p for a in issue.articles for p in a.paragraphs)
    assert "版" not in text and "综合" not in text


def test_a_header_between_two_halves_of_a_paragraph_does_not_break_it(width: str) -> None:
    body = "第1版 要闻\n\n## 标题\n\n开头的文字,\n\n第2版 综合\n\n接着写完。(张明)"
    issue, _ = read(body, width)
    assert [nfkc(p) for p in issue.articles[0].paragraphs] == ["开头的文字,接着写完。"]
    assert issue.articles[0].page == "1"


def test_running_header_date_that_agrees_is_no_conflict(width: str) -> None:
    header = "2024年3月5日 星期二 第3012期 要闻 3"
    issue, _ = read(f"## 标题\n\n正文。(张明)\n\n{header}\n\n## 二\n\n正文。(王丽)", width)
    assert issue.date.isoformat() == "2024-03-05"


# --- colophon -------------------------------------------------------------------


@pytest.mark.parametrize(
    "colophon",
    [
        "中共青岛即墨区委 即墨区人民政府 主办 即墨融媒体中心编辑出版",
        "中共青岛即墨区委\n即墨区人民政府 主办\n即墨融媒体中心编辑出版",
        "中共青岛即墨区委\n\n即墨区人民政府 主办\n\n即墨融媒体中心编辑出版",
        "主办单位:中共青岛即墨区委 即墨区人民政府\n\n出版单位:即墨融媒体中心",
    ],
)
@pytest.mark.parametrize("where", ["top", "bottom"])
def test_colophon_variants_are_never_an_article(width: str, colophon: str, where: str) -> None:
    article = "## 标题\n\n正文。(张明)"
    body = f"{colophon}\n\n{article}" if where == "top" else f"{article}\n\n{colophon}"
    issue, _ = read(body, width)
    assert issue.organizers == ("中共青岛即墨区委", "即墨区人民政府")
    assert issue.publisher == "即墨融媒体中心"
    assert [a.title for a in issue.articles] == ["标题"]
    assert issue.articles[0].paragraphs == ("正文。",)


# --- photos ---------------------------------------------------------------------


def test_image_and_caption_become_a_figure_not_text(width: str) -> None:
    body = (
        "## 项目投产\n\n本报讯(记者 王丽)昨日,项目投产。\n\n"
        "![车间](photos/a.jpg)\n\n图为工人们在调试设备。(记者 张明 摄)\n\n"
        "项目负责人表示,将尽快达产。"
    )
    issue, _ = read(body, width)
    (article,) = issue.articles
    assert article.figures == (
        Figure(src="photos/a.jpg", alt="车间", caption="图为工人们在调试设备。", credit="张明"),
    )
    assert article.authors == ("王丽",)  # the photographer is not the author
    assert len(article.paragraphs) == 2  # the caption's credit did not close the article


@pytest.mark.parametrize(
    ("caption", "text", "credit"),
    [
        ("▲ 工人们在调试设备", "工人们在调试设备", None),
        ("工人们在调试设备 张明/摄", "工人们在调试设备", "张明"),
        ("图为工人们在调试设备。", "图为工人们在调试设备。", None),
    ],
)
def test_caption_forms(width: str, caption: str, text: str, credit: str | None) -> None:
    issue, _ = read(f"## 标题\n\n正文。\n\n![](b.png)\n{caption}\n\n再一段。(王丽)", width)
    (figure,) = issue.articles[0].figures
    assert (figure.src, figure.caption, figure.credit) == ("b.png", text, credit)


def test_a_caption_without_its_picture_is_still_a_figure(width: str) -> None:
    issue, _ = read(
        "## 标题\n\n正文。\n\n▲ 工人们在调试设备(记者 张明 摄)\n\n再一段。(王丽)", width
    )
    assert issue.articles[0].figures == (Figure(caption="工人们在调试设备", credit="张明"),)
    assert len(issue.articles[0].paragraphs) == 2


def test_photo_alone_is_a_photo_brief_by_its_photographer(width: str) -> None:
    body = "## 标题\n\n正文。(王丽)\n\n![](c.jpg)\n\n图为秋收时节的田野。(记者 张明 摄)\n\n## 下一篇\n\n正文。(刘洋)"
    issue, _ = read(body, width)
    assert [a.title for a in issue.articles] == ["标题", "秋收时节的田野", "下一篇"]
    brief = issue.articles[1]
    assert (brief.untitled, brief.kicker, brief.authors, brief.paragraphs) == (
        True,
        "图片新闻",
        ("张明",),
        (),
    )


# --- columns of short items -----------------------------------------------------


@pytest.mark.parametrize("marker", ["●", "■", "◆", "1.", "1、"])
def test_each_item_of_a_column_is_a_brief(width: str, marker: str) -> None:
    second = marker.replace("1", "2")
    body = (
        f"## 简讯\n\n{marker}区图书馆开展读书月活动,吸引读者千余人。(张明)\n\n"
        f"{second}龙山街道举办秋季运动会。(王丽)\n\n## 下一篇\n\n正文。(刘洋)"
    )
    issue, _ = read(body, width)
    assert [(a.kicker, a.title, a.authors, a.untitled) for a in issue.articles] == [
        ("简讯", "区图书馆开展读书月活动", ("张明",), True),
        ("简讯", "龙山街道举办秋季运动会", ("王丽",), True),
        (None, "下一篇", ("刘洋",), False),
    ]
    assert not any(p.startswith(("●", "■", "◆", "1", "2")) for p in issue.articles[0].paragraphs)


def test_column_of_short_news_under_another_name(width: str) -> None:
    issue, _ = read("## 即墨快讯\n\n◆区里开会。(张明)\n\n◆街道开会。(王丽)", width)
    assert [a.kicker for a in issue.articles] == ["即墨快讯", "即墨快讯"]


# --- lists, quotes, editor's notes ----------------------------------------------


def test_a_list_keeps_one_item_per_line(width: str) -> None:
    body = "## 标题\n\n会议要求:\n\n1. 加强领导;\n2. 落实责任;\n3. 强化督查。\n\n会议结束。(张明)"
    issue, _ = read(body, width)
    assert [nfkc(p) for p in issue.articles[0].paragraphs] == [
        "会议要求:",
        "1. 加强领导;\n2. 落实责任;\n3. 强化督查。",
        "会议结束。",
    ]


def test_a_bullet_list_keeps_its_items(width: str) -> None:
    issue, _ = read("## 标题\n\n要点:\n\n- 其一\n- 其二\n\n完。(张明)", width)
    assert issue.articles[0].paragraphs[1] == "\u2022 其一\n\u2022 其二"


def test_a_block_quote_stays_a_quote(width: str) -> None:
    issue, _ = read("## 标题\n\n他说:\n\n> 要把好事办好。\n\n完。(张明)", width)
    article = issue.articles[0]
    assert article.quotes == (1,)
    assert article.paragraphs[1] == "要把好事办好。"


@pytest.mark.parametrize(
    "note", ["编者按:今年是改革开放46周年。", "【编者按】今年是改革开放46周年。"]
)
def test_editors_note_belongs_to_the_article_that_follows(width: str, note: str) -> None:
    body = f"## 上一篇\n\n正文。(王丽)\n\n{note}\n\n## 改革故事\n\n正文。(张明)"
    issue, _ = read(body, width)
    assert [(a.title, nfkc(a.note)) for a in issue.articles] == [
        ("上一篇", None),
        ("改革故事", "今年是改革开放46周年。"),
    ]
    assert all("编者按" not in p for a in issue.articles for p in a.paragraphs)


def test_editors_note_after_the_headline(width: str) -> None:
    issue, _ = read("## 改革故事\n\n编者按:今年是改革开放46周年。\n\n正文。(张明)", width)
    assert nfkc(issue.articles[0].note) == "今年是改革开放46周年。"
    assert issue.articles[0].paragraphs == ("正文。",)


# --- doubts ---------------------------------------------------------------------


def test_an_article_without_byline_is_doubted(width: str) -> None:
    _, doubts = read("## 标题\n\n正文。", width)
    assert doubts == ["no-byline"]


def test_a_clean_issue_has_no_doubts(width: str) -> None:
    _, doubts = read("## 标题\n\n本报讯(记者 张明)正文。", width)
    assert doubts == []


def test_a_misprinted_weekday_is_doubted_once(width: str) -> None:
    _, doubts = read(
        "## 标题\n\n正文。(张明)", width, head="# 测试报\n\n2024年3月5日 星期三 第3012期\n\n"
    )
    assert doubts == ["weekday-mismatch"]


# --- page furniture and plain-text layout -----------------------------------------


@pytest.mark.parametrize("line", ["文/张明 图/李四", "文:张明 图:李四", "记者:张明 李四"])
def test_slashed_credit_line_gives_authors(width: str, line: str) -> None:
    issue, _ = read(f"## 标题\n\n{line}\n\n正文。", width)
    assert issue.articles[0].authors == ("张明", "李四")
    assert issue.articles[0].paragraphs == ("正文。",)


@pytest.mark.parametrize("line", ["本版编辑 张三 美编 李四 校对 王五", "责任编辑:张三"])
def test_a_page_staff_line_is_no_text(width: str, line: str) -> None:
    issue, doubts = read(f"## 标题\n\n正文。(张明)\n\n{line}\n\n## 二\n\n正文。(王丽)", width)
    assert [a.paragraphs for a in issue.articles] == [("正文。",), ("正文。",)]
    assert "running-header-dropped" in doubts


def test_page_lines_run_into_the_text_are_taken_out(width: str) -> None:
    text = (
        "新即墨\n2024年3月5日 星期二 第3012期\n"
        "中共青岛即墨区委 即墨区人民政府 主办 即墨融媒体中心编辑出版\n\n"
        "## 标题\n\n会议要求各级各部门\n第2版 综合\n狠抓落实。(张明)\n\n新即墨\n\n## 二\n\n正文。(王丽)"
    )
    issue, _ = read(text, width, head="")
    assert (issue.publication, issue.number, issue.publisher) == ("新即墨", 3012, "即墨融媒体中心")
    assert [a.paragraphs for a in issue.articles] == [
        ("会议要求各级各部门狠抓落实。",),
        ("正文。",),
    ]
    assert issue.articles[1].page == "2"


def test_photo_news_column_gives_one_brief_per_photo(width: str) -> None:
    body = (
        "## 图片新闻\n\n![](a.jpg)\n春耕时节,农民在田间忙碌。 赵刚/摄\n\n"
        "![](b.jpg)\n▲ 古城夜景。(记者 王丽 摄)"
    )
    issue, _ = read(body, width)
    assert [(a.kicker, a.title, a.authors) for a in issue.articles] == [
        ("图片新闻", "春耕时节", ("赵刚",)),
        ("图片新闻", "古城夜景", ("王丽",)),
    ]


@pytest.mark.parametrize(
    "byline", ["(文/张明 图/李四)", "(本报记者 张明 通讯员 李四)", "(张明 李四 报道)"]
)
def test_closing_byline_forms(width: str, byline: str) -> None:
    issue, _ = read(f"## 标题\n\n正文。{byline}", width)
    assert issue.articles[0].authors == ("张明", "李四")
    assert issue.articles[0].paragraphs == ("正文。",)


def test_continuation_without_page_headers_joins_the_next_part(width: str) -> None:
    body = "## 标题\n\n开头的文字,(下转第三版)\n\n## 别的\n\n正文。(王丽)\n\n## 标题续\n\n(上接第一版)\n\n结尾。(张明)"
    issue, doubts = read(body, width)
    assert [a.title for a in issue.articles] == ["标题", "别的"]
    assert [nfkc(p) for p in issue.articles[0].paragraphs] == ["开头的文字,结尾。"]
    assert "continuation-unmatched" not in doubts


def test_byline_with_roles_after_the_names(width: str) -> None:
    issue, _ = read("## 标题\n\n正文。(记者 张明/文 李四/图)", width)
    assert issue.articles[0].authors == ("张明", "李四")


def test_continuation_notes_without_brackets_on_their_own_line(width: str) -> None:
    body = "## 标题\n\n开头的文字,\n\n下转第三版\n\n## 别的\n\n正文。(王丽)\n\n## 标题\n\n上接第一版\n\n结尾。(张明)"
    issue, _ = read(body, width)
    assert [a.title for a in issue.articles] == ["标题", "别的"]
    assert [nfkc(p) for p in issue.articles[0].paragraphs] == ["开头的文字,结尾。"]


# --- found by an outside reader's issues --------------------------------------------


def test_reporter_lines_on_consecutive_lines_are_all_credits(width: str) -> None:
    issue, _ = read(
        "## 标题\n\n本报记者\u3000周婷婷\n通讯员\u3000韩雪\n\n走进企业,看到变化。", width
    )
    assert issue.articles[0].authors == ("周婷婷", "韩雪")
    assert [nfkc(p) for p in issue.articles[0].paragraphs] == ["走进企业,看到变化。"]


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("本报通讯员 刘晓", ("刘晓",)),
        ("本报记者 曲波 本报通讯员 刘晓", ("曲波", "刘晓")),
        ("特约通讯员 刘晓", ("刘晓",)),
    ],
)
def test_correspondents_are_credited_not_read_as_a_lead(
    width: str, line: str, authors: tuple[str, ...]
) -> None:
    issue, _ = read(f"## 标题\n\n{line}\n\n正文。", width)
    assert (issue.articles[0].authors, issue.articles[0].source) == (authors, None)
    assert issue.articles[0].paragraphs == ("正文。",)


def test_a_role_before_a_role_is_no_name(width: str) -> None:
    issue, _ = read("## 标题\n\n本报讯(见习记者 张明 特约通讯员 刘洋)昨天开会。", width)
    assert issue.articles[0].authors == ("张明", "刘洋")


def test_a_photo_report_credit_is_a_byline_not_a_caption(width: str) -> None:
    issue, _ = read("## 标题\n\n会议召开。\n\n会议要求,要抓好春耕生产。(记者 张明 摄影报道)", width)
    article = issue.articles[0]
    assert (article.authors, article.figures, len(article.paragraphs)) == (("张明",), (), 2)


def test_column_items_on_consecutive_lines_are_separate_briefs(width: str) -> None:
    body = "## 简讯\n\n● 区图书馆新增图书一万册。(刘洋)\n● 区消防大队开展演练。(记者 陈晨)\n◆ 街道开会。"
    issue, _ = read(body, width)
    assert [(a.title, a.authors, a.paragraphs) for a in issue.articles] == [
        ("区图书馆新增图书一万册", ("刘洋",), ("区图书馆新增图书一万册。",)),
        ("区消防大队开展演练", ("陈晨",), ("区消防大队开展演练。",)),
        ("街道开会", (), ("街道开会。",)),
    ]


def test_a_caption_ends_at_its_credit_when_text_follows_without_a_blank_line(width: str) -> None:
    body = "## 标题\n\n正文。\n\n![](q.jpg)\n图为农民在田间\n收获玉米。\n(通讯员 田野 摄)\n目前,秋种正忙。(王丽)"
    issue, _ = read(body, width)
    article = issue.articles[0]
    assert [(f.caption, f.credit) for f in article.figures] == [
        ("图为农民在田间收获玉米。", "田野")
    ]
    assert [nfkc(p) for p in article.paragraphs] == ["正文。", "目前,秋种正忙。"]
    assert article.authors == ("王丽",)
