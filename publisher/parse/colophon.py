"""The colophon: who organizes (主办) and who publishes (出版) the paper.

Both print forms are understood: names before their role
(``中共青岛即墨区委 / 即墨区人民政府 主办 / 即墨融媒体中心编辑出版``) and a role
before its names (``主办单位:中共青岛即墨区委``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publisher.parse.text import IDEOGRAPHIC_FULL_STOP, fold

_ORGANIZER_ROLES = ("主办单位", "主管单位", "主办", "主管", "承办", "协办")
_PUBLISHER_ROLES = ("出版单位", "编辑出版", "出版发行", "编印", "出版")
_ROLES = sorted(_ORGANIZER_ROLES + _PUBLISHER_ROLES, key=len, reverse=True)
# Matched on folded text (``text.fold``): ":" stands for both widths of the colon.
_ROLE_FIRST = re.compile(rf"^({'|'.join(_ROLES)}):\s*(.*)$")
_ROLE_LAST = re.compile(rf"^(.*?)\s*({'|'.join(_ROLES)})$")
_ROLE_WORD = re.compile("|".join(_ROLES))
# A colophon is a short notice, never a sentence of an article.
_MAX_LENGTH = 120


@dataclass(frozen=True)
class Colophon:
    """Organizers (主办/主管) and the publisher (编辑出版)."""

    organizers: tuple[str, ...] = ()
    publisher: str | None = None


def has_colophon_role(text: str) -> bool:
    """Whether ``text`` names a colophon's role (主办, 出版…): a cheap test before ``read_colophon``."""
    return _ROLE_WORD.search(text) is not None


def read_colophon(lines: tuple[str, ...]) -> Colophon | None:
    """The colophon in ``lines`` if that is what they are, else ``None``."""
    text = fold(" ".join(lines))
    if (
        len(text) > _MAX_LENGTH
        or IDEOGRAPHIC_FULL_STOP in text
        or not any(role in text for role in _ROLES)
    ):
        return None
    organizers: list[str] = []
    publishers: list[str] = []
    waiting: list[str] = []  # names read before their role
    current: list[str] | None = None  # the role a "role:" prefix opened
    for token in text.split():
        if match := _ROLE_FIRST.match(token):
            current = _list_for(match.group(1), organizers, publishers)
            if match.group(2):
                current.append(match.group(2))
        elif match := _ROLE_LAST.match(token):
            names = [*waiting, match.group(1)] if match.group(1) else waiting
            _list_for(match.group(2), organizers, publishers).extend(names)
            waiting, current = [], None
        elif current is not None:
            current.append(token)
        else:
            waiting.append(token)
    if waiting or not (organizers or publishers):
        return None
    return Colophon(tuple(organizers), "、".join(publishers) or None)


def _list_for(role: str, organizers: list[str], publishers: list[str]) -> list[str]:
    return organizers if role in _ORGANIZER_ROLES else publishers
