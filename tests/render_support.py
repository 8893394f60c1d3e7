"""Helpers for the rendering tests: publish issues into a real site directory."""

from __future__ import annotations

import datetime as dt
import struct
import unicodedata
import zlib
from pathlib import Path

from publisher.app import Publisher
from publisher.images import ImageFile
from publisher.ingest import ingest_files
from publisher.model import Article, Figure, Issue
from publisher.render.build import BuildReport, build_changed

# Hostile strings an issue could carry: markup, script URLs, event handlers, bidi controls.
BIDI = ("\u202e", "\u202d", "\u202a", "\u202b", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f")
HOSTILE_TITLE = "<script>alert(1)</script>危险标题\u202e反转\u202c<img src=x onerror=alert(3)>"
HOSTILE_PARAGRAPH = (
    "第一段<img src=x onerror=alert(1)>,见[点我](javascript:alert(1))与"
    '<a href="javascript:alert(2)">链接</a>,<svg onload=alert(4)>还有\u202e倒序文字\u202c'
    "和\u2066隔离\u2069。"
)


def issue_text(number: int, date: dt.date, title: str = "区里召开会议", paragraph: str = "") -> str:
    """A small valid issue with front matter and two signed articles."""
    paragraph = paragraph or f"第{number}期的第一段,会议召开了。会议指出,要把工作做好。"
    return f"""---
publication: 新即墨
number: {number}
date: {date.isoformat()}
---

# 新即墨

## {title}

{paragraph}(记者 张三)

## 主标题{number}号

第二篇文章的正文。第二句话。(李四 王五)
"""


def publish(app: Publisher, *paths: Path, replace: bool = False) -> BuildReport:
    """Ingest ``paths`` and build what changed, as ``publisher ingest`` does."""
    ingest_files(app, list(paths), replace=replace)
    return build_changed(app)


def write_issue(directory: Path, number: int, date: dt.date, **kwargs: str) -> Path:
    """Write an issue file made by ``issue_text`` into ``directory``."""
    path = directory / f"issue-{number}.md"
    path.write_text(issue_text(number, date, **kwargs), encoding="utf-8")
    return path


# The half-width punctuation that Chinese print sets full-width, and its full-width form
# (U+FF0C, U+FF1B, U+FF1A, U+FF1F, U+FF01, U+FF08, U+FF09), computed from code points so that
# an editor flattening full-width literals cannot make a test pass.
_FULL_WIDTH = {ord(c): 0xFF00 + ord(c) - 0x20 for c in ",;:?!()"}


def fw(text: str) -> str:
    """``text`` with every ``,;:?!()`` in its full-width form: how the outputs print Chinese."""
    return text.translate(_FULL_WIDTH)


def punctuation(text: str) -> list[str]:
    """The Unicode names of the punctuation in ``text``, in order (a check by code point)."""
    return [unicodedata.name(c) for c in text if unicodedata.category(c).startswith("P")]


def png(width: int = 4, height: int = 3) -> bytes:
    """A real, tiny, grey PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


HOSTILE_CAPTION = '图为会场<script>alert(1)</script>"'
# What the parser now understands, as model objects (the parser is tested on its own).
CONVENTIONS = Issue(
    publication="新即墨",
    number=3012,
    date=dt.date(2024, 3, 5),
    weekday="星期二",
    articles=(
        Article(
            title="区里召开会议(扩大)",
            paragraphs=(
                "会议指出,要做好工作。",
                "1. 抓好安全生产\n2. 做好民生保障",
                "\u2022 第一条\n\u2022 第二条",
                "他说:一定要办好。",
            ),
            quotes=(3,),
            authors=("张明",),
            source="本报",
            page="1",
            page_name="要闻",
            note="这是编者按,请读者关注。",
            figures=(
                Figure("photos/meeting.png", alt="会场<b>", caption=HOSTILE_CAPTION, credit="李华"),
                Figure("photos/lost.jpg", alt="丢失", caption="缺图的说明", credit="王丽"),
                Figure(None, caption="只有说明", credit=None),
            ),
        ),
        Article(
            title="图片新闻",
            untitled=True,
            kicker="图片新闻",
            authors=("张三",),
            page="2",
            page_name="综合",
            figures=(Figure("photos/snow.png", alt="雪景", caption="雪后即墨", credit="张三"),),
        ),
        Article(
            title="区运动会举行",
            untitled=True,
            kicker="简讯",
            paragraphs=("10月26日上午,区运动会举行。",),
            page="2",
            page_name="综合",
        ),
    ),
)
IMAGES = (
    ImageFile("photos/meeting.png", "image/png", png()),
    ImageFile("photos/snow.png", "image/png", png(6, 4)),
)


def publish_issue(
    app: Publisher, issue: Issue = CONVENTIONS, images: tuple[ImageFile, ...] = IMAGES
) -> BuildReport:
    """Store a constructed issue with its image files and build what changed."""
    app.archive.save(issue, images=images)
    return build_changed(app)
