"""The catalogs: found in the package, complete for every doubt, Chinese set full-width."""

from __future__ import annotations

import re
import tomllib
import unicodedata

import pytest

from publisher.i18n import LOCALES, catalog, languages
from publisher.parse.doubts import CODES

# Half-width punctuation touching a Chinese character: what a flattening editor leaves.
_FLATTENED = re.compile(r"[\u4e00-\u9fff][,:;?!()]|[,:;?!()][\u4e00-\u9fff]")


def test_the_catalogs_live_in_the_package_not_the_web_app() -> None:
    assert LOCALES.parent.name == "publisher"
    assert languages() == ["en", "zh-CN"]


def test_chinese_strings_are_set_full_width() -> None:
    intro = catalog("zh-CN")("subscribe.intro")
    assert "FULLWIDTH COMMA" in [unicodedata.name(c) for c in intro]
    assert ord(catalog("zh-CN")("form.expired")[5]) == 0xFF0C  # 表单已过期，请…
    raw = tomllib.loads((LOCALES / "zh-CN.toml").read_text(encoding="utf-8"))
    flattened = {key: text for key, text in raw.items() if _FLATTENED.search(text)}
    assert flattened == {}


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_doubt_has_words_in_every_language(language: str) -> None:
    raw = tomllib.loads((LOCALES / f"{language}.toml").read_text(encoding="utf-8"))
    assert [code for code in CODES if f"doubt.{code}" not in raw] == []


def test_a_skipped_photo_is_explained_in_the_editors_language() -> None:
    from publisher.check import doubt_message
    from publisher.i18n import catalog
    from publisher.images import Skipped

    doubt = Skipped("a.jpg", "missing").doubt()
    assert doubt_message(catalog("zh-CN"), doubt) == (
        "照片未发布\uff1aa.jpg\uff08期文件旁没有这个文件\uff09"
    )
    assert doubt_message(catalog("en"), doubt) == (
        "photo not published: a.jpg (no such file beside the issue)"
    )
