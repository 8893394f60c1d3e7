"""Front-matter names must show something: one of invisible characters is refused, not stored."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from publisher.errors import InputError
from publisher.parse.frontmatter import read_front_matter
from publisher.parse.text import has_visible

from .cli import assert_refused, run

# Each reads as nothing: bidi controls, a left-to-right mark, zero-width and
# ideographic spaces, a Hangul filler, a lone combining mark, a variation selector.
INVISIBLE = [
    "\u202e",
    "\u200e",
    "\u200b\u2060",
    "\u3000\u200b",
    "\u3164",
    "\u0301",
    "\ufe0f\u2066\u2069",
]


@pytest.mark.parametrize("name", INVISIBLE)
def test_an_invisible_name_is_refused(name: str) -> None:
    assert not has_visible(name), [unicodedata.name(c) for c in name]
    for key in ("publication", "publisher", "weekday", "lunar_date"):
        with pytest.raises(InputError, match=f"'{key}' has no visible characters"):
            read_front_matter(f'{key}: "{name}"', "a.md")
    with pytest.raises(InputError, match="'organizers' has no visible characters"):
        read_front_matter(f'organizers: [即墨区委, "{name}"]', "a.md")


def test_names_with_something_to_see_pass() -> None:
    for name in ("新即墨", "\u202e新即墨\u202c", "é", "A", "\u3007"):
        assert has_visible(name), name
    assert read_front_matter('publication: "\u200e新即墨"').known["publication"] == "\u200e新即墨"


def test_ingest_refuses_it_in_one_line_and_stores_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    issue = tmp_path / "bad.md"
    issue.write_text(
        '---\npublication: "\\u202e"\nnumber: 5\ndate: 2024-01-02\n---\n\n## 标题\n\n正文。\n',
        encoding="utf-8",
    )
    assert_refused(run("ingest", issue, env=env), "publication", "no visible characters")
    listing = run("issues", env=env).stdout.decode("utf-8")
    assert "The archive is empty" in listing
