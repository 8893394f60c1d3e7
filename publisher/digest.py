"""The digest of one issue, rendered once, then personalised by cheap substitution.

Rendering (Jinja2, premailer) is costly and happens once per issue in
``publisher.render``. What differs per subscriber (their name, address and
signed links) is left in the rendered text as markers such as
``__PUB_UNSUBSCRIBE_URL__``; delivery fills them with ``Digest.personalize``,
which is only string joins. Markers use letters and underscores so that they
survive HTML, CSS inlining and URL encoding untouched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

FIELDS = ("name", "email", "unsubscribe_url", "preferences_url")


def marker(field: str) -> str:
    """The placeholder for ``field`` in a rendered digest."""
    if field not in FIELDS:
        raise ValueError(f"unknown personal field {field!r}")
    return f"__PUB_{field.upper()}__"


_MARKER = re.compile("__PUB_(" + "|".join(f.upper() for f in FIELDS) + ")__")


@dataclass(frozen=True)
class Template:
    """Text split at its markers: literal, field, literal, field, …, literal."""

    parts: tuple[str, ...]

    @classmethod
    def compile(cls, text: str) -> Template:
        """Split ``text`` at every personal-field marker."""
        pieces = _MARKER.split(text)
        # re.split puts the captured field names at odd positions.
        return cls(tuple(p.lower() if i % 2 else p for i, p in enumerate(pieces)))

    @property
    def fields(self) -> frozenset[str]:
        """The personal fields this template uses."""
        return frozenset(self.parts[1::2])

    def with_crlf(self) -> Template:
        """The same template with CRLF line ends, as mail needs (values carry no line breaks)."""
        return Template(
            tuple(
                p if i % 2 else p.replace("\r\n", "\n").replace("\n", "\r\n")
                for i, p in enumerate(self.parts)
            )
        )

    def fill(self, values: Mapping[str, str], escape: Callable[[str], str] = str) -> str:
        """The text with each marker replaced by ``escape(values[field])``."""
        parts = list(self.parts)
        for i in range(1, len(parts), 2):
            parts[i] = escape(values.get(parts[i], ""))
        return "".join(parts)


@dataclass(frozen=True)
class Digest:
    """One issue's email digest, ready to be personalised for each subscriber."""

    publication: str
    publication_slug: str  # as stored: the List-Id is built from it
    number: int
    subject: str
    preheader: str
    html: Template
    text: Template

    def with_crlf(self) -> Digest:
        """The digest with CRLF line ends, converted once rather than per message."""
        return replace(self, html=self.html.with_crlf(), text=self.text.with_crlf())

    def personalize(self, values: Mapping[str, str]) -> tuple[str, str]:
        """The HTML and text bodies for one subscriber (values escaped for HTML)."""
        return self.html.fill(values, escape_html), self.text.fill(values)


def escape_html(value: str) -> str:
    """A personal value made safe for the HTML part."""
    return html.escape(value, quote=True)
