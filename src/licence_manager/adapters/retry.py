"""Exponential backoff with full jitter, for calls to Google APIs that fail transiently."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

# Jitter from a generator of our own: drawing from the random module's shared one would move
# a caller's seeded sequence (a property test's, a simulation's) from another thread.
JITTER = random.Random()
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    initial_delay: float = 0.5
    max_delay: float = 16.0
    multiplier: float = 2.0

    def delay(self, retry_number: int, rng: Callable[[], float]) -> float:
        """Full jitter (uniform in 0..cap) spreads the retries of many shards apart."""
        cap = min(self.max_delay, self.initial_delay * self.multiplier**retry_number)
        return rng() * cap


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    is_transient: Callable[[BaseException], bool],
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = JITTER.random,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
) -> T:
    """Run `call`; on a transient failure wait and try again, up to `policy.max_attempts` in all.
    Permanent failures, and the last transient one, propagate to the caller."""
    for attempt in range(policy.max_attempts):
        try:
            return call()
        except Exception as error:
            if attempt + 1 >= policy.max_attempts or not is_transient(error):
                raise
            wait = max(policy.delay(attempt, rng), _retry_after(error))
            if on_retry is not None:
                on_retry(attempt + 1, error, wait)
            sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")


# A server asking for a longer wait gets the call retried by the caller's own redelivery instead:
# an attempt holds a lease, and sleeping through it helps nobody.
MAX_RETRY_AFTER_SECONDS = 60.0


def _retry_after(error: BaseException) -> float:
    """Seconds the server asked us to wait (Retry-After), if it said so, at most a minute."""
    value = getattr(getattr(error, "resp", None), "get", lambda *_: None)("retry-after")
    try:
        wait = float(value) if value is not None else 0.0
    except ValueError:
        return 0.0
    return min(max(wait, 0.0), MAX_RETRY_AFTER_SECONDS)
