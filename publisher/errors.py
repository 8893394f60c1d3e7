"""One error tree for everything the publisher can refuse or fail at.

Each error carries a message written for the person at the keyboard: what is
wrong and, where we know it, how to fix it. The command line turns these (and
only these) into exit status 2 and a single line on stderr.
"""

from __future__ import annotations


class PublisherError(Exception):
    """Base of every error the publisher reports to its user."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class ConfigError(PublisherError):
    """The configuration file or an environment variable is wrong."""


class InputError(PublisherError):
    """An issue file cannot be read or understood."""

    def __init__(self, message: str, hint: str | None = None, *, source: str | None = None):
        super().__init__(f"{source}: {message}" if source else message, hint)
        self.source = source


class ConflictError(PublisherError):
    """An action would overwrite something that already exists."""


class NotFoundError(PublisherError):
    """A requested issue, subscriber or send does not exist."""


class RenderError(PublisherError):
    """Feeds, pages or the digest could not be written."""


class DeliveryError(PublisherError):
    """Mail could not be handed to the configured transport."""


class ValidationError(PublisherError):
    """A value given by a person (an address, a name, a preference) is refused."""


class TokenError(PublisherError):
    """A signed link is forged, expired, or meant for another subscriber or purpose."""
