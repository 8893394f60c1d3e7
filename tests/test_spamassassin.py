"""A delivered digest, as a real SMTP server received it, scored by SpamAssassin.

The message goes over loopback SMTP to aiosmtpd, and the bytes the server
received are scored with ``spamassassin -t -L`` (local tests only, no
network). The score must stay under 2.0 and no rule about malformed or
missing headers may fire.
"""

from __future__ import annotations

import re
import shutil
import smtplib
import socket
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.deliver.message import MessageBuilder, make_message_id, render_confirmation
from publisher.parse import parse_issue
from publisher.render.digest import render_digest

from .conftest import SAMPLE

SPAMASSASSIN = shutil.which("spamassassin")
pytestmark = pytest.mark.skipif(
    SPAMASSASSIN is None, reason="spamassassin is not installed (Debian package spamassassin)"
)

# Rules that mean a header is missing, malformed or invalid.
HEADER_RULE = re.compile(r"MISSING_|_MALFORMED|INVALID_|HEADER|MIME_|BAD_|FORGED_|_NO_")


class Collector:
    """An aiosmtpd handler that keeps every message's bytes as received."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.received.append(envelope.original_content)  # type: ignore[attr-defined]
        return "250 OK queued"


def free_port() -> int:
    # aiosmtpd's Controller cannot start on port 0 (its readiness check connects
    # to the port it was given), so ask the kernel for a free one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.fixture
def sender_app(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Publisher:
    for key, value in {
        "PUBLISHER_EMAIL_FROM_ADDRESS": "newsletter@xinjimo.cn",
        "PUBLISHER_EMAIL_FROM_NAME": "新即墨",
        "PUBLISHER_SITE_BASE_URL": "https://news.xinjimo.cn/",
    }.items():
        monkeypatch.setenv(key, value)
    app = Publisher(load_settings())
    yield app
    app.close()


def deliver(controller: Controller, message: bytes, recipient: str) -> None:
    with smtplib.SMTP(controller.hostname, controller.port) as smtp:
        smtp.sendmail("newsletter@xinjimo.cn", [recipient], message)


def spamassassin(message: bytes, home: Path) -> tuple[float, list[str]]:
    """The score and the names of the rules that fired."""
    result = subprocess.run(
        [SPAMASSASSIN, "-t", "-L"],
        input=message,
        capture_output=True,
        timeout=120,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        check=False,
    )
    report = result.stdout.decode("utf-8", "replace")
    status = re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+)", report, re.MULTILINE)
    assert status, report + result.stderr.decode("utf-8", "replace")
    rules = re.findall(r"^\s*-?\d+\.\d+\s+([A-Z0-9_]+)\s", report, re.MULTILINE)
    return float(status.group(1)), rules


def test_the_sample_digest_as_delivered_scores_low(
    sender_app: Publisher, smtp_server, tmp_path: Path
) -> None:
    controller, handler = smtp_server
    parsed = parse_issue(SAMPLE.read_text(encoding="utf-8"), SAMPLE.name)
    issue = sender_app.archive.save(parsed).issue  # as stored: articles have their slugs
    slug = sender_app.archive.publication_slug(issue.publication)
    digest = render_digest(sender_app.settings, issue, slug)
    subscriber = sender_app.subscribers.add("reader@example.org", "王小明")
    message = MessageBuilder(sender_app.settings, digest).render(
        sender_app.links.values(subscriber),
        message_id=make_message_id("xinjimo.cn", "send1", subscriber.id),
    )
    deliver(controller, message, subscriber.email)

    score, rules = spamassassin(handler.received[0], tmp_path)
    assert "HTML_MESSAGE" in rules  # the report was read, and the HTML part was seen
    assert score < 2.0, (score, rules)
    assert not [r for r in rules if HEADER_RULE.search(r)], rules


def test_the_confirmation_email_as_delivered_scores_low(
    sender_app: Publisher, smtp_server, tmp_path: Path
) -> None:
    controller, handler = smtp_server
    subscriber, _ = sender_app.subscribers.subscribe("reader@example.org", "王小明")
    message = render_confirmation(
        sender_app.settings, "新即墨", sender_app.links.confirmation_values(subscriber)
    )
    deliver(controller, message, subscriber.email)

    score, rules = spamassassin(handler.received[0], tmp_path)
    assert score < 2.0, (score, rules)
    assert not [r for r in rules if HEADER_RULE.search(r)], rules
