"""The personal values of one subscriber: what fills the markers of a rendered digest.

The web service serves the three paths made here: ``confirm/<token>``,
``unsubscribe/<token>`` and ``preferences/<token>`` under ``[site] base_url``.
"""

from __future__ import annotations

from subscribers.model import Subscriber
from subscribers.tokens import Purpose, Tokens


class Links:
    """Signed links for subscribers, under one base URL."""

    def __init__(self, tokens: Tokens, base_url: str) -> None:
        self.tokens = tokens
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    def url(self, subscriber: Subscriber, purpose: Purpose) -> str:
        """The link of ``purpose`` (confirm, unsubscribe, preferences) for ``subscriber``."""
        token = self.tokens.make(subscriber.id, subscriber.email, purpose)
        return f"{self.base_url}{purpose}/{token}"

    def values(self, subscriber: Subscriber) -> dict[str, str]:
        """The values ``Digest.personalize`` and the message builder take for a digest."""
        return {
            "name": subscriber.name or "",
            "email": subscriber.email,
            "unsubscribe_url": self.url(subscriber, "unsubscribe"),
            "preferences_url": self.url(subscriber, "preferences"),
        }

    def confirmation_values(self, subscriber: Subscriber) -> dict[str, str]:
        """The digest values plus ``confirm_url``, for the double opt-in email."""
        return {**self.values(subscriber), "confirm_url": self.url(subscriber, "confirm")}


def placeholder_values(base_url: str, email: str) -> dict[str, str]:
    """Values for a message to someone who is not a subscriber: a test send or a preview.

    Their links lead nowhere personal, since there is nobody to unsubscribe.
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    return {
        "name": "",
        "email": email,
        "unsubscribe_url": f"{base}unsubscribe/preview",
        "preferences_url": f"{base}preferences/preview",
    }
