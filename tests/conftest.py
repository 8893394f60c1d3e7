"""Shared fixtures: a settings object on a temporary data directory, a real database file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from publisher.app import Publisher
from publisher.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "xinjimo-2890.md"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment that points the publisher at a fresh data directory."""
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("PUBLISHER_"):
            monkeypatch.delenv(name)
    values = {
        "PUBLISHER_DATA_DIR": str(tmp_path / "var"),
        "PUBLISHER_SECURITY_SECRET": "test-secret-not-for-production",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def app(env: dict[str, str]) -> Publisher:
    """A publisher on a real SQLite file in a temporary directory."""
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
