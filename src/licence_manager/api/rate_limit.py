"""A per-user rate limit on the API (security review #17): a token bucket per signed-in user,
kept in the instance's memory.

Each user may make `burst` calls at once and `per_minute` a minute after that; a call beyond
them is answered 429 with Retry-After before anything is read from Firestore, so a runaway
script costs neither reads nor another user's share. The buckets are per instance (the api runs
at most 10, locals.tf): a user spread over several instances may get up to that many times the
limit, which still bounds the cost; a shared counter would cost a write per call. The table of
buckets is bounded: the least recently seen users are forgotten first (a forgotten user starts
with a full bucket, which only ever lets more through)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

# A page of the dashboard makes a handful of calls; a person clicking quickly a few dozen a
# minute. Far above both, far below a script's thousands.
PER_MINUTE = 240
BURST = 120
MAX_USERS = 10_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimit:
    def __init__(
        self,
        per_minute: float = PER_MINUTE,
        burst: int = BURST,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = MAX_USERS,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._max_users = max_users
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, user: str) -> float:
        """Take one call from the user's bucket: 0 if allowed, else the seconds until it would
        be (nothing is taken then)."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(user, None) or _Bucket(self._burst, now)
            bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._rate)
            bucket.at = now
            self._buckets[user] = bucket  # most recently seen last
            while len(self._buckets) > self._max_users:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self._rate
