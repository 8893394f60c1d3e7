"""No server can hang the publisher: ``send`` and ``serve`` as real processes against stuck servers.

The server greets with endless "220-" lines, two bytes every half second:
every read succeeds, so only a deadline on the whole step ends the wait. It
stops by itself after ``STUCK_SECONDS``, which every bound below undercuts, so
the old behaviour (waiting as long as the server goes on) fails each test.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.deliver.ledger import Counts, Ledger
from publisher.deliver.service import begin_send

from .cli import assert_refused
from .processes import sample_with_readers, start
from .smtp import free_port, raw_server
from .stuck_smtp import TricklingGreeting

READERS = 6
STUCK_SECONDS = 40
pytestmark = pytest.mark.slow

Prepare = Callable[..., dict[str, str]]


@pytest.fixture
def stuck() -> Iterator[tuple[TricklingGreeting, int]]:
    server = TricklingGreeting(seconds=STUCK_SECONDS)
    with raw_server(server) as port:
        yield server, port


@pytest.fixture
def prepare(
    env: dict[str, str], stuck: tuple[TricklingGreeting, int], monkeypatch: pytest.MonkeyPatch
) -> Prepare:
    """The sample issue and its readers stored; the environment of the processes under test."""

    def make(timeout: float, **settings: str) -> dict[str, str]:
        _, port = stuck
        values = {
            **env,
            "PUBLISHER_DELIVERY_URL": f"smtp://127.0.0.1:{port}?pool=2&timeout={timeout:g}",
            **settings,
        }
        return sample_with_readers(values, READERS, monkeypatch)

    return make


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen"
        time.sleep(0.05)


def counts() -> tuple[Counts, str | None]:
    """The counts of the issue's one send, and who holds its lease."""
    app = Publisher(load_settings())
    ledger = Ledger(app.db)
    (send,) = ledger.sends_of_issue(app.archive.issue_id(2890))
    result = ledger.counts(send.id), send.lease_owner
    app.close()
    return result


def test_send_gives_up_a_server_that_trickles_its_greeting(prepare: Prepare) -> None:
    environment = prepare(timeout=1)
    result = subprocess.run(
        [sys.executable, "-m", "publisher", "send", "2890"],
        env=environment,
        capture_output=True,
        timeout=20,  # the server would trickle for STUCK_SECONDS
    )
    assert_refused(result, "gave no greeting within 1 seconds", "given up for this run")
    sent, owner = counts()
    assert sent.queued == READERS and owner is None  # nobody lost, the send free to resume


def test_the_first_ctrl_c_waits_no_longer_than_the_deadline(
    prepare: Prepare, stuck: tuple[TricklingGreeting, int], tmp_path: Path
) -> None:
    server, _ = stuck
    log = tmp_path / "send.log"
    sender = start(prepare(timeout=2), log, "send", "2890")
    wait_until(lambda: server.connections > 0, "a connection to the server")
    sender.send_signal(signal.SIGINT)
    # The messages in flight end at their deadline, and with them the send.
    assert sender.wait(timeout=20) == 2, log.read_text("utf-8")
    assert "given up for this run" in log.read_text("utf-8")
    assert counts()[0].queued == READERS


def test_a_second_ctrl_c_ends_the_process_at_once(
    prepare: Prepare, stuck: tuple[TricklingGreeting, int], tmp_path: Path
) -> None:
    server, _ = stuck
    log = tmp_path / "send.log"
    sender = start(prepare(timeout=60), log, "send", "2890")  # deadlines far away
    wait_until(lambda: server.connections > 0, "a connection to the server")
    sender.send_signal(signal.SIGINT)
    wait_until(lambda: "stopping" in log.read_text("utf-8"), "the first Ctrl-C's answer")
    sender.send_signal(signal.SIGINT)
    # Within a second as a rule; the bound is generous for a busy machine.
    assert sender.wait(timeout=10) == 130, log.read_text("utf-8")
    assert counts()[0].queued == READERS  # what was in flight is still to send


@pytest.mark.parametrize(
    ("stop", "codes"),
    [
        # uvicorn re-raises the signal after its graceful shutdown, hence -SIGTERM.
        (signal.SIGTERM, (0, -signal.SIGTERM)),
        (signal.SIGINT, (130,)),  # Ctrl-C on a terminal: the work left must not hold the exit
    ],
    ids=["sigterm", "ctrl-c"],
)
def test_the_service_stops_within_its_shutdown_seconds(
    prepare: Prepare,
    stuck: tuple[TricklingGreeting, int],
    tmp_path: Path,
    stop: signal.Signals,
    codes: tuple[int, ...],
) -> None:
    server, _ = stuck
    environment = prepare(
        timeout=60,  # the send would wait for the server far longer than the shutdown may
        PUBLISHER_SERVER_SHUTDOWN_SECONDS="1",
        PUBLISHER_SERVER_PORT=str(free_port()),
        PUBLISHER_SCHEDULE_CRON="0 0 1 1 *",  # no tick of its own during the test
    )
    app = Publisher(load_settings())
    begin_send(app, 2890)  # an interrupted send, which the service resumes as it starts
    app.close()
    log = tmp_path / "service.log"
    service = start(environment, log, "serve")
    wait_until(lambda: server.connections > 0, "the resumed send reaching the server")
    service.send_signal(stop)
    assert service.wait(timeout=15) in codes, log.read_text("utf-8")
    assert "service stopped with work running" in log.read_text("utf-8")
    assert counts()[0].queued == READERS
