"""The send loop: ledger rows in, messages through a transport, outcomes back to the ledger.

The engine knows three narrow things: the ``Ledger`` (which rows are due, what
became of them), a ``Transport`` (``send``/``close``) and a ``compose`` function
that turns one recipient into message bytes. It never decides who is in the
audience: that was fixed when the send was created.

Crash safety comes from the order of events. A row is marked sent only after
the server accepted its message, and a connection is given its next message
only after the outcome of its previous one is committed. So at any moment at
most ``concurrency`` messages are accepted-but-unrecorded: a kill -9 re-sends
at most that many on resume, and never skips anyone. Messages are built ahead
while the connections are busy; building sends nothing, so that is safe.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from publisher.deliver.ledger import Attempt, Counts, Ledger, Recipient, SendInfo
from publisher.deliver.retry import RetryPolicy
from publisher.deliver.tables import FAILED, SKIPPED
from publisher.deliver.transport import Completion, Outcome, Result, Transport, pipeline_for
from publisher.errors import DeliveryError, PublisherError, ValidationError
from publisher.store.db import utcnow

Compose = Callable[[Recipient], bytes]
ProgressCallback = Callable[[Counts], None]
BounceCallback = Callable[[int, str], None]  # subscriber id, the server's reply


class SendBusyError(DeliveryError):
    """Another process holds the lease of this send."""


class LeaseLostError(DeliveryError):
    """This process stopped renewing its lease in time and another sender took over."""


@dataclass(frozen=True)
class EngineOptions:
    """How the loop paces itself; defaults match ``[delivery]``."""

    sender: str  # the envelope sender (MAIL FROM): where bounces go
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease_seconds: float = 60.0
    batch_size: int = 500
    wait_seconds: float = 900.0  # the longest a run waits for retries not yet due


def lease_owner() -> str:
    """A name for this process's leases: host and pid for people, a nonce for uniqueness."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def owner_is_dead(owner: str) -> bool:
    """Whether a lease owner is a process on this host that no longer runs.

    Owners on other hosts cannot be checked: their leases simply expire.
    """
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another engine of this very process: alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, under another user
    return False


class Engine:
    """Runs sends: one ``run`` call works one send until nothing is due within reach."""

    def __init__(
        self,
        ledger: Ledger,
        transport: Transport,
        compose: Compose,
        options: EngineOptions,
        *,
        on_bounce: BounceCallback | None = None,
        owner: str | None = None,
    ) -> None:
        self.ledger = ledger
        self.transport = transport
        self.compose = compose
        self.options = options
        self.on_bounce = on_bounce
        self.owner = owner or lease_owner()

    def run(
        self,
        send: SendInfo,
        *,
        limit: int | None = None,
        on_progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> Counts:
        """Deliver the send's due rows; returns the counts when this run ends.

        The run ends when every row is final, when only retries later than
        ``wait_seconds`` remain, after ``limit`` attempts, or when ``stop`` is
        set. Raises ``SendBusyError`` if another process is sending it.
        """
        if not self._take_lease(send):
            current = self.ledger.get_send(send.id)
            raise SendBusyError(
                f"issue {send.number} of {send.publication} is being sent by "
                f"{current.lease_owner if current else 'another process'}",
                "wait for it to finish; if that process died, its lease expires within "
                f"{self.options.lease_seconds:g} seconds and 'publisher send' resumes",
            )
        error: str | None = None
        try:
            loop = _Loop(self, send, limit, on_progress or _ignore, stop or threading.Event())
            return loop.run()
        except PublisherError as e:
            error = str(e)
            raise
        except BaseException as e:
            error = f"{type(e).__name__}: {e}"
            raise
        finally:
            try:
                self.ledger.release_lease(send.id, self.owner, self.ledger.counts(send.id), error)
            except Exception:
                # A run that already failed (a second Ctrl-C may even have cut a commit
                # short) must not hide why behind a failed release: a lease left behind
                # expires, or is recognised as a dead process's, and the send resumes.
                if error is None:
                    raise

    def _take_lease(self, send: SendInfo) -> bool:
        seconds = self.options.lease_seconds
        if self.ledger.acquire_lease(send.id, self.owner, seconds):
            return True
        current = self.ledger.get_send(send.id)
        holder = current.lease_owner if current else None
        # A holder killed on this machine will never renew: no need to wait out its lease.
        return (
            holder is not None
            and owner_is_dead(holder)
            and self.ledger.acquire_lease(send.id, self.owner, seconds, replacing=holder)
        )


class _Loop:
    """The state of one run: the cursor over due rows, what is in flight, the counts."""

    def __init__(
        self,
        engine: Engine,
        send: SendInfo,
        limit: int | None,
        on_progress: ProgressCallback,
        stop: threading.Event,
    ) -> None:
        self.engine = engine
        self.ledger = engine.ledger
        self.options = engine.options
        self.send = send
        self.budget = limit
        self.on_progress = on_progress
        self.stop = stop
        self.pipeline = pipeline_for(engine.transport, self.options.sender)
        self.slots = self.pipeline.capacity
        self.group = max(1, self.slots // 4)  # outcomes gathered per commit
        self.in_flight: dict[int, Recipient] = {}  # by subscriber id
        self.ready: deque[tuple[Recipient, bytes]] = deque()  # built, not yet handed over
        self.batch: deque[Recipient] = deque()  # due rows read, not yet built
        self.cursor = 0  # the last subscriber id read in this pass
        self.exhausted = False  # this pass has read every due row
        self.unrecorded: list[tuple[Attempt, str]] = []  # with the row's state before
        self.bounces: list[tuple[int, str]] = []
        self.failure: BaseException | None = None
        self.counts = self.ledger.counts(send.id)
        self.renew_every = self.options.lease_seconds / 3
        self.renewed_at = time.monotonic()

    def run(self) -> Counts:
        self.on_progress(self.counts)
        try:
            self._passes()
        except KeyboardInterrupt:
            # Abandoned on request (a second Ctrl-C): keep what is known and go.
            # Messages still in flight may be sent again when the send resumes.
            # The interrupt may have cut a commit short: what cannot be written
            # now is sent again later, as after a kill -9, so leave quietly.
            with contextlib.suppress(Exception):
                self._record()
            raise
        except BaseException:
            # An error: the messages in flight may have been accepted, so wait
            # for their outcomes and write them down before giving up.
            self._settle()
            raise
        finally:
            self.pipeline.close()
        self._settle()
        if self.failure is not None:
            raise self.failure
        return self.counts

    def _passes(self) -> None:
        """Sweep the due rows by subscriber id; between sweeps, wait for retries."""
        while True:
            self._sweep()
            if self.failure is not None or self.stop.is_set() or self.budget == 0:
                return
            next_due = self.ledger.next_due_at(self.send.id)
            if next_due is None:
                return
            wait = (next_due - utcnow()).total_seconds()
            if wait > self.options.wait_seconds:
                return
            self._pause(wait)

    def _sweep(self) -> None:
        """One pass over the rows due now, keeping every connection busy."""
        self.cursor, self.exhausted = 0, False
        self.batch.clear()
        self.ready.clear()
        while True:
            while self._may_start() and self._prepare():
                recipient, message = self.ready.popleft()
                subscriber = recipient.subscriber
                self.pipeline.submit(subscriber.id, message, subscriber.email)
                self.in_flight[subscriber.id] = recipient
                if self.budget is not None:
                    self.budget -= 1
            if not self.in_flight:
                self._record()
                if self._may_start() and (self.ready or self.batch or not self.exhausted):
                    continue
                return
            self._collect()
            if self._commit_due():
                self._record()

    def _may_start(self) -> bool:
        # Outcomes not yet committed hold their connection: so accepted-but-unrecorded
        # messages never outnumber the connections, whatever a crash interrupts.
        # The pipeline's capacity, not ``slots``: it shrinks when a server is given up.
        return (
            len(self.in_flight) + len(self.unrecorded) < self.pipeline.capacity
            and self.failure is None
            and self.budget != 0
            and not self.stop.is_set()
        )

    def _commit_due(self) -> bool:
        """Whether to commit now rather than gather a few more outcomes first.

        A commit costs about the same for one row as for a dozen; gathering a
        quarter of the pool's outcomes per commit, while the main thread builds
        messages ahead, keeps the connections fed at a fraction of the cost.
        """
        return (
            len(self.unrecorded) >= self.group
            or len(self.in_flight) < self.slots // 2
            or not self._may_prepare_ahead()
        )

    def _prepare(self) -> bool:
        """Have one message ready to go; False when this pass has nobody left."""
        while not self.ready:
            recipient = self._next_due()
            if recipient is None:
                return False
            self._compose(recipient)
        return True

    def _may_prepare_ahead(self) -> bool:
        wanted = self.slots if self.budget is None else min(self.slots, self.budget)
        return (
            len(self.ready) < wanted
            and (bool(self.batch) or not self.exhausted)
            and self.failure is None
            and not self.stop.is_set()
        )

    def _next_due(self) -> Recipient | None:
        if not self.batch:
            if self.exhausted:
                return None
            self.batch.extend(self.ledger.due(self.send.id, self.cursor, self.options.batch_size))
            if not self.batch:
                self.exhausted = True
                return None
            self.cursor = self.batch[-1].subscriber.id
        return self.batch.popleft()

    def _compose(self, recipient: Recipient) -> None:
        """Build one message into ``ready``, or settle the row if there is nothing to send."""
        if recipient.subscriber.status != "active":
            self.unrecorded.append((_skipped(recipient), recipient.status))
            return
        try:
            message = self.engine.compose(recipient)
        except ValidationError as e:
            # This subscriber's data cannot make a valid message (e.g. an address
            # the builder refuses): a failure for them, not for the send.
            self._done(recipient, Result(Outcome.FAILED, f"not sent: {e}"), from_server=False)
            return
        self.ready.append((recipient, message))

    def _collect(self) -> None:
        """Take in the outcomes that arrive, building the next messages while waiting.

        Building ahead uses the time the connections are busy, so a freed
        connection gets its next message as soon as the last outcome is recorded.
        """
        done: list[Completion] = []
        while not done:
            if self._may_prepare_ahead():
                done = self.pipeline.completed(timeout=0)
                if not done and self._next_ready():
                    continue
            else:
                done = self.pipeline.completed(timeout=self.renew_every)
                if not done:
                    self._record()  # renews the lease while the servers are slow
        for tag, outcome in done:
            recipient = self.in_flight.pop(tag)
            if isinstance(outcome, BaseException):
                self.failure = self.failure or outcome
            else:
                self._done(recipient, outcome, from_server=True)

    def _next_ready(self) -> bool:
        """Build one more message ahead; False if there was none to build."""
        recipient = self._next_due()
        if recipient is None:
            return False
        self._compose(recipient)
        return True

    def _done(self, recipient: Recipient, result: Result, *, from_server: bool) -> None:
        attempt = self._outcome(recipient, result)
        self.unrecorded.append((attempt, recipient.status))
        # Only the server's own permanent refusal is a hard bounce; giving up on a
        # deferral, or a message we could not even build, says nothing of the address.
        if from_server and result.outcome == Outcome.FAILED:
            self.bounces.append((attempt.subscriber_id, attempt.reply))

    def _outcome(self, recipient: Recipient, result: Result) -> Attempt:
        attempts = recipient.attempts + 1
        attempt = Attempt(
            subscriber_id=recipient.subscriber.id,
            email=recipient.subscriber.email,
            status=str(result.outcome),
            attempts=attempts,
            reply=result.reply,
            queue_id=result.queue_id,
        )
        if result.outcome != Outcome.DEFERRED:
            return attempt
        retry_at = self.options.retry.next_attempt(attempts, utcnow(), self.send.created_at)
        if retry_at is None:
            reply = f"gave up after {attempts} attempts; last reply: {result.reply}"
            return replace(attempt, status=FAILED, reply=reply)
        return replace(attempt, next_attempt_at=retry_at)

    def _record(self) -> None:
        """Commit the outcomes gathered so far in one transaction, renewing the lease."""
        due_renewal = time.monotonic() - self.renewed_at >= self.renew_every
        if not self.unrecorded and not due_renewal:
            return
        moves, self.unrecorded = self.unrecorded, []
        still_ours = self.ledger.record(
            self.send.id,
            [attempt for attempt, _ in moves],
            self.engine.owner,
            self.options.lease_seconds,
        )
        self.renewed_at = time.monotonic()
        # Bounces are counted after the commit: a crash in between under-counts
        # one bounce, which is kinder than counting one twice.
        bounces, self.bounces = self.bounces, []
        if self.engine.on_bounce is not None:
            for subscriber_id, reply in bounces:
                self.engine.on_bounce(subscriber_id, reply)
        if moves:
            self.counts = _moved(self.counts, moves)
            self.on_progress(self.counts)
        if not still_ours:
            self.failure = self.failure or LeaseLostError(
                f"the lease of send {self.send.id} was taken over by another sender",
                f"a run must renew it within [delivery] lease_seconds "
                f"({self.options.lease_seconds:g}); raise it if the database is slow",
            )

    def _pause(self, seconds: float) -> None:
        """Sleep until retries are due, renewing the lease; wake early on stop."""
        deadline = time.monotonic() + max(seconds, 0.0)
        while not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.stop.wait(min(left, self.renew_every))
            self._record()
            if self.failure is not None:
                return

    def _settle(self) -> None:
        while self.in_flight:
            self._collect()
        self._record()


def _skipped(recipient: Recipient) -> Attempt:
    subscriber = recipient.subscriber
    return Attempt(
        subscriber_id=subscriber.id,
        email=subscriber.email,
        status=SKIPPED,
        attempts=recipient.attempts,
        reply=f"not sent: the subscriber became {subscriber.status} after the send began",
    )


def _moved(counts: Counts, moves: list[tuple[Attempt, str]]) -> Counts:
    """``counts`` after each row moved from its previous state to its attempt's state."""
    tally = counts.as_dict()
    for attempt, previous in moves:
        tally[previous] -= 1
        tally[attempt.status] += 1
    return Counts(**tally)


def _ignore(_counts: Counts) -> None:
    """The progress callback when nobody watches."""
