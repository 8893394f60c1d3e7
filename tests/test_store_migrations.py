"""Schema migrations: new, old and current databases all reach the code's schema, keeping data.

Each test runs on a SQLite file, or on a fresh PostgreSQL database with
``PUBLISHER_TEST_POSTGRES`` set (``make test-postgres``).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    MetaData,
    create_engine,
    event,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from publisher.config import load_settings
from publisher.errors import ConfigError
from publisher.model import Article, Figure, Issue
from publisher.store import migrations
from publisher.store.archive import Archive
from publisher.store.db import Database
from publisher.store.migrations.apply import alembic_config, scripts
from publisher.store.tables import ImageRow

# What Base.metadata.create_all wrote on SQLite at commit a6356dc, the last schema
# before migrations: databases in use today look exactly like this.
OLD_SQLITE_SCHEMA = """
CREATE TABLE publications (
    id INTEGER NOT NULL, name VARCHAR(200) NOT NULL, slug VARCHAR(200) NOT NULL,
    PRIMARY KEY (id), UNIQUE (name), UNIQUE (slug)
);
CREATE TABLE subscribers (
    id INTEGER NOT NULL, email VARCHAR(320) NOT NULL, email_key VARCHAR(320) NOT NULL,
    name VARCHAR(200), status VARCHAR(20) NOT NULL, cadence VARCHAR(10) NOT NULL,
    format VARCHAR(10) NOT NULL, source VARCHAR(10) NOT NULL, hard_bounces INTEGER NOT NULL,
    created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, confirmed_at DATETIME,
    unsubscribed_at DATETIME, bounced_at DATETIME, complained_at DATETIME,
    PRIMARY KEY (id), UNIQUE (email_key)
);
CREATE INDEX ix_subscribers_status ON subscribers (status);
CREATE TABLE issues (
    id INTEGER NOT NULL, publication_id INTEGER NOT NULL, number INTEGER NOT NULL,
    date DATE NOT NULL, weekday TEXT, lunar_date TEXT, organizers JSON NOT NULL,
    publisher TEXT, extra JSON NOT NULL, source_name TEXT NOT NULL, source_text TEXT NOT NULL,
    ingested_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, built_at DATETIME,
    PRIMARY KEY (id), UNIQUE (publication_id, number),
    FOREIGN KEY(publication_id) REFERENCES publications (id)
);
CREATE INDEX ix_issues_publication_id ON issues (publication_id);
CREATE INDEX ix_issues_date ON issues (date);
CREATE INDEX ix_issues_updated_at ON issues (updated_at);
CREATE TABLE subscriber_events (
    id INTEGER NOT NULL, subscriber_id INTEGER NOT NULL, at DATETIME NOT NULL,
    old_status VARCHAR(20), new_status VARCHAR(20) NOT NULL, reason VARCHAR(500) NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(subscriber_id) REFERENCES subscribers (id) ON DELETE CASCADE
);
CREATE INDEX ix_subscriber_events_subscriber_id ON subscriber_events (subscriber_id);
CREATE TABLE articles (
    id INTEGER NOT NULL, issue_id INTEGER NOT NULL, position INTEGER NOT NULL,
    slug VARCHAR(100) NOT NULL, kicker TEXT, title TEXT NOT NULL, subtitle TEXT,
    authors JSON NOT NULL, paragraphs JSON NOT NULL, untitled BOOLEAN NOT NULL,
    PRIMARY KEY (id), UNIQUE (issue_id, slug),
    FOREIGN KEY(issue_id) REFERENCES issues (id) ON DELETE CASCADE
);
CREATE INDEX ix_articles_issue_id ON articles (issue_id);
CREATE TABLE sends (
    id INTEGER NOT NULL, issue_id INTEGER NOT NULL, cadence VARCHAR(10) NOT NULL,
    status VARCHAR(10) NOT NULL, recipients INTEGER NOT NULL, sent INTEGER NOT NULL,
    "deferred" INTEGER NOT NULL, failed INTEGER NOT NULL, skipped INTEGER NOT NULL,
    created_at DATETIME NOT NULL, started_at DATETIME, finished_at DATETIME,
    lease_owner VARCHAR(200), lease_expires_at DATETIME, last_error TEXT,
    PRIMARY KEY (id), UNIQUE (issue_id, cadence),
    FOREIGN KEY(issue_id) REFERENCES issues (id)
);
CREATE INDEX ix_sends_status ON sends (status);
CREATE INDEX ix_sends_issue_id ON sends (issue_id);
CREATE TABLE deliveries (
    send_id INTEGER NOT NULL, subscriber_id INTEGER NOT NULL, email VARCHAR(320) NOT NULL,
    status VARCHAR(10) NOT NULL, attempts INTEGER NOT NULL, next_attempt_at DATETIME NOT NULL,
    last_attempt_at DATETIME, last_reply TEXT, queue_id VARCHAR(200),
    created_at DATETIME NOT NULL,
    PRIMARY KEY (send_id, subscriber_id),
    FOREIGN KEY(send_id) REFERENCES sends (id) ON DELETE CASCADE,
    FOREIGN KEY(subscriber_id) REFERENCES subscribers (id)
);
CREATE INDEX ix_deliveries_state ON deliveries (send_id, status, next_attempt_at);
"""

OLD_PARAGRAPHS = ["即墨区召开会议\u3002", "会议强调\uff1a\u201c抓落实\u201d\u3002"]


@pytest.fixture
def url(env: dict[str, str]) -> str:
    """The test's own empty database: a SQLite file, or PostgreSQL."""
    return load_settings().database_url


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    """A plain engine on that database, for writing it as an older version would have."""
    path = make_url(url).database
    if url.startswith("sqlite") and path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, poolclass=NullPool)
    yield engine
    engine.dispose()


def make_old_database(engine: Engine) -> None:
    """The schema of a6356dc, made as its create_all made it, with no alembic_version table."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            for statement in OLD_SQLITE_SCHEMA.split(";"):
                if statement.strip():
                    connection.exec_driver_sql(statement)
        return
    # Elsewhere the baseline revision (which test_the_baseline_is_the_old_schema
    # checks against the SQLite text) writes it; then it forgets it was migrated.
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), migrations.BASELINE)
        connection.execute(text("DROP TABLE alembic_version"))


def store_old_issue(engine: Engine, **article: object) -> None:
    """One publication, issue and article (with ``article``'s extra columns) written directly."""
    tables = MetaData()
    tables.reflect(engine)
    now = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    with engine.begin() as connection:
        # No ids given: PostgreSQL's sequences must hand out the next ones as usual.
        publication_id = new_id(
            connection, insert(tables.tables["publications"]).values(name="新即墨", slug="xinjimo")
        )
        issue_id = new_id(
            connection,
            insert(tables.tables["issues"]).values(
                publication_id=publication_id,
                number=2880,
                date=dt.date(2026, 11, 1),
                organizers=["中共即墨区委"],
                extra={},
                source_name="2880.md",
                source_text="# 2880",
                ingested_at=now,
                updated_at=now,
            ),
        )
        connection.execute(
            insert(tables.tables["articles"]).values(
                issue_id=issue_id,
                position=0,
                slug="1",
                title="旧的文章",
                authors=["记者 王明"],
                paragraphs=OLD_PARAGRAPHS,
                untitled=False,
                **article,
            )
        )


def new_id(connection: Connection, statement: Insert) -> int:
    """The primary key the database gave the row ``statement`` inserted."""
    key = connection.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def revision(engine: Engine) -> tuple[str, ...]:
    """The revisions the database says it is at."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_heads()


def differences(engine: Engine) -> list[Any]:
    """What Alembic finds different between the database and the tables in the code."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": migrations.include_name, "compare_type": True}
        )
        return list(compare_metadata(context, migrations.target_metadata()))


def describe(engine: Engine) -> dict[str, Any]:
    """Every table's columns, keys, constraints and indexes, as the database reports them."""
    inspector = inspect(engine)
    schema: dict[str, Any] = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        schema[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(table)
            ],
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    str(fk.get("options", {}).get("ondelete")),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), i["unique"])
                for i in inspector.get_indexes(table)
                # PostgreSQL lists the unique constraints' own indexes too.
                if not i.get("duplicates_constraint")
            ),
        }
    return schema


def new_database(url: str) -> Database:
    """A Database whose schema create_schema has brought to head."""
    database = Database(url)
    database.create_schema()
    return database


ISSUE_WITH_FIGURES = Issue(
    publication="新即墨",
    number=2890,
    date=dt.date(2026, 11, 28),
    articles=(
        Article(
            title="海滨步道开放",
            paragraphs=("步道全长三公里\u3002", "市民说\u201c很方便\u201d\u3002"),
            authors=("记者 李华",),
            source="本报",
            page="2",
            page_name="要闻",
            figures=(
                Figure(src="images/walk.jpg", alt="步道", caption="新开的步道", credit="张强"),
                Figure(caption="只有说明的图"),
            ),
            note="编者按\uff1a步道是今年的实事之一\u3002",
            quotes=(1,),
        ),
    ),
)


def test_an_old_database_is_migrated_keeps_its_issue_and_stores_figures(
    url: str, engine: Engine
) -> None:
    make_old_database(engine)
    store_old_issue(engine)

    database = new_database(url)
    try:
        assert revision(engine) == (migrations.HEAD,)
        archive = Archive(database)
        old = archive.get(2880)
        assert old.organizers == ("中共即墨区委",)
        (article,) = old.articles
        assert (article.title, article.paragraphs) == ("旧的文章", tuple(OLD_PARAGRAPHS))
        # The table was copied on SQLite: the text must come through code point for code point.
        assert [ord(c) for c in article.paragraphs[1][4:]] == [
            0xFF1A,
            0x201C,
            0x6293,
            0x843D,
            0x5B9E,
            0x201D,
            0x3002,
        ]
        assert (article.figures, article.quotes, article.page) == ((), (), None)

        stored = archive.save(ISSUE_WITH_FIGURES).issue
        assert archive.get(2890) == stored
        assert stored.articles[0].figures == ISSUE_WITH_FIGURES.articles[0].figures
        assert stored.articles[0].quotes == (1,)
        with database.session() as session:
            issue_id = archive.issue_id(2890)
            session.add(
                ImageRow(
                    issue_id=issue_id,
                    name="images/walk.jpg",
                    media_type="image/jpeg",
                    data=b"\xff\xd8",
                )
            )
        with database.session() as session:
            assert session.scalar(select(ImageRow.data)) == b"\xff\xd8"
    finally:
        database.dispose()


def test_a_migrated_database_is_the_same_as_a_new_one(url: str, engine: Engine) -> None:
    make_old_database(engine)
    new_database(url).dispose()
    migrated = describe(engine)
    assert differences(engine) == []

    with engine.begin() as connection:
        for table in reversed(migrations.target_metadata().sorted_tables):
            connection.execute(text(f"DROP TABLE {table.name}"))
        connection.execute(text("DROP TABLE alembic_version"))
    assert describe(engine) == {}
    new_database(url).dispose()
    assert describe(engine) == migrated


def test_a_new_database_reaches_head_with_the_tables_of_the_code(url: str, engine: Engine) -> None:
    new_database(url).dispose()
    assert revision(engine) == (migrations.HEAD,)
    assert differences(engine) == []
    assert set(describe(engine)) == set(migrations.target_metadata().tables)


def test_every_revision_in_turn_gives_the_tables_of_the_code(engine: Engine) -> None:
    # New databases skip the revisions (create_all, then stamp): that is only
    # right while replaying them ends in the same schema.
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), "head")
    assert revision(engine) == (migrations.HEAD,)
    assert differences(engine) == []


def test_the_revisions_after_the_baseline_can_be_undone(engine: Engine) -> None:
    # Whoever has to go back to an older publisher downgrades to its revision first.
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), "head")
        command.downgrade(alembic_config(connection=connection), migrations.BASELINE)
    undone = describe(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), "base")
    assert describe(engine) == {}
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), migrations.BASELINE)
    assert describe(engine) == undone


def test_the_baseline_is_the_old_schema(url: str, engine: Engine, tmp_path: Any) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the old schema is kept here as SQLite's CREATE statements")
    make_old_database(engine)
    replayed = create_engine(f"sqlite:///{tmp_path / 'baseline.db'}", poolclass=NullPool)
    with replayed.begin() as connection:
        command.upgrade(alembic_config(connection=connection), migrations.BASELINE)
    assert describe(replayed) == describe(engine)
    replayed.dispose()


def test_create_schema_on_a_current_database_changes_nothing(url: str) -> None:
    first = new_database(url)
    second = Database(url)  # another process starting later
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    try:
        for database in (first, second):
            event.listen(database.engine, "before_cursor_execute", record)
            database.create_schema()
    finally:
        first.dispose()
        second.dispose()
    assert statements  # it did look
    writes = ("CREATE", "ALTER", "INSERT", "UPDATE", "DELETE", "DROP")
    assert [s for s in statements if s.split()[0].upper() in writes] == []


def test_a_database_made_by_create_all_after_the_new_columns_is_only_stamped(
    url: str, engine: Engine
) -> None:
    # The code of d959ca1 made its new databases with create_all, columns included.
    migrations.target_metadata().create_all(engine)
    store_old_issue(engine, figures=[], quotes=[])
    database = new_database(url)
    try:
        assert revision(engine) == (migrations.HEAD,)
        assert Archive(database).get(2880).articles[0].title == "旧的文章"
    finally:
        database.dispose()


def test_an_old_database_given_the_images_table_by_create_all_is_migrated(
    url: str, engine: Engine
) -> None:
    # The code of d959ca1 opening an old database added the table, not the columns.
    make_old_database(engine)
    migrations.target_metadata().tables["images"].create(engine)
    new_database(url).dispose()
    assert revision(engine) == (migrations.HEAD,)
    assert differences(engine) == []


def test_a_database_of_a_newer_version_is_refused_with_a_hint(url: str, engine: Engine) -> None:
    new_database(url).dispose()
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    database = Database(url)
    try:
        with pytest.raises(ConfigError) as raised:
            database.create_schema()
    finally:
        database.dispose()
    assert "'9999'" in raised.value.message
    assert raised.value.hint is not None and "newer publisher" in raised.value.hint


@pytest.mark.parametrize("old", [False, True], ids=["new", "old"])
def test_processes_starting_together_all_start_and_migrate_once(
    url: str, engine: Engine, old: bool
) -> None:
    if old:
        make_old_database(engine)
        store_old_issue(engine)
    starters = 4
    barrier = threading.Barrier(starters, timeout=60)
    errors: list[BaseException] = []

    def start() -> None:
        database = Database(url)
        try:
            barrier.wait()
            database.create_schema()
        except BaseException as e:  # reported below; a thread cannot fail the test itself
            errors.append(e)
        finally:
            database.dispose()

    threads = [threading.Thread(target=start) for _ in range(starters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert revision(engine) == (migrations.HEAD,)
    assert differences(engine) == []
    if old:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM articles")).scalar() == 1


def test_head_names_the_newest_script() -> None:
    assert scripts().get_current_head() == migrations.HEAD


def test_a_current_database_is_opened_without_alembic(url: str) -> None:
    # Every command opens the database: at head that must stay one query, not an import.
    new_database(url).dispose()
    program = (
        "import sys\n"
        "from publisher.store.db import Database\n"
        f"database = Database({url!r})\n"
        "database.create_schema()\n"
        "database.dispose()\n"
        "assert 'alembic' not in sys.modules, 'imported alembic'\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
