"""The crash-safety promise, tested on real processes: kill -9 mid-send, and two senders at once.

``publisher send`` runs as a child process on a real SQLite file; the SMTP
server runs in this process and counts what it accepted, which is the only
count that matters to a reader's inbox.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.deliver.ledger import Ledger

from .processes import sample_with_readers, start
from .smtp import Recorder, smtp_server

READERS = 60
POOL = 4
pytestmark = pytest.mark.slow


@pytest.fixture
def server() -> Iterator[tuple[Recorder, int]]:
    # Slow enough that a send of READERS takes well over a second.
    handler = Recorder(delay=0.05)
    with smtp_server(handler) as controller:
        yield handler, controller.port


@pytest.fixture
def sender_env(
    env: dict[str, str], server: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The environment of the sender processes, and of this test's own Publisher."""
    _, port = server
    values = {
        **env,
        "PUBLISHER_DELIVERY_URL": f"smtp://127.0.0.1:{port}?pool={POOL}",
        "PUBLISHER_DELIVERY_BATCH_SIZE": "7",  # several batches, so a kill lands mid-stream
    }
    return sample_with_readers(values, READERS, monkeypatch)


def start_sender(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return start(environment, log, "send", "2890")


def wait_for(handler: Recorder, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(handler.received) < count:
        assert time.monotonic() < deadline, f"only {len(handler.received)} messages arrived"
        time.sleep(0.01)


def test_a_sender_killed_mid_send_resumes_and_doubles_at_most_the_pool(
    server: tuple[Recorder, int], sender_env: dict[str, str], tmp_path: Path
) -> None:
    handler, _ = server
    log = tmp_path / "send.log"
    for killed_after in (12, 30):  # kill it twice, at different points of the stream
        sender = start_sender(sender_env, log)
        wait_for(handler, killed_after)
        sender.send_signal(signal.SIGKILL)
        assert sender.wait(timeout=10) == -signal.SIGKILL
    assert len(handler.per_recipient()) < READERS, "the send finished before the kill"

    resumed = start_sender(sender_env, log)
    assert resumed.wait(timeout=60) == 0, log.read_text("utf-8")

    counts = handler.per_recipient()
    assert set(counts) == {f"reader{i}@example.com" for i in range(READERS)}
    doubled = sum(n - 1 for n in counts.values())
    assert doubled <= 2 * POOL, f"{doubled} duplicates over two kills"  # at most the pool each
    app = Publisher(load_settings())
    (send,) = Ledger(app.db).sends_of_issue(app.archive.issue_id(2890))
    assert Ledger(app.db).counts(send.id).sent == READERS
    assert send.status == "done" and send.lease_owner is None
    app.close()


def test_two_senders_started_at_once_never_both_send(
    server: tuple[Recorder, int], sender_env: dict[str, str], tmp_path: Path
) -> None:
    handler, _ = server
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    senders = [start_sender(sender_env, log) for log in logs]
    codes = [sender.wait(timeout=60) for sender in senders]

    counts = handler.per_recipient()
    assert len(counts) == READERS and set(counts.values()) == {1}, "someone got it twice"
    # Usually one finds the other holding the lease (exit 2); on a slow machine the
    # second may only start once the first is done, and finds nothing left to send.
    assert 0 in codes and set(codes) <= {0, 2}, [log.read_text("utf-8") for log in logs]
    if 2 in codes:
        assert "is being sent by" in logs[codes.index(2)].read_text("utf-8")


def test_ctrl_c_stops_cleanly_and_the_resumed_send_doubles_nobody(
    server: tuple[Recorder, int], sender_env: dict[str, str], tmp_path: Path
) -> None:
    handler, _ = server
    log = tmp_path / "send.log"
    sender = start_sender(sender_env, log)
    wait_for(handler, 10)
    sender.send_signal(signal.SIGINT)
    assert sender.wait(timeout=30) == 130, log.read_text("utf-8")
    app = Publisher(load_settings())
    (send,) = Ledger(app.db).unfinished_sends()
    assert send.lease_owner is None  # released: a resume need not wait
    # What was in flight at Ctrl-C was waited for and recorded, so nothing repeats.
    assert Ledger(app.db).counts(send.id).sent == len(handler.received)
    app.close()

    assert start_sender(sender_env, log).wait(timeout=60) == 0, log.read_text("utf-8")
    counts = handler.per_recipient()
    assert len(counts) == READERS and set(counts.values()) == {1}
