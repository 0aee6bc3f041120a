"""Injected failures and per-method call counters for the API routes.

Faults come in two flavours: probabilistic (seeded RNG, for soak-style demos) and a
deterministic queue ("the next N calls fail"), which is what tests should use.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

# Codes a queued or random failure may use, each answered with Google's reason for it.
FAULT_CODES: Final = frozenset({429, 500, 503})


@dataclass(frozen=True, slots=True)
class QueuedFault:
    kind: Literal["error", "hang"]
    code: int = 0  # for "error"
    seconds: float = 0.0  # for "hang"
    method: str | None = None  # only calls to this method (e.g. "subscriptions.list") match
    # A hang held before the call is carried out (a request stuck on the way, landing late)
    # rather than after (carried out at once, answered late).
    before: bool = False


@dataclass(frozen=True, slots=True)
class FaultDecision:
    latency_s: float
    error_code: int | None
    # Answer only after this long: the call is still carried out, so a client that gives
    # up meanwhile cannot know whether its change was applied (as with a real timeout).
    hang_s: float
    # Carry the call out only after this long: it lands late, perhaps after its sender gave up.
    delay_s: float = 0.0


class Faults:
    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.latency_ms = 0.0
        self.rate_429 = 0.0
        self.rate_503 = 0.0
        self._queue: list[QueuedFault] = []
        # What was actually injected, by kind (429, 503, hang, delay...), for soak reports.
        self._injected: Counter[str] = Counter()

    def configure(
        self,
        *,
        latency_ms: float | None = None,
        rate_429: float | None = None,
        rate_503: float | None = None,
        seed: int | None = None,
    ) -> None:
        for rate in (rate_429, rate_503):
            if rate is not None and not 0.0 <= rate <= 1.0:
                raise ValueError("rates must be between 0 and 1")
        if latency_ms is not None and latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        with self._lock:
            if latency_ms is not None:
                self.latency_ms = latency_ms
            if rate_429 is not None:
                self.rate_429 = rate_429
            if rate_503 is not None:
                self.rate_503 = rate_503
            if seed is not None:
                self._rng.seed(seed)

    def fail_next(self, code: int, count: int = 1, method: str | None = None) -> None:
        if code not in FAULT_CODES:
            raise ValueError(f"code must be one of {sorted(FAULT_CODES)}")
        self._enqueue(QueuedFault("error", code=code, method=method), count)

    def hang_next(
        self, seconds: float, count: int = 1, method: str | None = None, before: bool = False
    ) -> None:
        if seconds <= 0:
            raise ValueError("seconds must be > 0")
        self._enqueue(QueuedFault("hang", seconds=seconds, method=method, before=before), count)

    def clear(self) -> None:
        with self._lock:
            self.latency_ms = self.rate_429 = self.rate_503 = 0.0
            self._queue.clear()

    def decide(self, method: str) -> FaultDecision:
        """What happens to one incoming call; consumes at most one queued fault."""
        with self._lock:
            queued = next((f for f in self._queue if f.method in (None, method)), None)
            if queued is not None:
                self._queue.remove(queued)
            error: int | None = None
            hang = delay = 0.0
            if queued is not None and queued.kind == "error":
                error = queued.code
            elif queued is not None and queued.before:
                delay = queued.seconds
            elif queued is not None:
                hang = queued.seconds
            elif self.rate_429 and self._rng.random() < self.rate_429:
                error = 429
            elif self.rate_503 and self._rng.random() < self.rate_503:
                error = 503
            if error is not None:
                self._injected[str(error)] += 1
            elif delay:
                self._injected["delay"] += 1
            elif hang:
                self._injected["hang"] += 1
            return FaultDecision(self.latency_ms / 1000.0, error, hang, delay)

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "latency_ms": self.latency_ms,
                "rate_429": self.rate_429,
                "rate_503": self.rate_503,
                "queued": [asdict(f) for f in self._queue],
                "injected": dict(self._injected),
            }

    def _enqueue(self, fault: QueuedFault, count: int) -> None:
        if count < 1:
            raise ValueError("count must be >= 1")
        with self._lock:
            self._queue.extend([fault] * count)


class CallStats:
    """How many calls each API method received, faulted ones included."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def record(self, method: str) -> None:
        with self._lock:
            self._counts[method] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
