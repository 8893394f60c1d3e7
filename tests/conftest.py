"""Shared fixtures: a settings object on a temporary data directory, a real database file.

With ``PUBLISHER_TEST_POSTGRES`` set to a PostgreSQL server URL, every test gets
a fresh database on that server instead of the SQLite file (``make test-postgres``).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from publisher.app import Publisher
from publisher.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "xinjimo-2890.md"
# The same issue with its punctuation full-width, as real print-to-text output sets it.
FULLWIDTH_SAMPLE = ROOT / "tests" / "data" / "xinjimo-2890-fullwidth.md"
DATA = Path(__file__).resolve().parent / "data"
# Read once: the env fixture clears every PUBLISHER_ variable from the environment.
POSTGRES = os.environ.get("PUBLISHER_TEST_POSTGRES")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Engine | None]:
    """An autocommit engine on the ``PUBLISHER_TEST_POSTGRES`` server, or None when it is unset."""
    if not POSTGRES:
        yield None
        return
    server = create_engine(POSTGRES, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    yield server
    server.dispose()


@pytest.fixture
def database_url(postgres_server: Engine | None) -> Iterator[str | None]:
    """A fresh, empty PostgreSQL database for one test (None: the default SQLite file).

    The project promises PostgreSQL works as well as SQLite; a database per test
    keeps tests as isolated as their own SQLite files, also across xdist workers.
    """
    if postgres_server is None:
        yield None
        return
    name = f"publisher_test_{uuid.uuid4().hex[:16]}"
    with postgres_server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    with postgres_server.connect() as connection:
        # FORCE terminates what a test left connected (a pool, a killed subprocess's session).
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture
def env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> dict[str, str]:
    """An environment that points the publisher at a fresh data directory (and database)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PUBLISHER_"):
            monkeypatch.delenv(name)
    values = {
        "PUBLISHER_DATA_DIR": str(tmp_path / "var"),
        "PUBLISHER_SECURITY_SECRET": "test-secret-not-for-production",
    }
    if database_url is not None:
        values["PUBLISHER_DATABASE_URL"] = database_url
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def app(env: dict[str, str]) -> Publisher:
    """A publisher on a real database: a SQLite file in a temporary directory, or PostgreSQL."""
    publisher = Publisher(load_settings())
    yield publisher
    publisher.close()


EDITOR_PASSWORD = "编辑部 正确的密码 2890"


@pytest.fixture
def console(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Publisher:
    """A publisher whose editors' console is enabled, with ``EDITOR_PASSWORD``."""
    from publisher.web.admin import hash_password

    monkeypatch.setenv("PUBLISHER_ADMIN_PASSWORD_HASH", hash_password(EDITOR_PASSWORD))
    publisher = Publisher(load_settings())
    yield publisher
    publisher.close()


@pytest.fixture
def site(app: Publisher, sample_path: Path) -> Path:
    """The site directory after publishing the sample issue."""
    from .render_support import publish

    publish(app, sample_path)
    return app.settings.site_dir


@pytest.fixture
def sample_path(tmp_path: Path) -> Path:
    """A private copy of the sample issue."""
    return Path(shutil.copy(SAMPLE, tmp_path / SAMPLE.name))


CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home, which
# this machine's closed network refuses; root needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Playwright; the test is skipped where Chromium is absent."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def no_process_outlives_its_test() -> Iterator[None]:
    """A failed test must not leave a publisher process (a sender, say) running behind it."""
    from .processes import kill_leftovers  # imports this module: not at the top

    yield
    kill_leftovers()
