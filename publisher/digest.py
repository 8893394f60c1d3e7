"""The digest of one issue, rendered once, then personalised by cheap substitution.

Rendering (Jinja2, premailer) is costly and happens once per issue in
``publisher.render``. What differs per subscriber (their name, address and
signed links) is left in the rendered text as markers such as
``__PUB_3f9c2a7e1b04d865_UNSUBSCRIBE_URL__``; delivery fills them with
``Digest.personalize``, which is only string joins. Markers use letters, digits
and underscores so that they survive HTML, CSS inlining and URL encoding
untouched. Each rendering draws a random nonce for its markers: article text
(which may say anything, and plain text is not escaped) cannot contain a
marker it never saw, so it can never be turned into a reader's address or link.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

FIELDS = ("name", "email", "unsubscribe_url", "preferences_url")


def new_nonce() -> str:
    """A fresh random part for one rendering's markers (64 bits: never guessed)."""
    return secrets.token_hex(8)


def marker(field: str, nonce: str) -> str:
    """The placeholder for ``field`` in a digest rendered with ``nonce``."""
    if field not in FIELDS:
        raise ValueError(f"unknown personal field {field!r}")
    return f"__PUB_{nonce}_{field.upper()}__"


def _marker_pattern(nonce: str) -> re.Pattern[str]:
    if not re.fullmatch(r"[0-9a-f]{16,}", nonce):
        # A short or fixed nonce is one article text could contain.
        raise ValueError("a marker nonce must come from new_nonce()")
    return re.compile(f"__PUB_{nonce}_(" + "|".join(f.upper() for f in FIELDS) + ")__")


@dataclass(frozen=True)
class Template:
    """Text split at its markers: literal, field, literal, field, …, literal."""

    parts: tuple[str, ...]

    @classmethod
    def compile(cls, text: str, nonce: str) -> Template:
        """Split ``text`` at every personal-field marker made with ``nonce``."""
        pieces = _marker_pattern(nonce).split(text)
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
