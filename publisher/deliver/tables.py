"""Tables of delivery: one row per send of an issue, one ledger row per recipient of a send."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from publisher.store.db import Base, UTCDateTime, utcnow

# Ledger states. A row is created queued before anyone tries it; sent, failed and
# skipped are final; deferred rows are tried again until their lifetime runs out.
QUEUED, SENT, DEFERRED, FAILED, SKIPPED = "queued", "sent", "deferred", "failed", "skipped"
STATES = (QUEUED, SENT, DEFERRED, FAILED, SKIPPED)
OPEN_STATES = (QUEUED, DEFERRED)

# Send states: sending until every ledger row is final, then done.
SENDING, DONE = "sending", "done"


class SendRow(Base):
    """One send of an issue's digest to the subscribers of one cadence."""

    __tablename__ = "sends"
    # One send per issue and cadence: a second 'publisher send' resumes it.
    __table_args__ = (UniqueConstraint("issue_id", "cadence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    cadence: Mapped[str] = mapped_column(String(10), default="issue")
    status: Mapped[str] = mapped_column(String(10), default=SENDING, index=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    # Counts as of the end of the last run; the ledger itself is the live truth.
    sent: Mapped[int] = mapped_column(Integer, default=0)
    deferred: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Whoever holds an unexpired lease is the only process that may send.
    lease_owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class DeliveryRow(Base):
    """The ledger: what became of one send to one subscriber."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_state", "send_id", "status", "next_attempt_at"),)

    send_id: Mapped[int] = mapped_column(
        ForeignKey("sends.id", ondelete="CASCADE"), primary_key=True
    )
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))  # where the last attempt went
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_reply: Mapped[str | None] = mapped_column(Text, nullable=True)
    queue_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
