"""Schema migrations: every database, new or made by an older version, brought to the code's schema.

The Alembic environment lives in this package (``env.py``, ``versions/``) and is
configured in code (``apply.py``), so an installed publisher needs no
``alembic.ini``. ``upgrade(engine)`` is what ``Database.create_schema`` calls on
every start; Alembic itself is imported only when a database is not at ``HEAD``.

To write a new revision after changing a tables module, let Alembic compare a
database at head with the tables, review what it wrote, and set ``HEAD``::

    from alembic import command
    from publisher.store.migrations.apply import alembic_config
    command.revision(alembic_config(url), message="...", autogenerate=True)

APScheduler's job table shares the database but is the scheduler's own
(publisher/schedule.py creates it): migrations neither create nor compare it.
"""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, inspect, text

# The newest revision in versions/. Written here so that the usual start, on a
# database already at it, costs one query instead of importing Alembic and
# reading every script (a third of a second); tests/test_store_migrations.py
# checks it against the scripts.
HEAD = "0003"
BASELINE = "0001"  # the schema as Base.metadata.create_all made it before migrations existed
# The first revision whose article columns a database made by create_all can already have.
ARTICLE_FIGURES = "0002"
VERSION_TABLE = "alembic_version"


def target_metadata() -> MetaData:
    """``Base.metadata`` with every table of the project registered on it."""
    # Imported for the side effect of registering the tables (they import Base from db).
    import publisher.deliver.tables
    import publisher.store.tables
    import publisher.web.tables  # noqa: F401
    import subscribers.tables  # noqa: F401
    from publisher.store.db import Base

    return Base.metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether Alembic compares an object: only our tables, not the scheduler's or others'."""
    return type_ != "table" or name in target_metadata().tables


def upgrade(engine: Engine) -> None:
    """Bring the database to the code's schema, safely when several processes start together."""
    if current_revisions(engine) == (HEAD,):
        return
    from publisher.store.migrations.apply import migrate

    migrate(engine)


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revisions the database records (none for a new one or one made before migrations)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return ()
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
        return tuple(row[0] for row in rows)
