"""Headline groups: consecutive headings make one headline of kicker, title and subtitle.

Heading levels in converted print text say nothing reliable about roles, so
roles come from order and punctuation: in a run of headings the last one that
is not a subtitle is the title, the one before it the kicker (引题), and one that
starts with a dash is the subtitle (副题) of the title before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publisher.parse.text import fold, remove_cjk_spaces, squeeze

# Matched on folded text (``text.fold``): ":" stands for both widths of the colon.
# A dash: em dash, horizontal bar, box-drawing line, or two hyphens.
_DASH = "(?:[\u2014\u2015\u2500]|--)"
_SUBTITLE_DASH = re.compile(f"^\\s*{_DASH}+\\s*")
_KICKER_END = re.compile(f"\\s*(?:{_DASH}|:)+\\s*$")


@dataclass(frozen=True)
class Headline:
    """The display lines of one article's headline."""

    title: str
    kicker: str | None = None
    subtitle: str | None = None


def clean_heading(text: str) -> str:
    """A heading's text without the print layout's line-break spaces."""
    return remove_cjk_spaces(squeeze(text))


def is_subtitle(text: str) -> bool:
    """Whether a heading is a subtitle: it starts with a dash (``——记者调查``)."""
    return bool(_SUBTITLE_DASH.match(fold(text)))


def group_headline(headings: list[str]) -> Headline:
    """The headline made by a run of consecutive headings (cleaned text, in order)."""
    main = [h for h in headings if not is_subtitle(h)]
    subtitles = [_strip(_SUBTITLE_DASH, h) for h in headings if is_subtitle(h)]
    if not main:
        # Only dash-led headings: the first is the title, as printed.
        main, subtitles = [headings[0]], subtitles[1:]
    title = main[-1]
    # Headings before the kicker (a page or section label) stay with the kicker, not lost.
    kicker = " ".join(_strip(_KICKER_END, h) for h in main[:-1]) or None
    subtitle = " ".join(subtitles) or None
    return Headline(title=title, kicker=kicker, subtitle=subtitle)


def _strip(pattern: re.Pattern[str], text: str) -> str:
    """``text`` without what ``pattern`` matches in its folded form (same positions)."""
    match = pattern.search(fold(text))
    return text[: match.start()] + text[match.end() :] if match else text
