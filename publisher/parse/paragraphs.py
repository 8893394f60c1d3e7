"""Paragraph rules: mend paragraphs that the print layout broke across columns or pages."""

from __future__ import annotations

from publisher.parse.text import ends_sentence, join_text


def join_broken(paragraphs: list[str]) -> list[str]:
    """Join each paragraph that ends mid-sentence with the one after it.

    ``…以`` followed by ``全过程数字化管理为抓手…`` is one paragraph that a column
    break cut in two.
    """
    runs: list[list[str]] = []  # the pieces of each paragraph, joined once at the end
    for paragraph in paragraphs:
        if runs and not ends_sentence(runs[-1][-1]):
            runs[-1].append(paragraph)
        else:
            runs.append([paragraph])
    return [join_text(run) for run in runs]
