"""The access log without the secrets in its URLs.

Confirm, unsubscribe and preferences links carry a signed token that acts for
its reader; whoever reads the log must not be able to use them. uvicorn logs
each request as ``'%s - "%s %s HTTP/%s" %d'`` with the path among the
arguments, so the filter rewrites the arguments, before any handler formats them.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
_TOKEN_PATH = re.compile(r"/(confirm|unsubscribe|preferences)/[^/?#\s\"]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with the token of every signed-link path replaced by ``[redacted]``."""
    return _TOKEN_PATH.sub(rf"/\1/{REDACTED}", text)


class TokenRedactor(logging.Filter):
    """A filter that redacts signed-link tokens in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install(logger_name: str = ACCESS_LOGGER) -> None:
    """Add the redacting filter to the access logger (once, however often it is called)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, TokenRedactor) for f in logger.filters):
        logger.addFilter(TokenRedactor())
