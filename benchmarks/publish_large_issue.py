"""A 1 MB issue: parse it, and publish it (parse, store, build), against markdown-it alone.

The issue is written in the conventions of a real paper (running headers,
lead credits, bylines, photos and captions, a column of briefs, continued
articles), with full-width punctuation, and repeated up to about 1 MB: some
eight times a 24-page district paper. The yardstick is markdown-it-py reading
the same text, a floor the parser cannot go below since it reads the Markdown
with it. Last line: ``ratio: X.XX``, the parser's time over markdown-it's; the
bound is 4 (the rules on top may cost three times the Markdown).

Run: .venv/bin/python benchmarks/publish_large_issue.py
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from markdown_it import MarkdownIt

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.ingest import ingest_files
from publisher.parse import read_issue
from publisher.render.build import build_changed

ROUNDS = 5
RATIO_LIMIT = 4.0
TARGET_BYTES = 1024 * 1024

HEAD = "# 新即墨\n\n2024年3月5日 星期二 农历正月廿五 第3012期\n\n"
PAGE = """\
2024年3月5日 星期二 第3012期 要闻 {page}

## 聚焦高质量发展

## 我区召开第{n}次经济工作会议

本报讯\uff08记者 张明 通讯员 刘洋\uff093月4日上午\uff0c全区经济工作会议召开\uff0c\
区委书记出席会议并讲话\u3002会议指出\uff0c2023年全区经济运行稳中向好\uff1b会议要求\uff0c\
各级各部门要聚焦目标任务\uff0c狠抓工作落实\u3002

会议强调\uff0c要扩大有效投资\uff0c培育新兴产业\uff0c优化营商环境\uff0c推动全区经济\
实现质的有效提升和量的合理增长\uff0c确保一季度

\uff08下转第{next}版\uff09

![会场](photos/{n}.jpg)

\u25b2 会议现场\u3002 赵刚/摄

## 简讯

\u25cf区图书馆开展读书月活动\uff0c吸引读者千余人参与\u3002\uff08孙伟\uff09

\u25cf龙山街道举办春季运动会\uff0c来自全街道的30支代表队参赛\u3002\uff08周洁\uff09

第{next}版 综合

## 我区召开第{n}次经济工作会议

\uff08上接第{page}版\uff09

开门红\u3002\uff08张明\uff09

"""


def large_issue(number: int) -> str:
    """An issue of about ``TARGET_BYTES`` in the conventions above."""
    parts = [f"---\npublication: 新即墨\nnumber: {number}\ndate: 2024-03-05\n---\n", HEAD]
    size, n = 0, 0
    while size < TARGET_BYTES:
        n += 1
        page = PAGE.format(n=n, page=2 * n - 1, next=2 * n)
        parts.append(page)
        size += len(page.encode())
    return "".join(parts)


def best(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds):.3f} s (runs: {', '.join(f'{s:.3f}' for s in seconds)})"


def main() -> int:
    text = large_issue(3012)
    markdown = MarkdownIt("commonmark", {"html": False}).disable(["code", "reference"])
    yardstick, ours = [], []
    # Alternate the two so that drift in the machine's speed hits both alike.
    for _ in range(ROUNDS):
        started = time.perf_counter()
        markdown.parse(text)
        yardstick.append(time.perf_counter() - started)
        started = time.perf_counter()
        parsed = read_issue(text)
        ours.append(time.perf_counter() - started)
    articles = len(parsed.issue.articles)
    print(f"issue: {len(text.encode()) / 1024:.0f} KB, {articles} articles")
    print(f"markdown-it alone: {best(yardstick)}")
    print(f"publisher parse:   {best(ours)}")
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        path = root / "issue.md"
        path.write_text(text, encoding="utf-8")
        app = Publisher(load_settings(env={"PUBLISHER_DATA_DIR": str(root / "data")}))
        started = time.perf_counter()
        ingest_files(app, [path])
        build_changed(app)
        print(f"ingest and build:  {time.perf_counter() - started:.3f} s")
        app.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak_rss_mb: {peak:.0f}")
    ratio = statistics.median(ours) / statistics.median(yardstick)
    print(f"ratio: {ratio:.2f}")
    return 0 if ratio < RATIO_LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
