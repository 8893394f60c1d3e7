"""A delivered digest, as a real SMTP server received it, scored by SpamAssassin.

The message goes over loopback SMTP to aiosmtpd, and the bytes the server
received are scored with ``spamassassin -t -L`` (local tests only, no
network). The score must stay under 2.0 and no rule about malformed or
missing headers may fire.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.deliver.service import send_issue
from publisher.ingest import ingest_files
from publisher.service import Service

from .conftest import SAMPLE
from .smtp import Recorder, smtp_server

SPAMASSASSIN = shutil.which("spamassassin")
pytestmark = pytest.mark.skipif(
    SPAMASSASSIN is None, reason="spamassassin is not installed (Debian package spamassassin)"
)

# Rules that mean a header is missing, malformed or invalid.
HEADER_RULE = re.compile(r"MISSING_|_MALFORMED|INVALID_|HEADER|MIME_|BAD_|FORGED_|_NO_")


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    handler = Recorder()
    with smtp_server(handler) as controller:
        yield handler, controller.port


@pytest.fixture
def sender_app(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, smtp: tuple[Recorder, int]
) -> Publisher:
    for key, value in {
        "PUBLISHER_EMAIL_FROM_ADDRESS": "newsletter@xinjimo.cn",
        "PUBLISHER_EMAIL_FROM_NAME": "新即墨",
        "PUBLISHER_SITE_BASE_URL": "https://news.xinjimo.cn/",
        "PUBLISHER_DELIVERY_URL": f"smtp://127.0.0.1:{smtp[1]}",
    }.items():
        monkeypatch.setenv(key, value)
    app = Publisher(load_settings())
    yield app
    app.close()


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
    sender_app: Publisher, smtp: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, _ = smtp
    ingest_files(sender_app, [SAMPLE])
    sender_app.subscribers.add("reader@example.org", "王小明")
    assert send_issue(sender_app, 2890).counts.sent == 1  # through the real SMTP transport

    ((_, received),) = handler.received
    score, rules = spamassassin(received, tmp_path)
    assert "HTML_MESSAGE" in rules  # the report was read, and the HTML part was seen
    assert score < 2.0, (score, rules)
    assert not [r for r in rules if HEADER_RULE.search(r)], rules


def test_the_confirmation_email_as_delivered_scores_low(
    sender_app: Publisher, smtp: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, _ = smtp
    ingest_files(sender_app, [SAMPLE])  # the publication's name comes from the archive
    subscriber, _ = sender_app.subscribers.subscribe("reader@example.org", "王小明")
    Service(sender_app, scheduler=False).send_confirmation(subscriber)

    ((_, received),) = handler.received
    score, rules = spamassassin(received, tmp_path)
    assert rules, "no rule lines were read from the report"  # else the next check proves nothing
    assert score < 2.0, (score, rules)
    assert not [r for r in rules if HEADER_RULE.search(r)], rules
