"""Reading what the outbox transport delivered: the messages as a mail client would see them."""

from __future__ import annotations

import email
import re
from email.message import EmailMessage
from email.policy import default
from pathlib import Path


def messages(data_dir: Path) -> list[EmailMessage]:
    """Every message in the outbox Maildir under ``data_dir``, oldest first."""
    files = sorted((data_dir / "outbox" / "new").glob("*"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes(), policy=default) for p in files]


def text_of(message: EmailMessage) -> str:
    """The text/plain body of ``message``."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def link(message: EmailMessage, purpose: str) -> str:
    """The first link of ``purpose`` (confirm, unsubscribe, preferences) in the message's text."""
    found = re.search(rf"https?://\S+/{purpose}/[\w.-]+", text_of(message))
    assert found, text_of(message)
    return found.group(0)
