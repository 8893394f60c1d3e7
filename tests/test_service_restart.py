"""The running service survives restarts: a missed tick runs once, an interrupted send resumes.

The service runs as a real ``publisher serve`` process; mail goes over SMTP to
a real (deliberately slow) server in this process, which counts what arrives.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.deliver.ledger import Ledger
from publisher.schedule import DEFAULT_CYCLE, job_store
from subscribers.model import NewSubscriber

from .conftest import SAMPLE
from .smtp import Recorder, free_port, smtp_server

SUBSCRIBERS = 30
pytestmark = pytest.mark.slow


@pytest.fixture
def recorder() -> Iterator[tuple[Recorder, int]]:
    handler = Recorder(delay=0.1)
    with smtp_server(handler) as controller:
        yield handler, controller.port


@pytest.fixture
def service_env(
    env: dict[str, str], recorder: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    _, smtp_port = recorder
    values = {
        **env,
        "PUBLISHER_DELIVERY_URL": f"smtp://127.0.0.1:{smtp_port}?pool=2",
        "PUBLISHER_DELIVERY_WAIT_SECONDS": "5",
        "PUBLISHER_SCHEDULE_CRON": "0 0 1 1 *",  # never fires by itself during a test
        "PUBLISHER_SCHEDULE_GRACE_SECONDS": "3600",
        "PUBLISHER_SERVER_PORT": str(free_port()),
    }
    for key, value in values.items():  # the test's own Publisher reads the same settings
        monkeypatch.setenv(key, value)
    return values


class Running:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.url = f"http://127.0.0.1:{env['PUBLISHER_SERVER_PORT']}/"
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "publisher", "serve"],
            env={**os.environ, **env},
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("the service did not become healthy")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.log.close()
        # uvicorn re-raises the signal after its graceful shutdown, hence -SIGTERM.
        assert code in (0, -signal.SIGTERM), code


def set_next_tick(app: Publisher, when: dt.datetime) -> None:
    """Pretend the service was down when its tick was due (what a real outage leaves behind)."""
    store = job_store(app)
    job = store.lookup_job(DEFAULT_CYCLE)
    job.next_run_time = when
    store.update_job(job)


def next_tick(app: Publisher) -> dt.datetime:
    return job_store(app).lookup_job(DEFAULT_CYCLE).next_run_time


@pytest.fixture
def audience(service_env: dict[str, str]) -> Iterator[Publisher]:
    app = Publisher(load_settings())
    app.subscribers.add_many(
        [NewSubscriber(email=f"reader{i}@example.com") for i in range(SUBSCRIBERS)]
    )
    yield app
    app.close()


def test_missed_tick_runs_once_and_an_interrupted_send_resumes_without_doubles(
    audience: Publisher, service_env: dict[str, str], recorder: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, _ = recorder
    log = tmp_path / "service.log"
    Running(service_env, log).stop()  # first start stores the cycle job

    inbox = audience.settings.inbox_dir
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    set_next_tick(audience, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))

    service = Running(service_env, log)  # the missed tick runs now: ingest, build, send
    deadline = time.monotonic() + 30
    while len(handler.received) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    service.stop()  # a restart in the middle of the send
    delivered = sum(handler.per_recipient().values())
    assert 0 < delivered < SUBSCRIBERS, "the send was not interrupted; slow the server down"
    (send,) = Ledger(audience.db).unfinished_sends()

    service = Running(service_env, log)  # resumes the send on start
    deadline = time.monotonic() + 60
    while sum(handler.per_recipient().values()) < SUBSCRIBERS and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # anything doubled would arrive now
    service.stop()

    counts = handler.per_recipient()
    assert set(counts) == {f"reader{i}@example.com" for i in range(SUBSCRIBERS)}
    assert set(counts.values()) == {1}, "someone got the digest twice"
    assert Ledger(audience.db).unfinished_sends() == []
    assert Ledger(audience.db).counts(send.id).sent == SUBSCRIBERS
    assert (inbox / "done" / SAMPLE.name).is_file()
    assert next_tick(audience) > dt.datetime.now(dt.UTC)  # the missed tick is not run again
    assert log.read_text("utf-8").count('"event": "service stopped"') == 3  # each stop was clean


def test_a_tick_missed_beyond_the_grace_time_is_skipped(
    audience: Publisher, service_env: dict[str, str], recorder: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, _ = recorder
    log = tmp_path / "service.log"
    Running(service_env, log).stop()
    inbox = audience.settings.inbox_dir
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    set_next_tick(audience, dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))

    service = Running(service_env, log)
    deadline = time.monotonic() + 20
    while "was missed by" not in log.read_text("utf-8") and time.monotonic() < deadline:
        time.sleep(0.1)
    service.stop()
    assert "was missed by" in log.read_text("utf-8")  # APScheduler judged and skipped it
    assert (inbox / SAMPLE.name).is_file()  # the stale tick did not run
    assert handler.received == []
    assert next_tick(audience) > dt.datetime.now(dt.UTC)
