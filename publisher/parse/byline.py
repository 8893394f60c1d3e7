"""The byline: a parenthesis of names that closes an article, e.g. ``(记者 王晓东 通讯员 李娜)``."""

from __future__ import annotations

import re

from publisher.parse.text import IDEOGRAPH, ends_sentence, fold

# Role words are printed before (or after) names but are not names.
ROLE_WORDS = (
    "本报通讯员",
    "特约通讯员",
    "见习通讯员",
    "全媒体记者",
    "本报记者",
    "首席记者",
    "摄影记者",
    "驻站记者",
    "摄影报道",
    "融媒记者",
    "特约记者",
    "见习记者",
    "实习记者",
    "记者",
    "通讯员",
    "实习生",
    "特约",
    "报道员",
    "摄影",
    "撰稿",
    "文/图",
    "图/文",
    "图文",
    "报道",
    "摄",
    "文",
    "图",
)
# Patterns match folded text (see ``text.fold``): ASCII stands for both widths.
_TRAILING_PAREN = re.compile(r"\(([^()]{1,60})\)\s*$")
# A name: two to four characters, or a transcribed name with a middle dot (U+00B7, U+30FB).
_NAME = re.compile(rf"{IDEOGRAPH}{{2,4}}|{IDEOGRAPH}{{1,8}}[\u00b7\u30fb]{IDEOGRAPH}{{1,8}}")
_SEPARATORS = re.compile(r"[\s\u3001,;]+")
# Only roles of two or more characters are cut off a name they are glued to:
# a one-character role (文, 图, 摄) glued to a name could be part of the name (文静).
_LONG_ROLES = "|".join(
    re.escape(r) for r in sorted(ROLE_WORDS, key=len, reverse=True) if len(r) > 1
)
_ROLE_PREFIX = re.compile(f"^({_LONG_ROLES})[:/]?|^[文图摄][:/]")
_ROLE_SUFFIX = re.compile(f"({_LONG_ROLES})$")
_SLASHED_ROLE_AFTER = re.compile(r"/(?:文|图|摄影?|文/图|图/文)$")


def split_byline(text: str) -> tuple[str, tuple[str, ...] | None]:
    """Split a trailing byline off a paragraph: ``(body, authors)``.

    ``authors`` is ``None`` when the paragraph has no byline. A parenthesis only
    counts as a byline when it stands alone or follows the end of a sentence, so
    ``……交流活动(三项全能)`` inside a sentence is left alone.
    """
    match = _TRAILING_PAREN.search(fold(text))
    if not match:
        return text, None
    body = text[: match.start()].rstrip()
    if body and not ends_sentence(body):
        return text, None
    authors = read_names(match.group(1))
    if authors is None:
        return text, None
    return body, authors


def read_names(inside: str) -> tuple[str, ...] | None:
    """The names in a byline's parenthesis, or ``None`` if it holds anything but roles and names."""
    names: list[str] = []
    for token in _SEPARATORS.split(fold(inside).strip()):
        if token in ROLE_WORDS:
            continue
        while token and (match := _ROLE_PREFIX.match(token)):
            token = token[match.end() :]
        token = _SLASHED_ROLE_AFTER.sub("", token)  # 张明/文, 李四/图: the role after the name
        if token and not _NAME.fullmatch(token):
            token = _ROLE_SUFFIX.sub("", token)
        if not token:
            continue
        if not _NAME.fullmatch(token):
            return None
        names.append(token)
    return tuple(names) or None
