"""Running Alembic on this package's scripts, configured in code, under a lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from publisher.errors import ConfigError
from publisher.store.migrations import ARTICLE_FIGURES, BASELINE, HEAD, target_metadata

HERE = Path(__file__).resolve().parent

# Any fixed number: with the database's name it names our PostgreSQL advisory
# lock, which is server-wide, so that databases on one server never wait for each other.
_PG_LOCK = 0x7075_626C  # "publ"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic configuration for this package's scripts, on a connection or a URL.

    With neither, ``env.py`` uses the publisher's configured database.
    """
    config = Config()
    config.set_main_option("script_location", str(HERE))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@cache
def scripts() -> ScriptDirectory:
    """The revisions in versions/, read once per process."""
    return ScriptDirectory.from_config(alembic_config())


def migrate(engine: Engine) -> None:
    """Create, adopt or migrate the schema, holding the schema lock.

    A new database gets the tables and is stamped at head; one made by
    ``create_all`` before migrations existed is stamped at the revision it
    matches, then migrated; one at head (another process was first) is left alone.
    """
    with _schema_lock(engine) as connection:
        context = MigrationContext.configure(connection)
        current = context.get_current_heads()
        _refuse_unknown(current, engine)
        if current == (HEAD,):
            return
        if not current:
            adopted = _unversioned_revision(connection)
            if adopted is None:
                # A new database: the tables as they are now equal every revision
                # applied in turn (tests/test_store_migrations.py checks it), and
                # create_all is faster than replaying history.
                target_metadata().create_all(connection)
                context.stamp(scripts(), "head")
                return
            context.stamp(scripts(), adopted)
        command.upgrade(alembic_config(connection=connection), "head")


@contextmanager
def _schema_lock(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction that no other process checking the schema shares."""
    with engine.connect() as connection:
        backend = engine.dialect.name
        if backend == "sqlite":
            # The write lock now, not at the first CREATE: a second process waits here
            # (the busy timeout) and then sees the first one's committed tables.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif backend == "postgresql":
            # Released at commit; PostgreSQL's DDL is transactional, so a waiting
            # process sees all of the schema or none of it.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key, hashtext(current_database()))"),
                {"key": _PG_LOCK},
            )
        yield connection
        connection.commit()


def _refuse_unknown(current: tuple[str, ...], engine: Engine) -> None:
    """A revision the code does not know comes from a newer version of the software."""
    for revision in current:
        try:
            known = scripts().get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            raise ConfigError(
                f"the database {engine.url!r} is at schema revision {revision!r}, "
                f"which this version of publisher does not know (its newest is {HEAD!r})",
                "run the newer publisher that last opened this database, or restore a "
                "backup made before it",
            )


def _unversioned_revision(connection: Connection) -> str | None:
    """The revision an unversioned database's tables match (None: it has none of ours)."""
    inspector = inspect(connection)
    ours = set(inspector.get_table_names()) & set(target_metadata().tables)
    if not ours:
        return None
    if "articles" in ours:
        columns = {column["name"] for column in inspector.get_columns("articles")}
        # create_all at d959ca1 made these columns with the table; it never adds
        # columns to an existing table, so they are all there or none is.
        if "figures" in columns:
            return ARTICLE_FIGURES
    return BASELINE
