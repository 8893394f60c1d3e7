"""Delivery as the command line, the scheduler and the web console call it.

This module only wires the library together: the issue from the archive, its
digest from the renderer, the audience from the subscriber store, messages
from ``message.MessageBuilder``, and the ``Engine`` with its ledger and
transport. Every decision lives in those modules.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from publisher.app import Publisher
from publisher.config import Settings
from publisher.deliver.engine import Engine, EngineOptions, ProgressCallback, SendBusyError
from publisher.deliver.ledger import Counts, DeliveryInfo, Ledger, Recipient, SendInfo
from publisher.deliver.message import MessageBuilder, make_message_id
from publisher.deliver.outbox import OutboxTransport
from publisher.deliver.retry import RetryPolicy
from publisher.deliver.smtp import SmtpTransport
from publisher.deliver.transport import Result, Transport
from publisher.deliver.urls import OutboxTarget, SmtpTarget, parse_delivery_urls
from publisher.digest import Digest
from publisher.render.digest import render_digest
from subscribers.addresses import normalize_address
from subscribers.links import placeholder_values
from subscribers.model import Cadence, Subscriber
from subscribers.store import SubscriberStore


@dataclass(frozen=True)
class SendReport:
    """Where a send stands after a run: its record and its counts."""

    send: SendInfo
    counts: Counts
    created: bool  # this call began the send (rather than resuming it)

    @property
    def complete(self) -> bool:
        """Nothing is left queued or deferred."""
        return self.counts.open == 0


@dataclass(frozen=True)
class DryRun:
    """What a send would do, without doing it."""

    publication: str
    number: int
    subject: str
    transport: str
    recipients: int  # who would get it now (or the open rows of a begun send)
    formats: dict[str, int]
    message_bytes: int  # size of one personalised HTML message
    existing: SendInfo | None
    counts: Counts | None


def open_transport(settings: Settings) -> Transport:
    """The transport for ``[delivery] url``: one outbox, or a pool over SMTP servers."""
    targets = parse_delivery_urls(settings.delivery_urls, Path.cwd())
    if len(targets) == 1 and isinstance(targets[0], OutboxTarget):
        return OutboxTransport(targets[0].path)
    return SmtpTransport([t for t in targets if isinstance(t, SmtpTarget)])


def issue_digest(app: Publisher, number: int, publication: str | None = None) -> Digest:
    """The digest of a stored issue, rendered once."""
    stored = app.archive.stored(number, publication)
    return render_digest(app.settings, stored.issue, stored.publication_slug, stored.images)


def begin_send(
    app: Publisher, number: int, publication: str | None = None, *, cadence: Cadence = "issue"
) -> tuple[SendInfo, bool]:
    """The send of an issue, created with its ledger if it does not exist yet.

    The audience is every subscriber active, with ``cadence``, at this moment.
    Returns the send and whether this call created it.
    """
    issue_id = app.archive.issue_id(number, publication)
    return Ledger(app.db).create_send(issue_id, cadence, app.subscribers.audience(cadence))


def run_send(
    app: Publisher,
    send: SendInfo,
    digest: Digest,
    *,
    transport: Transport | None = None,
    limit: int | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> Counts:
    """Work a begun send (see ``Engine.run``); the transport is closed afterwards if opened here."""
    own = transport is None
    transport = transport or open_transport(app.settings)
    try:
        engine = Engine(
            Ledger(app.db),
            transport,
            Composer(app, digest, send.id),
            engine_options(app.settings),
            on_bounce=BounceRecorder(app.subscribers, app.settings.subscribers.bounce_threshold),
        )
        return engine.run(send, limit=limit, on_progress=on_progress, stop=stop)
    finally:
        if own:
            transport.close()


def send_issue(
    app: Publisher,
    number: int,
    publication: str | None = None,
    *,
    cadence: Cadence = "issue",
    digest: Digest | None = None,
    limit: int | None = None,
    on_progress: ProgressCallback | None = None,
    on_begin: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> SendReport:
    """Begin or resume the send of an issue and work it: what ``publisher send`` does.

    ``digest`` defaults to the issue's own; the scheduler passes a weekly digest
    with ``cadence="weekly"``. ``on_begin`` gets the counts once the ledger
    exists, before the first message.
    """
    send, created = begin_send(app, number, publication, cadence=cadence)
    ledger = Ledger(app.db)
    if on_begin is not None:
        on_begin(ledger.counts(send.id))
    if send.status != "done":
        digest = digest or issue_digest(app, number, publication)
        run_send(app, send, digest, limit=limit, on_progress=on_progress, stop=stop)
    after = ledger.get_send(send.id)
    assert after is not None  # sends are never deleted
    return SendReport(after, ledger.counts(send.id), created)


def resume_unfinished(app: Publisher, stop: threading.Event | None = None) -> list[SendReport]:
    """Resume every send a crash or a restart interrupted (for the scheduler's start-up).

    Sends another live process holds are left to it. Weekly sends need their
    weekly digest: the scheduler resumes those itself with ``send_issue``.
    """
    reports = []
    for send in Ledger(app.db).unfinished_sends():
        if send.cadence != "issue":
            continue
        try:
            reports.append(send_issue(app, send.number, send.publication, stop=stop))
        except SendBusyError:
            continue  # a live process is on it
    return reports


def send_test(
    app: Publisher,
    number: int,
    to: str,
    publication: str | None = None,
    *,
    format: str = "html",
    transport: Transport | None = None,
) -> Result:
    """One digest of an issue to any address, outside the ledger (a preview for editors)."""
    address = normalize_address(to)
    builder = MessageBuilder(app.settings, issue_digest(app, number, publication))
    values = placeholder_values(app.settings.site.base_url, address)
    message = builder.render(values, format="text" if format == "text" else "html")
    own = transport is None
    transport = transport or open_transport(app.settings)
    try:
        return transport.send(message, builder.sender, address)
    finally:
        if own:
            transport.close()


def dry_run(
    app: Publisher, number: int, publication: str | None = None, *, cadence: Cadence = "issue"
) -> DryRun:
    """Count who would get the issue and build one message, sending nothing."""
    digest = issue_digest(app, number, publication)
    ledger = Ledger(app.db)
    existing = ledger.find_send(app.archive.issue_id(number, publication), cadence)
    formats: Counter[str] = Counter()
    sample: Subscriber | None = None
    for subscriber in app.subscribers.iter_active(app.settings.delivery.batch_size, cadence):
        formats[subscriber.format] += 1
        sample = sample or subscriber
    builder = MessageBuilder(app.settings, digest)
    values = (
        app.links.values(sample)
        if sample
        else placeholder_values(app.settings.site.base_url, app.settings.email.from_address)
    )
    counts = ledger.counts(existing.id) if existing else None
    return DryRun(
        publication=digest.publication,
        number=digest.number,
        subject=digest.subject,
        transport=", ".join(
            str(t) for t in parse_delivery_urls(app.settings.delivery_urls, Path.cwd())
        ),
        recipients=counts.open if counts else sum(formats.values()),
        formats=dict(formats),
        message_bytes=len(builder.render(values)),
        existing=existing,
        counts=counts,
    )


def progress(app: Publisher, send_id: int) -> Counts:
    """The live counts of a send, from the ledger (for the web console)."""
    return Ledger(app.db).counts(send_id)


def sends_of_issue(
    app: Publisher, number: int, publication: str | None = None
) -> list[tuple[SendInfo, Counts, list[DeliveryInfo]]]:
    """Every send of an issue with its live counts and its failed, deferred and skipped rows."""
    ledger = Ledger(app.db)
    return [
        (send, ledger.counts(send.id), ledger.problems(send.id))
        for send in ledger.sends_of_issue(app.archive.issue_id(number, publication))
    ]


def engine_options(settings: Settings) -> EngineOptions:
    """The engine's pacing from ``[delivery]``."""
    delivery = settings.delivery
    return EngineOptions(
        sender=settings.email.from_address,
        retry=RetryPolicy(
            first=delivery.retry_seconds,
            longest=delivery.retry_max_seconds,
            lifetime=delivery.lifetime_seconds,
        ),
        lease_seconds=delivery.lease_seconds,
        batch_size=delivery.batch_size,
        wait_seconds=delivery.wait_seconds,
    )


class Composer:
    """Turns one ledger recipient into the bytes of their digest."""

    def __init__(self, app: Publisher, digest: Digest, send_id: int) -> None:
        self.builder = MessageBuilder(app.settings, digest)
        self.links = app.links
        self.domain = app.settings.email.mail_domain
        self.send_id = send_id

    def __call__(self, recipient: Recipient) -> bytes:
        subscriber = recipient.subscriber
        return self.builder.render(
            self.links.values(subscriber),
            format="text" if subscriber.format == "text" else "html",
            # The same Message-ID on every retry: a receiver that got the first
            # attempt after all can recognise the second.
            message_id=make_message_id(self.domain, "digest", self.send_id, subscriber.id),
        )


class BounceRecorder:
    """Counts a hard bounce against a subscriber when a server refuses their address."""

    def __init__(self, store: SubscriberStore, threshold: int) -> None:
        self.store = store
        self.threshold = threshold

    def __call__(self, subscriber_id: int, reply: str) -> None:
        reason = f"hard bounce: {reply}"[:400]  # the event's reason column holds 500
        self.store.record_hard_bounce(subscriber_id, self.threshold, reason)
