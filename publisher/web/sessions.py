"""Revocable console sessions: a signed cookie that the database can still refuse.

The cookie (Starlette's signed session) names the editor, the session
generation it was opened under and a fingerprint of the password hash it was
opened with. A request is the editor's only while all three still match:
logging out moves the generation on (every copy of every cookie of that
editor dies), and a new ``[admin] password_hash`` changes the fingerprint
(every session opened under the old password dies).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from publisher.store.db import Database, utcnow
from publisher.web.tables import AdminSessionRow

USER = "admin"  # the cookie's keys
GENERATION = "admin_generation"
PASSWORD = "admin_password"


@dataclass(frozen=True)
class Editor:
    """Who may use the console: the configured user and password hash."""

    user: str
    password_hash: str


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the configured hash: it changes when the password does.

    The hash's salt is not in it, so the cookie gives nothing to guess the password with.
    """
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class Sessions:
    """Opens, checks and ends the console's sessions against the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def generation(self, user: str) -> int:
        """The current session generation of ``user`` (0 before the first logout)."""
        with self.db.session() as session:
            row = session.get(AdminSessionRow, user)
            return row.generation if row is not None else 0

    def open(self, cookie: dict[str, Any], editor: Editor) -> None:
        """Write a new session for ``editor`` into ``cookie`` (the request's session)."""
        cookie[USER] = editor.user
        cookie[GENERATION] = self.generation(editor.user)
        cookie[PASSWORD] = password_fingerprint(editor.password_hash)

    def valid(self, cookie: dict[str, Any], editor: Editor) -> bool:
        """Whether ``cookie`` holds a session of ``editor`` that has not been ended."""
        if not editor.password_hash or cookie.get(USER) != editor.user:
            return False
        if cookie.get(PASSWORD) != password_fingerprint(editor.password_hash):
            return False  # opened under another password
        return cookie.get(GENERATION) == self.generation(editor.user)

    def end_all(self, user: str) -> None:
        """End every session of ``user``, on every device and in every copied cookie."""
        try:
            self._advance(user)
        except IntegrityError:
            self._advance(user)  # a logout at the same moment made the row first

    def _advance(self, user: str) -> None:
        with self.db.session() as session:
            moved = session.execute(
                update(AdminSessionRow)
                .where(AdminSessionRow.user == user)
                .values(generation=AdminSessionRow.generation + 1, changed_at=utcnow())
            )
            if moved.rowcount == 0:  # type: ignore[attr-defined]
                session.add(AdminSessionRow(user=user, generation=1, changed_at=utcnow()))
