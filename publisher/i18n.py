"""Strings for people: one catalog per language, so another language is a file, not a code change.

The web pages and the command line share the catalogs, TOML files in ``locales/``
named by language tag (``zh-CN.toml``). A key missing from a catalog falls back
to Chinese, the publisher's first language.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from publisher.errors import ConfigError

LOCALES = Path(__file__).with_name("locales")
FALLBACK = "zh-CN"


class Catalog:
    """The strings of one language; ``catalog("key", name=...)`` formats one."""

    def __init__(self, language: str, strings: dict[str, str], fallback: dict[str, str]) -> None:
        self.language = language
        self._strings = {**fallback, **strings}

    def __call__(self, key: str, **values: object) -> str:
        text = self._strings.get(key, key)
        return text.format(**values) if values else text

    def __contains__(self, key: str) -> bool:
        return key in self._strings


@cache
def catalog(language: str) -> Catalog:
    """The catalog for ``language`` (e.g. ``zh-CN``, ``en``)."""
    return Catalog(language, _read(language), _read(FALLBACK))


def languages() -> list[str]:
    """Languages that have a catalog."""
    return sorted(path.stem for path in LOCALES.glob("*.toml"))


def _read(language: str) -> dict[str, str]:
    path = LOCALES / f"{language}.toml"
    if not path.is_file():
        raise ConfigError(
            f"no UI catalog for language {language!r}",
            f"set [server] language to one of {', '.join(languages())}",
        )
    return tomllib.loads(path.read_text(encoding="utf-8"))
