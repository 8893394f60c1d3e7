"""The subscriber as the rest of the publisher sees it: pure data, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from publisher.errors import ValidationError

Status = Literal["pending", "active", "unsubscribed", "bounced", "complained"]
Cadence = Literal["issue", "weekly"]
Format = Literal["html", "text"]
Source = Literal["form", "import", "cli", "admin"]

STATUSES: tuple[Status, ...] = ("pending", "active", "unsubscribed", "bounced", "complained")
CADENCES: tuple[Cadence, ...] = ("issue", "weekly")  # every issue, or one digest a week
FORMATS: tuple[Format, ...] = ("html", "text")
SOURCES: tuple[Source, ...] = ("form", "import", "cli", "admin")

# People who left or whose mail failed: kept as records so nothing resubscribes them
# behind their back (an import, a repeated form post).
SUPPRESSED: frozenset[str] = frozenset({"unsubscribed", "bounced", "complained"})


@dataclass(frozen=True)
class Subscriber:
    """One person on the list and their preferences."""

    id: int
    email: str
    name: str | None
    status: Status
    cadence: Cadence
    format: Format
    source: Source
    hard_bounces: int
    created_at: dt.datetime
    updated_at: dt.datetime
    confirmed_at: dt.datetime | None = None
    unsubscribed_at: dt.datetime | None = None
    bounced_at: dt.datetime | None = None
    complained_at: dt.datetime | None = None

    @property
    def is_active(self) -> bool:
        """Whether digests go to this person."""
        return self.status == "active"

    @property
    def is_suppressed(self) -> bool:
        """Whether this person left or cannot be reached, and must not be resubscribed silently."""
        return self.status in SUPPRESSED


@dataclass(frozen=True)
class SubscriberEvent:
    """One change in a subscriber's history: a status change or new preferences."""

    subscriber_id: int
    at: dt.datetime
    old_status: Status | None  # None when the subscriber was created
    new_status: Status
    reason: str


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    """``value`` if it is one of ``choices``; otherwise a ValidationError naming them."""
    if value not in choices:
        raise ValidationError(f"unknown {what} {value!r}", f"use one of: {', '.join(choices)}")
    return value


@dataclass(frozen=True)
class NewSubscriber:
    """A person to add, already validated (see ``subscribers.addresses``)."""

    email: str
    name: str | None = None
    status: Status = "active"
    cadence: Cadence = "issue"
    format: Format = "html"
