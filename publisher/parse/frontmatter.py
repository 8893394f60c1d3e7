"""Optional YAML front matter: fields that override what the parser infers."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import yaml

from publisher.errors import InputError
from publisher.parse.decode import strip_controls
from publisher.parse.text import has_visible

_KNOWN = ("publication", "number", "date", "weekday", "lunar_date", "organizers", "publisher")
# What the archive's column holds (a name is a key: PostgreSQL refuses a longer one).
MAX_PUBLICATION = 200


# Front matter is a handful of fields: these bound what a hostile file can make YAML do.
MAX_FRONT_MATTER = 16 * 1024
MAX_DEPTH = 10


class _Refused(ValueError):
    """Front matter that uses what YAML allows but a handful of fields never needs."""


class _Loader(yaml.SafeLoader):
    """A safe loader that leaves dates as text (we validate them, with a clear message).

    It refuses aliases (``&a [*a]`` makes a structure that contains itself, and
    a few aliases can expand to billions of nodes) and nesting deeper than
    ``MAX_DEPTH``: both are never needed for a few fields, and both can make a
    small file cost minutes or gigabytes.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _Refused("aliases (*name) are not allowed")
        if self._depth >= MAX_DEPTH:
            raise _Refused(f"it is nested more than {MAX_DEPTH} levels deep")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class FrontMatter:
    """The known fields (validated) and every other field (kept as JSON-safe data)."""

    known: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def read_front_matter(raw: str | None, source: str | None = None) -> FrontMatter:
    """Parse and validate the YAML between the ``---`` lines."""
    if raw is None or not raw.strip():
        return FrontMatter()
    if len(raw) > MAX_FRONT_MATTER:
        raise InputError(
            f"the front matter is longer than {MAX_FRONT_MATTER // 1024} KB",
            "keep only the fields that override what the text says",
            source=source,
        )
    try:
        data = yaml.load(raw, Loader=_Loader)
    except _Refused as e:
        raise InputError(
            f"the front matter cannot be used: {e}",
            "write plain 'key: value' lines between the '---' markers",
            source=source,
        ) from None
    except (yaml.YAMLError, ValueError, RecursionError) as e:
        raise InputError(
            f"the front matter is not valid YAML ({_first_line(e)})",
            "fix the lines between the '---' markers",
            source=source,
        ) from e
    if not isinstance(data, dict):
        raise InputError(
            "the front matter must be 'key: value' lines", "e.g. 'number: 2890'", source=source
        )
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key)
        if name in _KNOWN:
            if value is not None:
                known[name] = _validate(name, value, source)
        else:
            extra[name] = _json_safe(value)
    return FrontMatter(known, extra)


def _validate(name: str, value: Any, source: str | None) -> Any:
    def bad(expected: str) -> InputError:
        return InputError(
            f"front matter '{name}: {value}' is not {expected}",
            f"write e.g. {_EXAMPLES[name]}",
            source=source,
        )

    if name == "number":
        # ASCII digits only: "²" and "①" are digits to str.isdigit but not to int().
        text = str(value).strip()
        if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) > 10**9:
            raise bad("a whole number")
        return int(text)
    if name == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise bad("a date") from None
    if name == "organizers":
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str | int) for v in items):
            raise bad("a list of names")
        names = tuple(one_line(str(v)) for v in items if one_line(str(v)))
        if not all(has_visible(n) for n in names):
            raise _invisible(name, source)
        return names
    if isinstance(value, dict | list):
        raise bad("text")
    text = one_line(str(value))
    if text and not has_visible(text):
        # A name of bidi marks or zero-width spaces would be stored, and then no
        # feed, page or mail could be titled with it.
        raise _invisible(name, source)
    if name == "publication" and len(text) > MAX_PUBLICATION:
        raise InputError(
            f"front matter 'publication' is longer than {MAX_PUBLICATION} characters",
            f"write e.g. {_EXAMPLES[name]}",
            source=source,
        )
    return text or None


def _invisible(name: str, source: str | None) -> InputError:
    return InputError(
        f"front matter '{name}' has no visible characters",
        f"write e.g. {_EXAMPLES[name]}",
        source=source,
    )


def one_line(text: str) -> str:
    """A name on one line: YAML can carry line breaks that no name, slug or listing wants.

    Its escapes ("\\0") can also bring back the control characters ``decode`` removed,
    and PostgreSQL cannot store NUL in text.
    """
    return " ".join(strip_controls(text).split())


_EXAMPLES = {
    "publication": "'publication: 新即墨'",
    "number": "'number: 2890'",
    "date": "'date: 2023-10-27'",
    "weekday": "'weekday: 星期五'",
    "lunar_date": "'lunar_date: 农历九月十三'",
    "organizers": "'organizers: [中共青岛即墨区委, 即墨区人民政府]'",
    "publisher": "'publisher: 即墨融媒体中心'",
}


def _json_safe(value: Any) -> Any:
    """YAML can hold dates and odd keys; the archive stores JSON."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]
