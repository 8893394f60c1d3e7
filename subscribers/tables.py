"""The subscriber tables, on the same database and declarative base as the archive."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.store.db import Base, UTCDateTime, utcnow


class SubscriberRow(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address as given (normalised by email-validator) and its lower-cased key,
    # which is what uniqueness is decided on.
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    cadence: Mapped[str] = mapped_column(String(10), default="issue")
    format: Mapped[str] = mapped_column(String(10), default="html")
    source: Mapped[str] = mapped_column(String(10), default="cli")
    hard_bounces: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    bounced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    complained_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SubscriberEventRow(Base):
    """Every change of a subscriber's status or preferences, when and why (an audit trail)."""

    __tablename__ = "subscriber_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    old_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    new_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500), default="")

    subscriber: Mapped[SubscriberRow] = relationship()
