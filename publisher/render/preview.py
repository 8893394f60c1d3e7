"""A digest preview for editors: the exact message a subscriber would get, as an .eml file.

The message comes from ``publisher.deliver.message.MessageBuilder``, the one
place mail is built, so the preview has the real headers, List-Unsubscribe
and (when configured) the DKIM signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publisher.app import Publisher
from publisher.config import Settings
from publisher.deliver.message import MessageBuilder
from publisher.render.digest import render_digest
from publisher.render.files import write_atomic
from subscribers.links import placeholder_values


@dataclass(frozen=True)
class Preview:
    """Where a preview was written."""

    eml: Path
    html: Path
    subject: str


def preview_values(settings: Settings) -> dict[str, str]:
    """Personal fields for a preview: addressed to the sender, links marked as a preview."""
    return placeholder_values(settings.site.base_url, settings.email.from_address)


def default_preview_path(settings: Settings, publication_slug: str, number: int) -> Path:
    """``<data dir>/previews/<publication>-<number>.eml``."""
    return settings.data.dir / "previews" / f"{publication_slug}-{number}.eml"


def write_preview(
    app: Publisher, number: int, publication: str | None = None, out: Path | None = None
) -> Preview:
    """Write issue ``number``'s digest as a complete .eml, and its HTML beside it."""
    stored = app.archive.stored(number, publication)
    settings = app.settings
    digest = render_digest(settings, stored.issue, stored.publication_slug, stored.images)
    values = preview_values(settings)
    eml = out or default_preview_path(settings, stored.publication_slug, number)
    html = eml.with_suffix(".html")
    write_atomic(eml, MessageBuilder(settings, digest).render(values))
    write_atomic(html, digest.personalize(values)[0])
    return Preview(eml, html, digest.subject)
