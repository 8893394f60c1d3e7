"""The store of sends and their ledger: the only delivery module that talks SQL.

Every query is portable SQLAlchemy 2 (SQLite and PostgreSQL). The lease is a
conditional UPDATE, so whichever database serialises two senders, exactly one
of them sees its row count come back as 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from publisher.deliver.tables import (
    DEFERRED,
    DONE,
    FAILED,
    OPEN_STATES,
    QUEUED,
    SENDING,
    SENT,
    SKIPPED,
    DeliveryRow,
    SendRow,
)
from publisher.store.db import Database, UTCDateTime, utcnow
from publisher.store.tables import IssueRow, PublicationRow
from subscribers.model import Subscriber
from subscribers.tables import SubscriberRow

_deliveries = DeliveryRow.__table__
_sends = SendRow.__table__
# The columns behind each field of the subscriber model, in its order: plain rows
# are much cheaper to load than ORM objects, and this follows the model if it grows.
_SUBSCRIBER_COLUMNS = [getattr(SubscriberRow, f.name) for f in fields(Subscriber)]
# The send loop's writes, built once: building a statement costs more than running
# it on the handful of rows a send writes per commit, thousands of times a send.
_RECORD = (
    update(_deliveries)
    .where(
        _deliveries.c.send_id == bindparam("b_send"),
        _deliveries.c.subscriber_id == bindparam("b_subscriber"),
    )
    .values(
        email=bindparam("b_email"),
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        last_reply=bindparam("b_reply"),
        queue_id=bindparam("b_queue_id"),
        last_attempt_at=bindparam("b_now"),
        next_attempt_at=bindparam("b_next"),
    )
)
_RENEW = (
    update(_sends)
    .where(_sends.c.id == bindparam("b_send"), _sends.c.lease_owner == bindparam("b_owner"))
    .values(lease_expires_at=bindparam("b_expires"))
)


@dataclass(frozen=True)
class Counts:
    """How many ledger rows of a send are in each state."""

    queued: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        """Every recipient of the send."""
        return self.queued + self.sent + self.deferred + self.failed + self.skipped

    @property
    def open(self) -> int:
        """Recipients still waiting for a (further) attempt."""
        return self.queued + self.deferred

    @property
    def finished(self) -> int:
        """Recipients in a final state."""
        return self.total - self.open

    def as_dict(self) -> dict[str, int]:
        """The counts by state name, for JSON and templates."""
        return {
            QUEUED: self.queued,
            SENT: self.sent,
            DEFERRED: self.deferred,
            FAILED: self.failed,
            SKIPPED: self.skipped,
        }


@dataclass(frozen=True)
class SendInfo:
    """One send as stored, with the issue it is for."""

    id: int
    issue_id: int
    publication: str
    number: int
    cadence: str
    status: str
    recipients: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    lease_owner: str | None
    lease_expires_at: dt.datetime | None
    last_error: str | None


@dataclass(frozen=True)
class Recipient:
    """A ledger row due for an attempt, with its subscriber as they are now."""

    status: str  # the row's state: queued or deferred
    attempts: int
    subscriber: Subscriber  # as of now: someone may have left since the send began


@dataclass(frozen=True)
class Attempt:
    """The outcome of one attempt, to be written to the ledger."""

    subscriber_id: int
    email: str
    status: str
    attempts: int
    reply: str
    queue_id: str | None = None
    next_attempt_at: dt.datetime | None = None  # for deferred rows


@dataclass(frozen=True)
class DeliveryInfo:
    """One ledger row, for reports of what went wrong."""

    subscriber_id: int
    email: str
    status: str
    attempts: int
    last_reply: str | None
    last_attempt_at: dt.datetime | None
    next_attempt_at: dt.datetime


class Ledger:
    """Sends, their leases and their per-recipient ledger rows."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- sends -----------------------------------------------------------------

    def find_send(self, issue_id: int, cadence: str) -> SendInfo | None:
        """The send of this issue to subscribers of ``cadence``, if it was begun."""
        with self.db.session() as session:
            row = session.execute(
                _send_query().where(SendRow.issue_id == issue_id, SendRow.cadence == cadence)
            ).first()
            return None if row is None else _send_info(row)

    def get_send(self, send_id: int) -> SendInfo | None:
        """The send with this id, if any."""
        with self.db.session() as session:
            row = session.execute(_send_query().where(SendRow.id == send_id)).first()
            return None if row is None else _send_info(row)

    def sends_of_issue(self, issue_id: int) -> list[SendInfo]:
        """Every send of this issue, oldest first."""
        with self.db.session() as session:
            rows = session.execute(
                _send_query().where(SendRow.issue_id == issue_id).order_by(SendRow.id)
            )
            return [_send_info(row) for row in rows]

    def unfinished_sends(self) -> list[SendInfo]:
        """Sends that still have recipients to try: what a restarted service resumes."""
        with self.db.session() as session:
            rows = session.execute(
                _send_query().where(SendRow.status == SENDING).order_by(SendRow.id)
            )
            return [_send_info(row) for row in rows]

    def create_send(
        self,
        issue_id: int,
        cadence: str,
        audience: Select[tuple[int, str]],
    ) -> tuple[SendInfo, bool]:
        """Begin a send with a queued ledger row per ``(subscriber_id, email)`` of ``audience``.

        The send and all its rows are one transaction, the rows copied by one
        INSERT ... SELECT: a crash while listing the audience leaves no half-made
        send behind, and no subscriber passes through Python. If another process
        began the same send first, that send is returned instead (and ``False``).
        """
        existing = self.find_send(issue_id, cadence)
        if existing is not None:
            return existing, False
        now = utcnow()
        try:
            with self.db.session() as session:
                send_id = session.execute(
                    insert(_sends)
                    .values(issue_id=issue_id, cadence=cadence, status=SENDING, created_at=now)
                    .returning(_sends.c.id)
                ).scalar_one()
                who = audience.subquery()
                session.execute(
                    insert(_deliveries).from_select(
                        [
                            "send_id",
                            "subscriber_id",
                            "email",
                            "status",
                            "attempts",
                            "next_attempt_at",
                            "created_at",
                        ],
                        select(
                            literal(send_id, Integer),
                            *who.c,
                            literal(QUEUED, String),
                            literal(0, Integer),
                            literal(now, UTCDateTime),
                            literal(now, UTCDateTime),
                        ),
                    )
                )
                # Counted, not taken from rowcount: that came back -1 on PostgreSQL (psycopg).
                total = session.scalar(select(func.count()).where(_deliveries.c.send_id == send_id))
                session.execute(
                    update(_sends).where(_sends.c.id == send_id).values(recipients=total)
                )
        except IntegrityError:
            # Another sender created it between our look and our insert.
            raced = self.find_send(issue_id, cadence)
            if raced is None:
                raise
            return raced, False
        created = self.get_send(send_id)
        assert created is not None  # committed just above
        return created, True

    # -- the lease ---------------------------------------------------------------

    def acquire_lease(
        self, send_id: int, owner: str, seconds: float, *, replacing: str | None = None
    ) -> bool:
        """Take the send's lease if it is free, expired, already ours, or held by ``replacing``.

        ``replacing`` names a holder known to be dead; the condition on its name
        keeps two processes that both noticed from both taking over.
        """
        now = utcnow()
        with self.db.session() as session:
            result = session.execute(
                update(_sends)
                .where(
                    _sends.c.id == send_id,
                    or_(
                        _sends.c.lease_owner.is_(None),
                        _sends.c.lease_owner == owner,
                        _sends.c.lease_owner == replacing,
                        _sends.c.lease_expires_at < now,
                    ),
                )
                .values(
                    lease_owner=owner,
                    lease_expires_at=now + dt.timedelta(seconds=seconds),
                    started_at=func.coalesce(_sends.c.started_at, now),
                    last_error=None,
                )
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def renew_lease(self, send_id: int, owner: str, seconds: float) -> bool:
        """Extend our lease; False if it was lost (expired and taken by another)."""
        with self.db.session() as session:
            return _renew(session, send_id, owner, seconds)

    def release_lease(
        self, send_id: int, owner: str, counts: Counts, error: str | None = None
    ) -> None:
        """Give the lease up, storing the counts; a send with nothing open is done."""
        now = utcnow()
        values: dict[str, object] = {
            "lease_owner": None,
            "lease_expires_at": None,
            "sent": counts.sent,
            "deferred": counts.deferred,
            "failed": counts.failed,
            "skipped": counts.skipped,
            "last_error": error,
        }
        if counts.open == 0:
            values.update(status=DONE, finished_at=now)
        with self.db.session() as session:
            session.execute(
                update(_sends)
                .where(_sends.c.id == send_id, _sends.c.lease_owner == owner)
                .values(**values)
            )

    # -- the ledger --------------------------------------------------------------

    def due(self, send_id: int, after: int, limit: int) -> list[Recipient]:
        """Up to ``limit`` open rows due now, by subscriber id after ``after``."""
        query = (
            select(DeliveryRow.status, DeliveryRow.attempts, *_SUBSCRIBER_COLUMNS)
            .join(SubscriberRow, SubscriberRow.id == DeliveryRow.subscriber_id)
            .where(
                DeliveryRow.send_id == send_id,
                DeliveryRow.subscriber_id > after,
                DeliveryRow.status.in_(OPEN_STATES),
                DeliveryRow.next_attempt_at <= utcnow(),
            )
            .order_by(DeliveryRow.subscriber_id)
            .limit(limit)
        )
        with self.db.session() as session:
            return [
                Recipient(row[0], row[1], Subscriber(*row[2:])) for row in session.execute(query)
            ]

    def next_due_at(self, send_id: int) -> dt.datetime | None:
        """When the earliest open row of the send is due; None when none is open."""
        with self.db.session() as session:
            return session.scalar(
                select(func.min(DeliveryRow.next_attempt_at)).where(
                    DeliveryRow.send_id == send_id, DeliveryRow.status.in_(OPEN_STATES)
                )
            )

    def record(
        self, send_id: int, attempts: list[Attempt], owner: str, lease_seconds: float
    ) -> bool:
        """Write a batch of outcomes and renew the lease in one transaction.

        Returns whether the lease is still ours. The outcomes are written
        either way: they are facts about mail that already left.
        """
        now = utcnow()
        with self.db.transaction() as connection:
            if attempts:
                connection.execute(
                    _RECORD,
                    [
                        {
                            "b_send": send_id,
                            "b_subscriber": a.subscriber_id,
                            "b_email": a.email,
                            "b_status": a.status,
                            "b_attempts": a.attempts,
                            "b_reply": a.reply[:2000],
                            # A server's reply line may be 512 bytes; the column holds 200.
                            "b_queue_id": a.queue_id and a.queue_id[:200],
                            "b_now": now,
                            "b_next": a.next_attempt_at or now,
                        }
                        for a in attempts
                    ],
                )
            return _renew(connection, send_id, owner, lease_seconds)

    def counts(self, send_id: int) -> Counts:
        """The live count of ledger rows in each state."""
        with self.db.session() as session:
            rows = session.execute(
                select(DeliveryRow.status, func.count())
                .where(DeliveryRow.send_id == send_id)
                .group_by(DeliveryRow.status)
            )
            return Counts(**{status: count for status, count in rows})

    def problems(self, send_id: int, limit: int = 1000) -> list[DeliveryInfo]:
        """Failed, deferred and skipped rows of the send, by subscriber id."""
        with self.db.session() as session:
            rows = session.execute(
                select(
                    DeliveryRow.subscriber_id,
                    DeliveryRow.email,
                    DeliveryRow.status,
                    DeliveryRow.attempts,
                    DeliveryRow.last_reply,
                    DeliveryRow.last_attempt_at,
                    DeliveryRow.next_attempt_at,
                )
                .where(
                    DeliveryRow.send_id == send_id,
                    DeliveryRow.status.in_((FAILED, DEFERRED, SKIPPED)),
                )
                .order_by(DeliveryRow.subscriber_id)
                .limit(limit)
            )
            return [DeliveryInfo(*row) for row in rows]


def _renew(connection: Session | Connection, send_id: int, owner: str, seconds: float) -> bool:
    result = connection.execute(
        _RENEW,
        {
            "b_send": send_id,
            "b_owner": owner,
            "b_expires": utcnow() + dt.timedelta(seconds=seconds),
        },
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _send_query() -> Select[Any]:
    return (
        select(
            SendRow.id,
            SendRow.issue_id,
            PublicationRow.name,
            IssueRow.number,
            SendRow.cadence,
            SendRow.status,
            SendRow.recipients,
            SendRow.created_at,
            SendRow.started_at,
            SendRow.finished_at,
            SendRow.lease_owner,
            SendRow.lease_expires_at,
            SendRow.last_error,
        )
        .join(IssueRow, IssueRow.id == SendRow.issue_id)
        .join(PublicationRow, PublicationRow.id == IssueRow.publication_id)
    )


def _send_info(row: Row[Any]) -> SendInfo:
    return SendInfo(*row)
