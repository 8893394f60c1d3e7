"""The ledger, the lease and the engine's loop, with an in-process transport."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time

import pytest

from publisher.app import Publisher
from publisher.deliver.engine import (
    Engine,
    EngineOptions,
    LeaseLostError,
    SendBusyError,
    owner_is_dead,
)
from publisher.deliver.ledger import Attempt, Counts, Ledger, Recipient
from publisher.deliver.ratelimit import RateLimiter
from publisher.deliver.retry import RetryPolicy
from publisher.deliver.service import begin_send
from publisher.deliver.transport import Outcome, Result
from publisher.ingest import ingest_files
from subscribers.model import NewSubscriber

from .conftest import SAMPLE


class Accepting:
    """A transport that accepts everything and remembers who it was for."""

    concurrency = 3
    description = "memory"

    def __init__(self, on_send: object = None) -> None:
        self.recipients: list[str] = []
        self.lock = threading.Lock()
        self.on_send = on_send

    def send(self, message: bytes, sender: str, recipient: str) -> Result:
        with self.lock:
            self.recipients.append(recipient)
            count = len(self.recipients)
        if callable(self.on_send):
            self.on_send(count)
        return Result(Outcome.SENT, "250 ok", f"q{count}")

    def close(self) -> None:
        pass


@pytest.fixture
def audience(app: Publisher) -> Publisher:
    ingest_files(app, [SAMPLE])
    app.subscribers.add_many(
        [NewSubscriber(email=f"reader{i}@example.com") for i in range(10)]
        + [
            NewSubscriber(email="weekly@example.com", cadence="weekly"),
            NewSubscriber(email="pending@example.com", status="pending"),
        ]
    )
    return app


def engine(app: Publisher, transport: Accepting, **options: object) -> Engine:
    return Engine(
        Ledger(app.db),
        transport,
        lambda recipient: recipient.subscriber.email.encode(),
        EngineOptions(sender="news@example.cn", batch_size=4, **options),  # type: ignore[arg-type]
    )


def test_a_send_is_created_once_with_a_row_per_active_subscriber_of_its_cadence(
    audience: Publisher,
) -> None:
    send, created = begin_send(audience, 2890)
    again, created_again = begin_send(audience, 2890)
    assert (created, created_again) == (True, False) and again.id == send.id
    assert send.recipients == 10 and Ledger(audience.db).counts(send.id) == Counts(queued=10)
    weekly, _ = begin_send(audience, 2890, cadence="weekly")
    assert weekly.id != send.id and weekly.recipients == 1


def test_concurrent_beginnings_make_one_send(audience: Publisher) -> None:
    ids: list[int] = []
    threads = [
        threading.Thread(target=lambda: ids.append(begin_send(audience, 2890)[0].id))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1 and Ledger(audience.db).counts(ids[0]).total == 10


def test_the_lease_is_exclusive_until_it_expires(audience: Publisher) -> None:
    ledger = Ledger(audience.db)
    send, _ = begin_send(audience, 2890)
    assert ledger.acquire_lease(send.id, "a", 0.2)
    assert not ledger.acquire_lease(send.id, "b", 0.2)
    assert ledger.renew_lease(send.id, "a", 0.2) and ledger.acquire_lease(send.id, "a", 0.2)
    time.sleep(0.3)
    assert ledger.acquire_lease(send.id, "b", 60)  # a stopped renewing: b takes over
    assert not ledger.renew_lease(send.id, "a", 60)
    ledger.release_lease(send.id, "a", Counts(queued=10))  # a late release changes nothing
    assert ledger.get_send(send.id).lease_owner == "b"  # type: ignore[union-attr]
    assert ledger.acquire_lease(send.id, "c", 60, replacing="b")  # b was found dead


def test_a_holder_killed_on_this_host_is_dead_and_others_are_not() -> None:
    host = socket.gethostname()
    gone = max(int(p) for p in os.listdir("/proc") if p.isdigit()) + 100_000
    assert owner_is_dead(f"{host}:{gone}:ab12")
    assert not owner_is_dead(f"{host}:{os.getpid()}:ab12")
    assert not owner_is_dead(f"{host}:1:ab12")  # alive
    assert not owner_is_dead(f"elsewhere.example:{gone}:ab12")  # cannot tell: let it expire


def test_a_run_reports_progress_and_honours_limit_and_busy_lease(audience: Publisher) -> None:
    send, _ = begin_send(audience, 2890)
    transport = Accepting()
    seen: list[Counts] = []
    counts = engine(audience, transport).run(send, limit=4, on_progress=seen.append)
    assert (counts.sent, counts.queued) == (4, 6) and len(transport.recipients) == 4
    assert seen[0] == Counts(queued=10) and seen[-1] == counts
    assert all(c.total == 10 for c in seen)
    assert Ledger(audience.db).get_send(send.id).status == "sending"  # type: ignore[union-attr]

    Ledger(audience.db).acquire_lease(send.id, "someone-else:1:x", 60)
    with pytest.raises(SendBusyError, match="being sent by someone-else"):
        engine(audience, Accepting()).run(send)


def test_a_run_whose_lease_was_taken_stops_and_keeps_what_it_sent(audience: Publisher) -> None:
    send, _ = begin_send(audience, 2890)
    ledger = Ledger(audience.db)
    runner = engine(audience, Accepting(), lease_seconds=60)

    def steal(count: int) -> None:
        if count == 2:
            ledger.acquire_lease(send.id, "thief", 60, replacing=runner.owner)

    runner.transport = Accepting(on_send=steal)
    with pytest.raises(LeaseLostError):
        runner.run(send)
    sent = ledger.counts(send.id).sent
    assert 2 <= sent == len(runner.transport.recipients) < 10  # type: ignore[attr-defined]
    assert ledger.get_send(send.id).lease_owner == "thief"  # type: ignore[union-attr]


def test_a_stop_request_ends_the_run_with_everything_recorded(audience: Publisher) -> None:
    send, _ = begin_send(audience, 2890)
    stop = threading.Event()
    transport = Accepting(on_send=lambda count: count == 3 and stop.set())
    counts = engine(audience, transport).run(send, stop=stop)
    assert counts.sent == len(transport.recipients) < 10
    assert counts == Ledger(audience.db).counts(send.id)


def test_retries_back_off_exponentially_up_to_a_cap_until_the_lifetime() -> None:
    policy = RetryPolicy(first=60, longest=600, lifetime=3600)
    began = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
    pauses = [
        (policy.next_attempt(n, began, began) - began).total_seconds()  # type: ignore[operator]
        for n in range(1, 7)
    ]
    assert pauses == [60, 120, 240, 480, 600, 600]
    assert policy.next_attempt(3, began + dt.timedelta(minutes=59), began) is None
    assert policy.next_attempt(10_000, began, began) is not None  # no overflow


def test_the_rate_limit_spaces_message_slots() -> None:
    clock = [0.0]
    limiter = RateLimiter(4, clock=lambda: clock[0])
    assert [limiter.reserve() for _ in range(5)] == [0.0, 0.25, 0.5, 0.75, 1.0]
    clock[0] = 10.0  # long after: the next slot is now, not owed from before
    assert limiter.reserve() == 0.0
    assert RateLimiter(0).reserve() == 0.0  # no limit


def test_recipients_carry_the_subscriber_as_now(audience: Publisher) -> None:
    send, _ = begin_send(audience, 2890)
    audience.subscribers.remove("reader0@example.com")
    first: Recipient = Ledger(audience.db).due(send.id, 0, 1)[0]
    assert (first.status, first.attempts) == ("queued", 0)
    assert (first.subscriber.email, first.subscriber.status) == (
        "reader0@example.com",
        "unsubscribed",
    )


def test_an_overlong_queue_id_is_recorded_cut(audience: Publisher) -> None:
    # The mail has left: its outcome must be written, even where PostgreSQL
    # enforces the column's length.
    send, _ = begin_send(audience, 2890)
    ledger = Ledger(audience.db)
    assert ledger.acquire_lease(send.id, "test:1:x", 60)
    (due,) = ledger.due(send.id, 0, 1)
    queue_id = "Q" * 480
    reply = f"250 ok queued as {queue_id}"
    attempt = Attempt(due.subscriber.id, due.subscriber.email, "sent", 1, reply, queue_id)
    assert ledger.record(send.id, [attempt], "test:1:x", 60)
    assert ledger.counts(send.id).sent == 1
