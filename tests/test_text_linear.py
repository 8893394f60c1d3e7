"""Every text rule is linear: a long paragraph in any script goes through the whole pipeline
(parse, store, build pages and feeds, digest) within a time bound per KB.

This is a bound against hangs, not a performance goal (those live in benchmarks/):
the bound is loose enough for a loaded machine, and a quadratic rule misses it by
far (a 64 KB paragraph without a sentence end once took 86 s in the lede alone).
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.app import Publisher
from publisher.ingest import ingest_files
from publisher.render.build import build_changed
from publisher.render.digest import render_digest

# Runs of text with no sentence end, in several scripts, and punctuation that rules look for.
_PIECES = st.sampled_from(
    [
        "The plan was approved by the council ",
        "区里召开会议研究部署工作",
        "\u0410\u0431\u0432\u0433\u0434 \u0435\u0436\u0437 ",  # Cyrillic
        "\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645 ",  # Arabic
        "\u3042\u3044\u3046\u3048\u304a",  # Kana
        "12345 67890 ",
        "\uff0c",
        ", ",
        "\u3001",
        "(",
        "\uff09",
        "\u201c",
        "\u2014\u2014",
        "\U0001f600",
    ]
)
SECONDS = 5.0  # the first build of a new site (templates, feeds, the database)
SECONDS_PER_KB = 0.05


@st.composite
def long_paragraph(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(_PIECES, min_size=1, max_size=6))
    size = draw(st.integers(8 * 1024, 48 * 1024))
    unit = "".join(pieces)
    return unit * (size // len(unit.encode()) + 1)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(paragraph=long_paragraph())
def test_a_long_paragraph_in_any_script_costs_time_in_proportion(
    app: Publisher, tmp_path: Path, paragraph: str
) -> None:
    number = abs(hash(paragraph)) % 10**6 + 1
    path = tmp_path / f"{number}.md"
    path.write_text(
        f"---\npublication: 新即墨\nnumber: {number}\ndate: 2024-03-05\n---\n\n"
        f"## 长段落\n\n{paragraph}(记者 张明)\n",
        encoding="utf-8",
    )
    kilobytes = len(paragraph.encode()) / 1024
    started = time.perf_counter()
    (ingested,) = ingest_files(app, [path], replace=True)
    build_changed(app)
    stored = app.archive.stored(number)
    render_digest(app.settings, stored.issue, stored.publication_slug, stored.images)
    elapsed = time.perf_counter() - started
    assert ingested.issue.articles[0].paragraphs
    assert elapsed < SECONDS + SECONDS_PER_KB * kilobytes, (
        f"{kilobytes:.0f} KB took {elapsed:.1f} s"
    )
