"""The database connection: one engine per URL, one declarative base for every table.

SQLite is the default and PostgreSQL must keep working, so everything here is
portable SQLAlchemy 2: no SQLite-only SQL anywhere in the project.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, DateTime, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from publisher.config import redact_url
from publisher.errors import ConfigError
from publisher.modes import make_dirs


class Base(DeclarativeBase):
    """The declarative base shared by the archive, the audience and the ledger."""


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back as an aware datetime.

    SQLite drops time zones; PostgreSQL keeps them. Normalising here means the
    rest of the code never sees a naive datetime.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware one")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: object
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class Database:
    """An engine plus a session factory, with the schema created on first use."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError) as e:  # ValueError: a port that is not a number
            raise ConfigError(
                f"database URL {redact_url(url)!r} is not valid",
                "use e.g. sqlite:///var/publisher.db or postgresql+psycopg://user@host/db",
            ) from e
        self.url = url
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database not in (None, "", ":memory:"):
            folder = Path(parsed.database).parent
            try:
                make_dirs(folder)  # 0700: the archive holds every subscriber's address
            except OSError as e:
                raise ConfigError(
                    f"cannot create the directory {folder} for the database: {e.strerror or e}",
                    "check [data] dir (PUBLISHER_DATA_DIR) or [database] url",
                ) from e
        kwargs: dict[str, object] = {}
        if self.is_sqlite:
            # Several processes (scheduler, web, CLI) share one file: wait for locks.
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # A server drops connections (a restart, a proxy's idle timeout): test each
            # pooled one before use, or the service fails a request per dead connection.
            kwargs["pool_pre_ping"] = True
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except (NoSuchModuleError, ImportError) as e:
            raise ConfigError(
                f"no database driver for {parsed.drivername!r} ({e})",
                "use sqlite:///PATH, or postgresql+psycopg://... after "
                "pip install 'publisher[postgres]'",
            ) from e
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_schema(self) -> None:
        """Bring the schema to the code's revision: create it, or migrate an older one.

        Safe when several processes are first on a new database at the same moment:
        one makes or migrates the schema while the others wait for it.
        """
        # Imported here: the migrations import the tables, which import this module.
        from publisher.store import migrations

        try:
            migrations.upgrade(self.engine)
        except OperationalError as e:
            raise ConfigError(
                f"cannot open the database {self.engine.url!r}: {e.orig}",
                "check [database] url or PUBLISHER_DATABASE_URL",
            ) from e

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A Core connection in one transaction, for the send loop's hot path.

        An ORM session's bookkeeping costs about twice the work of a small
        batch of UPDATEs; the ledger writes thousands of such batches per send.
        """
        with self.engine.begin() as connection:
            yield connection

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


# How long a process waits for another to switch a new database to WAL.
_WAL_SECONDS = 30.0


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # WAL lets readers (the web app) work while a sender writes the ledger.
    _set_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _set_wal(cursor: sqlite3.Cursor) -> None:
    """Switch to WAL, waiting while another process switches a new file at the same moment.

    The switch takes an exclusive lock on which SQLite does not wait (the busy
    timeout does not apply): several processes opening a brand-new database
    together would get "database is locked" at once. Once one has switched, the
    mode is kept in the file and the others find it so.
    """
    deadline = time.monotonic() + _WAL_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
