"""SendGrid-style rate limiting: N requests per refresh period, then 429 until it resets.

SendGrid reports the budget on each response as X-RateLimit-Limit, X-RateLimit-Remaining
and X-RateLimit-Reset (Unix seconds when the period ends). The window here is fixed and
starts with the first request after the previous one ended, which is what those headers
describe: once Remaining hits 0 nothing gets through until Reset.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

# What an injected 429 reports as the limit when no real limit is configured: the
# default SendGrid applies to most v3 endpoints (600 requests per minute).
DEFAULT_REPORTED_LIMIT: Final = 600


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    headers: dict[str, str]


def rate_headers(limit: int, remaining: int, reset_epoch: float) -> dict[str, str]:
    # Reset is whole seconds, rounded up so a client sleeping until it is never early.
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(remaining, 0)),
        "X-RateLimit-Reset": str(math.ceil(reset_epoch)),
    }


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._limit: int | None = None
        self._window = 60.0
        self._window_end = 0.0
        self._used = 0

    def configure(self, limit: int | None, window_seconds: float = 60.0) -> None:
        """Allow `limit` requests per `window_seconds`; None turns limiting off."""
        if limit is not None and limit < 1:
            raise ValueError("limit must be >= 1 (or None to turn limiting off)")
        if window_seconds <= 0:
            raise ValueError("window_seconds must be > 0")
        with self._lock:
            self._limit = limit
            self._window = window_seconds
            self._window_end = 0.0  # a new budget starts with the next request
            self._used = 0

    def disable(self) -> None:
        self.configure(None)

    @property
    def limit(self) -> int | None:
        with self._lock:
            return self._limit

    def check(self) -> RateDecision | None:
        """Spend one request of the budget; None when no limit is configured."""
        with self._lock:
            if self._limit is None:
                return None
            now = self._clock()
            if now >= self._window_end:
                self._window_end = now + self._window
                self._used = 0
            allowed = self._used < self._limit
            if allowed:
                self._used += 1
            headers = rate_headers(self._limit, self._limit - self._used, self._window_end)
            return RateDecision(allowed, headers)

    def injected_headers(self, reset_in_seconds: float) -> dict[str, str]:
        """Headers for a queued 429: nothing left, resetting `reset_in_seconds` from now."""
        with self._lock:
            limit = self._limit or DEFAULT_REPORTED_LIMIT
        return rate_headers(limit, 0, self._clock() + reset_in_seconds)

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"limit": self._limit, "window_seconds": self._window}
