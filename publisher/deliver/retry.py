"""When to try a deferred message again, and when to give up: pure arithmetic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff from ``first`` seconds, capped at ``longest``, for ``lifetime``."""

    first: float = 60.0
    longest: float = 3600.0
    lifetime: float = 86400.0

    def next_attempt(
        self, attempts: int, now: dt.datetime, began: dt.datetime
    ) -> dt.datetime | None:
        """When to retry after the ``attempts``-th attempt was deferred; None: give up.

        ``began`` is when the send began: a digest that cannot be delivered within
        ``lifetime`` of it is news nobody wants any more.
        """
        # The exponent is capped so a long outage never overflows a float.
        pause = min(self.first * 2 ** min(max(attempts - 1, 0), 32), self.longest)
        retry_at = now + dt.timedelta(seconds=pause)
        if retry_at > began + dt.timedelta(seconds=self.lifetime):
            return None
        return retry_at
