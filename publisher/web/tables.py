"""The web service's table, on the same database and declarative base as the archive."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from publisher.store.db import Base, UTCDateTime, utcnow


class AdminSessionRow(Base):
    """The console's session generation per editor: a session cookie of an older one is dead.

    Logging out moves the generation on, which ends every session of that
    editor at once, wherever its cookie has been copied to.
    """

    __tablename__ = "admin_sessions"

    user: Mapped[str] = mapped_column(String(200), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
