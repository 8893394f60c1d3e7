"""Paragraph rules: mend paragraphs that the print layout broke across columns or pages."""

from __future__ import annotations

from publisher.parse.text import ends_sentence, glue


def join_broken(paragraphs: list[str]) -> list[str]:
    """Join each paragraph that ends mid-sentence with the one after it.

    ``…以`` followed by ``全过程数字化管理为抓手…`` is one paragraph that a column
    break cut in two.
    """
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and not ends_sentence(joined[-1]):
            joined[-1] = glue(joined[-1], paragraph)
        else:
            joined.append(paragraph)
    return joined
