"""Doubts: inferences the parser made but an editor should look at before publishing.

A doubt is data, not a message: ``code`` names the rule, ``subject`` what it is
about (an article's title, a line of the text), ``detail`` any further values.
The words come from the locale catalogs (``doubt.<code>``), so the command line
and the console say the same thing in the editor's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The codes, in the order an editor would want to read them.
CODES = (
    "weekday-mismatch",  # the printed weekday is not the date's: detail printed, expected
    "lunar-mismatch",  # the printed lunar date is not the date's: detail printed, expected
    "running-header-dropped",  # a page's running header was removed: subject is the line
    "continuation-merged",  # 下转/上接 parts were joined into one article: subject is the title
    "continuation-unmatched",  # a 下转 note whose other part was not found: subject is the title
    "no-byline",  # an article with no author: subject is its title
    "image-skipped",  # a photo's file was not taken: subject is its src, detail reason (a code)
    "number-lower",  # the number is below the last stored one: detail last
    "date-older",  # the date is before the last stored issue's: detail last
)


@dataclass(frozen=True)
class Doubt:
    """One doubtful inference: which rule, about what, with which values."""

    code: str
    subject: str = ""
    detail: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The doubt in the shape of ``publisher check --json``'s ``warnings``."""
        return {"code": self.code, "subject": self.subject, **self.detail}
