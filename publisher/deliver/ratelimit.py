"""A messages-per-second limit shared by every connection to one server."""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """Hands out send slots at least ``1/rate`` seconds apart; a rate of 0 means no limit.

    A connection reserves its slot when it is given a message and starts the
    transaction when the slot begins, so waiting never blocks the others.
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._next = 0.0

    def reserve(self) -> float:
        """Take the next free slot; returns how many seconds from now it begins."""
        if not self.interval:
            return 0.0
        now = self._clock()
        slot = max(now, self._next)
        self._next = slot + self.interval
        return slot - now
