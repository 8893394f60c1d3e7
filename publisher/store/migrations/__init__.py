"""Schema migrations: every database, new or made by an older version, brought to the code's schema.

The Alembic environment lives in this package (``env.py``, ``versions/``) and is
configured in code, so an installed publisher needs no ``alembic.ini``.
``upgrade(engine)`` is what ``Database.create_schema`` calls on every start.

To write a new revision after changing a tables module, let Alembic compare a
database at head with the tables, then review what it wrote::

    from alembic import command
    from publisher.store.migrations import alembic_config
    command.revision(alembic_config(url), message="...", autogenerate=True)

APScheduler's job table shares the database but is the scheduler's own
(publisher/schedule.py creates it): migrations neither create nor compare it.
"""

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
from sqlalchemy import Connection, Engine, MetaData, inspect, text

from publisher.errors import ConfigError

HERE = Path(__file__).resolve().parent
BASELINE = "0001"  # the schema as Base.metadata.create_all made it before migrations existed
# The first revision whose article columns a create_all-made database can already have.
ARTICLE_FIGURES = "0002"

# Any fixed number: PostgreSQL's advisory locks are named by a bigint, shared by
# every database on the server but held here only while a schema is checked.
_PG_LOCK = 0x7075_626C_6973_6872  # "publishr"


def target_metadata() -> MetaData:
    """``Base.metadata`` with every table of the project registered on it."""
    # Imported for the side effect of registering the tables (they import Base from db).
    import publisher.deliver.tables
    import publisher.store.tables  # noqa: F401
    import subscribers.tables  # noqa: F401
    from publisher.store.db import Base

    return Base.metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether Alembic compares an object: only our tables, not the scheduler's or others'."""
    return type_ != "table" or name in target_metadata().tables


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
def _scripts() -> ScriptDirectory:
    # Parsed once per process: every Database made checks its revision against it.
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The revision this version of the code expects."""
    revision = _scripts().get_current_head()
    assert revision is not None, "the versions folder has no revision"
    return revision


def upgrade(engine: Engine) -> None:
    """Bring the database to the code's schema, safely when several processes start together.

    A new database gets the tables and is stamped at head; one made by
    ``create_all`` before migrations existed is stamped at the revision it
    matches, then migrated; one at head is left alone.
    """
    with _schema_lock(engine) as connection:
        context = MigrationContext.configure(connection)
        current = context.get_current_heads()
        _refuse_unknown(current, engine)
        if current == (head(),):
            return
        if not current:
            adopted = _unversioned_revision(connection)
            if adopted is None:
                # A new database: the tables as they are now equal every revision
                # applied in turn (tests/test_store_migrations.py checks it), and
                # create_all is several times faster than replaying history.
                target_metadata().create_all(connection)
                context.stamp(_scripts(), "head")
                return
            context.stamp(_scripts(), adopted)
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
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        yield connection
        connection.commit()


def _refuse_unknown(current: tuple[str, ...], engine: Engine) -> None:
    """A revision the code does not know comes from a newer version of the software."""
    for revision in current:
        try:
            known = _scripts().get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            raise ConfigError(
                f"the database {engine.url!r} is at schema revision {revision!r}, "
                f"which this version of publisher does not know (its newest is {head()!r})",
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
