"""The email digest of an issue: rendered with Jinja2 and inlined with premailer once per issue.

``render_digest`` returns a ``publisher.digest.Digest`` whose HTML and text
still hold the personal-field markers; delivery fills them per subscriber
with plain string joins and never comes back here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from premailer import Premailer

from publisher.config import Settings
from publisher.digest import FIELDS, Digest, Template, marker, new_nonce
from publisher.images import ImageInfo
from publisher.model import Issue
from publisher.render.templating import render
from publisher.render.text import TITLE_SEPARATOR, typeset
from publisher.render.view import IssueView, issue_view, stored_view
from publisher.store.archive import StoredIssue

PREHEADER_CHARS = 90
# Gmail hides everything after this many bytes of HTML behind "message clipped".
GMAIL_CLIP_BYTES = 102 * 1024


def render_digest(
    settings: Settings, issue: Issue, publication_slug: str, images: Sequence[ImageInfo] = ()
) -> Digest:
    """The digest of ``issue``, ready for ``Digest.personalize``.

    ``images`` are its stored figure files (``StoredIssue.images``): the
    digest links them where the site publishes them.
    """
    view = issue_view(issue, publication_slug, settings, images=images)
    return digest_of(view, full_text=settings.email.full_text)


def digest_of(view: IssueView, *, full_text: bool) -> Digest:
    """The digest of an issue view: the costly rendering, done once."""
    return _digest(_issue_context(view, full_text))


def render_weekly_digest(settings: Settings, issues: Sequence[StoredIssue]) -> Digest:
    """One digest of a week's issues (oldest first) for weekly subscribers: ledes only."""
    views = [stored_view(stored, settings) for stored in issues]
    first, lead = views[0], views[-1]
    span = f"{first.date_text}至{lead.date_text}" if len(views) > 1 else lead.date_text
    return _digest(
        {
            "issues": views,
            "lead": lead,
            "label": "一周要闻",
            "dateline": f"{span} 共{len(views)}期",
            "full_text": False,
            "subject": typeset(f"{lead.publication}|一周要闻({span},共{len(views)}期)"),
            "preheader": _shorten(TITLE_SEPARATOR.join(a.title for v in views for a in v.articles)),
        }
    )


def web_digest(view: IssueView, *, full_text: bool) -> str:
    """The digest as a public web page: the same layout, without anyone's personal links."""
    return inline_css(render("digest.html", **_issue_context(view, full_text), personal=None))


def _issue_context(view: IssueView, full_text: bool) -> dict[str, Any]:
    return {
        "issues": [view],
        "lead": view,
        "label": view.label,
        "dateline": view.dateline,
        "full_text": full_text,
        "subject": subject(view),
        "preheader": preheader(view),
    }


def _digest(context: dict[str, Any]) -> Digest:
    nonce = new_nonce()  # fresh each time: no article text can hold these markers
    personal = {field: marker(field, nonce) for field in FIELDS}
    lead: IssueView = context["lead"]
    return Digest(
        publication=lead.publication,
        publication_slug=lead.publication_slug,
        number=lead.number,
        subject=context["subject"],
        preheader=context["preheader"],
        html=Template.compile(
            inline_css(render("digest.html", **context, personal=personal)), nonce
        ),
        text=Template.compile(render("digest.txt", **context, personal=personal), nonce),
    )


def subject(view: IssueView) -> str:
    """The subject line: the issue and its lead story (already free of control characters)."""
    if not view.articles:
        return view.title
    lead = view.articles[0].title
    more = f" 等{len(view.articles)}篇" if len(view.articles) > 1 else ""
    return f"{view.title}|{lead}{more}"


def preheader(view: IssueView) -> str:
    """The line mail clients show after the subject: the date and the other headlines."""
    return _shorten(
        f"{view.dateline}\u3002" + TITLE_SEPARATOR.join(a.title for a in view.articles[1:])
    )


def _shorten(text: str) -> str:
    return text if len(text) <= PREHEADER_CHARS else text[: PREHEADER_CHARS - 1] + "…"


def inline_css(html: str) -> str:
    """``html`` with its stylesheet inlined into style attributes (media queries kept)."""
    return Premailer(
        html,
        disable_link_rewrites=True,
        remove_classes=False,
        strip_important=False,
        allow_network=False,
        cssutils_logging_level=logging.CRITICAL,
    ).transform()
