"""CSRF protection for forms: a random token in the signed session, echoed by each form."""

from __future__ import annotations

import secrets

from starlette.requests import Request

from publisher.errors import PublisherError

FIELD = "csrf_token"


class CSRFError(PublisherError):
    """A form came without the token of the session that displayed it."""


def csrf_token(request: Request) -> str:
    """The session's token, created on first use; templates put it in a hidden field."""
    token = request.session.get(FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[FIELD] = token
    return token


def check_csrf(request: Request, form_value: object) -> None:
    """Raise CSRFError unless ``form_value`` is this session's token."""
    expected = request.session.get(FIELD)
    if (
        not expected
        or not isinstance(form_value, str)
        or not secrets.compare_digest(expected, form_value)
    ):
        raise CSRFError("this form has expired", "reload the page and try again")
