"""The audience in the database: the only module of ``subscribers`` that talks SQL.

Every status change is written with an event row (when, from what, why), so
the history of a subscriber can always be told. Records are never deleted:
people who left stay as suppression entries that no import or form post can
silently resubscribe.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Literal

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from publisher.errors import ConflictError, NotFoundError, TokenError
from publisher.store.db import Database, utcnow
from subscribers.addresses import clean_name, email_key, normalize_address
from subscribers.model import (
    CADENCES,
    FORMATS,
    SOURCES,
    STATUSES,
    Cadence,
    Format,
    NewSubscriber,
    Source,
    Status,
    Subscriber,
    SubscriberEvent,
    check_choice,
)
from subscribers.tables import SubscriberEventRow, SubscriberRow
from subscribers.tokens import Purpose, Tokens

AddOutcome = Literal["added", "exists", "suppressed"]

# A confirmation email goes to one address at most this often, however many
# clients ask: a form cannot be used to flood someone's mailbox.
CONFIRM_RESEND_AFTER = dt.timedelta(minutes=5)
_CONFIRMATION_REQUESTED = "confirmation requested"

# When a subscriber enters one of these states, the matching timestamp is set.
_STAMPS = {
    "unsubscribed": "unsubscribed_at",
    "bounced": "bounced_at",
    "complained": "complained_at",
}


class SubscriberStore:
    """Subscribers of every publication, in one database.

    ``tokens`` is needed only by the methods that take a signed link
    (``subscribe`` flow: ``confirm``, ``unsubscribe_by_token``,
    ``update_preferences``, ``by_token``).
    """

    def __init__(
        self,
        db: Database,
        tokens: Tokens | None = None,
        *,
        confirm_resend_after: dt.timedelta = CONFIRM_RESEND_AFTER,
    ) -> None:
        self.db = db
        self.tokens = tokens
        self.confirm_resend_after = confirm_resend_after

    # -- reading ---------------------------------------------------------------

    def get(self, subscriber_id: int) -> Subscriber:
        """The subscriber with this id, or NotFoundError."""
        with self.db.session() as session:
            return _to_model(_row(session, subscriber_id))

    def find_by_email(self, email: str) -> Subscriber | None:
        """The subscriber with this address (in any letter case), if any."""
        key = email_key(normalize_address(email))
        with self.db.session() as session:
            row = _row_by_key(session, key)
            return None if row is None else _to_model(row)

    def get_by_email(self, email: str) -> Subscriber:
        """The subscriber with this address, or NotFoundError."""
        found = self.find_by_email(email)
        if found is None:
            raise NotFoundError(
                f"no subscriber with the address {email}",
                "see 'publisher subscribers list'",
            )
        return found

    def list(self, status: Status | None = None) -> builtins.list[Subscriber]:
        """Every subscriber (with ``status``, if given), oldest first; for small audiences."""
        return builtins.list(self.iter_subscribers(status=status))

    def iter_subscribers(
        self,
        *,
        status: Status | None = None,
        cadence: Cadence | None = None,
        batch_size: int = 1000,
    ) -> Iterator[Subscriber]:
        """Stream subscribers by id, ``batch_size`` rows per query, never all in memory.

        Keyset pagination (``id > last``) rather than OFFSET: each batch costs the
        same however far into the list we are, and each batch is its own short
        transaction, so a long send never holds the database.
        """
        if status is not None:
            check_choice(status, STATUSES, "status")
        if cadence is not None:
            check_choice(cadence, CADENCES, "cadence")
        last_id = 0
        while True:
            query = select(SubscriberRow).where(SubscriberRow.id > last_id)
            if status is not None:
                query = query.where(SubscriberRow.status == status)
            if cadence is not None:
                query = query.where(SubscriberRow.cadence == cadence)
            with self.db.session() as session:
                batch = [
                    _to_model(row)
                    for row in session.scalars(query.order_by(SubscriberRow.id).limit(batch_size))
                ]
            yield from batch
            if len(batch) < batch_size:
                return
            last_id = batch[-1].id

    def iter_active(
        self, batch_size: int = 1000, cadence: Cadence | None = None
    ) -> Iterator[Subscriber]:
        """Stream the subscribers digests go to (optionally only one cadence), by id."""
        return self.iter_subscribers(status="active", cadence=cadence, batch_size=batch_size)

    def audience(self, cadence: Cadence | None = None) -> Select[tuple[int, str]]:
        """Who a send goes to, as a query of ``(id, email)``: active subscribers of ``cadence``.

        A query rather than rows, so that the ledger copies the audience in one
        statement, however large it is.
        """
        if cadence is not None:
            check_choice(cadence, CADENCES, "cadence")
        query = select(SubscriberRow.id, SubscriberRow.email).where(
            SubscriberRow.status == "active"
        )
        return query if cadence is None else query.where(SubscriberRow.cadence == cadence)

    def count_by_status(self) -> dict[str, int]:
        """How many subscribers are in each status (every status present, zeros included)."""
        counts = dict.fromkeys(STATUSES, 0)
        with self.db.session() as session:
            query = select(SubscriberRow.status, func.count()).group_by(SubscriberRow.status)
            for status, count in session.execute(query):
                counts[status] = count
        return counts

    def history(self, subscriber_id: int) -> builtins.list[SubscriberEvent]:
        """Every change of this subscriber, oldest first."""
        with self.db.session() as session:
            _row(session, subscriber_id)
            rows = session.scalars(
                select(SubscriberEventRow)
                .where(SubscriberEventRow.subscriber_id == subscriber_id)
                .order_by(SubscriberEventRow.id)
            )
            return [
                SubscriberEvent(
                    subscriber_id=r.subscriber_id,
                    at=r.at,
                    old_status=r.old_status,  # type: ignore[arg-type]
                    new_status=r.new_status,  # type: ignore[arg-type]
                    reason=r.reason,
                )
                for r in rows
            ]

    # -- changing, by the operator or the delivery engine ----------------------

    def add(
        self,
        email: str,
        name: str | None = None,
        *,
        source: Source = "cli",
        status: Status = "active",
        cadence: Cadence = "issue",
        format: Format = "html",
    ) -> Subscriber:
        """Add one person; ConflictError if the address is already known (in any status)."""
        person = NewSubscriber(
            email=normalize_address(email),
            name=clean_name(name),
            status=check_choice(status, STATUSES, "status"),  # type: ignore[arg-type]
            cadence=check_choice(cadence, CADENCES, "cadence"),  # type: ignore[arg-type]
            format=check_choice(format, FORMATS, "format"),  # type: ignore[arg-type]
        )
        check_choice(source, SOURCES, "source")
        try:
            with self.db.session() as session:
                existing = _row_by_key(session, email_key(person.email))
                if existing is None:
                    row = _insert(session, person, source)
                    session.flush()  # assigns the id
                    return _to_model(row)
        except IntegrityError:
            pass  # someone added the same address a moment ago
        current = self.get_by_email(person.email)
        hint = (
            "they left or cannot be reached; the record is kept so they are not mailed again"
            if current.is_suppressed
            else "see 'publisher subscribers list'"
        )
        raise ConflictError(f"{current.email} is already a subscriber ({current.status})", hint)

    def add_many(
        self, people: Sequence[NewSubscriber], *, source: Source = "import"
    ) -> builtins.list[AddOutcome]:
        """Add validated people in one transaction, skipping every known address.

        Returns, for each person in order, whether they were added, already
        present, or present as a suppression entry (left, bounced, complained),
        which is never resubscribed. ``people`` must not repeat an address.
        """
        check_choice(source, SOURCES, "source")
        keys = [email_key(p.email) for p in people]
        try:
            with self.db.session() as session:
                known = {
                    row.email_key: row.status
                    for row in session.execute(
                        select(SubscriberRow.email_key, SubscriberRow.status).where(
                            SubscriberRow.email_key.in_(keys)
                        )
                    )
                }
                outcomes: builtins.list[AddOutcome] = []
                for person, key in zip(people, keys, strict=True):
                    if key not in known:
                        _insert(session, person, source)
                        outcomes.append("added")
                    elif known[key] in ("unsubscribed", "bounced", "complained"):
                        outcomes.append("suppressed")
                    else:
                        outcomes.append("exists")
                return outcomes
        except IntegrityError as e:
            raise ConflictError(
                "some of these addresses were added by another process meanwhile",
                "run the import again: addresses already present are skipped",
            ) from e

    def set_status(self, subscriber_id: int, status: Status, reason: str) -> Subscriber:
        """Move a subscriber to ``status``, recording when and why (no-op if already there)."""
        check_choice(status, STATUSES, "status")
        with self.db.session() as session:
            row = _row(session, subscriber_id)
            _change_status(session, row, status, reason)
            return _to_model(row)

    def unsubscribe(self, subscriber_id: int, reason: str = "unsubscribed") -> Subscriber:
        """Stop mailing this subscriber; the record stays as a suppression entry."""
        with self.db.session() as session:
            row = _row(session, subscriber_id)
            if row.status in ("pending", "active"):
                _change_status(session, row, "unsubscribed", reason)
            return _to_model(row)

    def remove(self, email: str, reason: str = "removed by the operator") -> Subscriber:
        """Unsubscribe the subscriber with this address (NotFoundError if unknown)."""
        return self.unsubscribe(self.get_by_email(email).id, reason)

    def mark_complained(self, subscriber_id: int, reason: str = "spam complaint") -> Subscriber:
        """Record that this subscriber reported a digest as spam: never mail them again."""
        return self.set_status(subscriber_id, "complained", reason)

    def record_hard_bounce(
        self, subscriber_id: int, threshold: int, reason: str = "hard bounce"
    ) -> Subscriber:
        """Count one permanent failure; at ``threshold`` of them the subscriber becomes bounced."""
        with self.db.session() as session:
            # Increment in SQL first: that takes the write lock, so concurrent
            # workers reporting bounces for one subscriber never lose a count.
            counted = session.execute(
                update(SubscriberRow)
                .where(SubscriberRow.id == subscriber_id)
                .values(hard_bounces=SubscriberRow.hard_bounces + 1, updated_at=utcnow())
            )
            if counted.rowcount == 0:  # type: ignore[attr-defined]
                raise _not_found(subscriber_id)
            row = _row(session, subscriber_id)
            if row.hard_bounces >= threshold and row.status in ("pending", "active"):
                _change_status(
                    session, row, "bounced", f"{reason} ({row.hard_bounces} of {threshold})"
                )
            return _to_model(row)

    # -- the double opt-in flow, for the web service ---------------------------

    def subscribe(
        self, email: str, name: str | None = None, source: Source = "form"
    ) -> tuple[Subscriber, bool]:
        """Register a request to subscribe; return the subscriber and whether to send a confirmation.

        A new address becomes ``pending``. A pending one, or one that left
        earlier, gets a new confirmation (coming back needs the link too),
        unless one was requested less than ``confirm_resend_after`` ago. An
        active address needs nothing; a bounced or complained one is never
        mailed from a form. The caller must answer every request the same way,
        so nobody learns whether an address was known.
        """
        address = normalize_address(email)
        person = NewSubscriber(email=address, name=clean_name(name), status="pending")
        check_choice(source, SOURCES, "source")
        try:
            return self._subscribe(person, source)
        except IntegrityError:
            # Two requests for one new address at once: the other inserted it; now it exists.
            return self._subscribe(person, source)

    def _subscribe(self, person: NewSubscriber, source: Source) -> tuple[Subscriber, bool]:
        key = email_key(person.email)
        with self.db.session() as session:
            # Lock the row before looking at it, so that two requests at once cannot both
            # decide to send a confirmation: a no-op UPDATE locks alike on SQLite and
            # PostgreSQL (where SELECT ... FOR UPDATE alone would do nothing on SQLite).
            session.execute(
                update(SubscriberRow)
                .where(SubscriberRow.email_key == key)
                .values(email_key=SubscriberRow.email_key)
            )
            row = _row_by_key(session, key)
            if row is None:
                row = _insert(session, person, source)
                session.flush()  # assigns the id
            elif row.status not in ("pending", "unsubscribed") or self._asked_lately(session, row):
                return _to_model(row), False
            _record(session, row, row.status, _CONFIRMATION_REQUESTED)
            return _to_model(row), True

    def _asked_lately(self, session: Session, row: SubscriberRow) -> bool:
        last = session.scalar(
            select(func.max(SubscriberEventRow.at)).where(
                SubscriberEventRow.subscriber_id == row.id,
                SubscriberEventRow.reason == _CONFIRMATION_REQUESTED,
            )
        )
        return last is not None and utcnow() - last < self.confirm_resend_after

    def confirm(self, token: str) -> Subscriber:
        """Activate the subscriber a confirmation link was made for (idempotent).

        A link older than the subscriber's last change of status is refused: it
        answered a request that a later unsubscribe (or bounce) has overtaken.
        """
        with self.db.session() as session:
            row = self._row_for_token(session, token, "confirm")
            if row.status in ("pending", "unsubscribed"):
                _change_status(session, row, "active", "confirmed by link")
                row.confirmed_at = row.updated_at
            return _to_model(row)

    def unsubscribe_by_token(self, token: str) -> Subscriber:
        """Unsubscribe the subscriber an unsubscribe link was made for (idempotent)."""
        with self.db.session() as session:
            row = self._row_for_token(session, token, "unsubscribe")
            if row.status in ("pending", "active"):
                _change_status(session, row, "unsubscribed", "unsubscribed by link")
            return _to_model(row)

    def update_preferences(
        self, token: str, cadence: Cadence | None = None, format: Format | None = None
    ) -> Subscriber:
        """Change the cadence and/or format of the subscriber a preferences link was made for."""
        if cadence is not None:
            check_choice(cadence, CADENCES, "cadence")
        if format is not None:
            check_choice(format, FORMATS, "format")
        with self.db.session() as session:
            row = self._row_for_token(session, token, "preferences")
            changes = [
                f"{field} {getattr(row, field)} → {value}"
                for field, value in (("cadence", cadence), ("format", format))
                if value is not None and value != getattr(row, field)
            ]
            if changes:
                row.cadence = cadence or row.cadence
                row.format = format or row.format
                row.updated_at = utcnow()
                _record(session, row, row.status, "preferences: " + ", ".join(changes))
            return _to_model(row)

    def by_token(self, token: str, purpose: Purpose) -> Subscriber:
        """The subscriber a link of ``purpose`` was made for (to show a page before acting)."""
        with self.db.session() as session:
            return _to_model(self._row_for_token(session, token, purpose))

    def _row_for_token(self, session: Session, token: str, purpose: Purpose) -> SubscriberRow:
        if self.tokens is None:
            raise TypeError("this SubscriberStore was built without tokens")
        claim = self.tokens.read(token, purpose)
        row = session.get(SubscriberRow, claim.subscriber_id)
        if row is None or not claim.matches(row.email):
            raise TokenError("this link is not valid", "use the link from your latest email")
        if purpose == "confirm" and _status_changed_after(session, row, claim.issued_at):
            raise TokenError(
                "this link was overtaken by a later change", "subscribe again for a new link"
            )
        return row


def _status_changed_after(session: Session, row: SubscriberRow, issued_at: int) -> bool:
    """Whether the status of ``row`` changed in a later second than ``issued_at``.

    Token times are whole seconds: a change within the second a link was made
    counts as before it.
    """
    last = session.scalar(
        select(func.max(SubscriberEventRow.at)).where(
            SubscriberEventRow.subscriber_id == row.id,
            or_(
                SubscriberEventRow.old_status.is_(None),
                SubscriberEventRow.old_status != SubscriberEventRow.new_status,
            ),
        )
    )
    return last is not None and int(last.timestamp()) > issued_at


def _row(session: Session, subscriber_id: int) -> SubscriberRow:
    row = session.get(SubscriberRow, subscriber_id)
    if row is None:
        raise _not_found(subscriber_id)
    return row


def _not_found(subscriber_id: int) -> NotFoundError:
    return NotFoundError(f"no subscriber with id {subscriber_id}")


def _row_by_key(session: Session, key: str) -> SubscriberRow | None:
    return session.scalar(select(SubscriberRow).where(SubscriberRow.email_key == key))


def _insert(session: Session, person: NewSubscriber, source: Source) -> SubscriberRow:
    now = utcnow()
    row = SubscriberRow(
        email=person.email,
        email_key=email_key(person.email),
        name=person.name,
        status=person.status,
        cadence=person.cadence,
        format=person.format,
        source=source,
        hard_bounces=0,
        created_at=now,
        updated_at=now,
    )
    stamp = _STAMPS.get(person.status)
    if stamp is not None:
        setattr(row, stamp, now)
    session.add(row)
    _record(session, row, None, f"added ({source})")
    return row


def _change_status(session: Session, row: SubscriberRow, status: Status, reason: str) -> None:
    if row.status == status:
        return
    old = row.status
    now = utcnow()
    row.status = status
    row.updated_at = now
    stamp = _STAMPS.get(status)
    if stamp is not None:
        setattr(row, stamp, now)
    if status == "active":
        row.hard_bounces = 0  # reinstated: old failures no longer count toward the threshold
    _record(session, row, old, reason)


def _record(session: Session, row: SubscriberRow, old: str | None, reason: str) -> None:
    # The event refers to the row object, not its id, so a whole import can be
    # added before one flush assigns every id.
    session.add(
        SubscriberEventRow(
            subscriber=row, at=utcnow(), old_status=old, new_status=row.status, reason=reason
        )
    )


def _to_model(row: SubscriberRow) -> Subscriber:
    return Subscriber(
        id=row.id,
        email=row.email,
        name=row.name,
        status=row.status,  # type: ignore[arg-type]
        cadence=row.cadence,  # type: ignore[arg-type]
        format=row.format,  # type: ignore[arg-type]
        source=row.source,  # type: ignore[arg-type]
        hard_bounces=row.hard_bounces,
        created_at=row.created_at,
        updated_at=row.updated_at,
        confirmed_at=row.confirmed_at,
        unsubscribed_at=row.unsubscribed_at,
        bounced_at=row.bounced_at,
        complained_at=row.complained_at,
    )
