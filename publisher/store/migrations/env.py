"""The Alembic environment: run by every Alembic command on this package's scripts.

``publisher.store.migrations.apply.alembic_config`` gives it a connection (how the
publisher migrates on start) or a URL; with neither it opens the configured
database (publisher.toml and ``PUBLISHER_DATABASE_URL``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from publisher.store.migrations import include_name, target_metadata


def run(connection: Connection) -> None:
    """Run the migrations Alembic chose, on ``connection``."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        include_name=include_name,
        # SQLite alters most things only by copying the table: let autogenerate say so.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    """Use the connection given in the configuration, else open one."""
    given = context.config.attributes.get("connection")
    if given is not None:
        run(given)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        from publisher.config import load_settings

        url = load_settings().database_url
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("publisher migrations run on a live database only (no --sql)")
main()
