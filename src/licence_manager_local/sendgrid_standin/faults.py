"""Deterministic fault injection: "the next N sends answer CODE" or "... hang S seconds".

Only a queue, no probabilities: a test says exactly which sends fail, so retries,
backoff and at-least-once handling can be asserted without flakiness.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

# Codes a queued failure may answer with; each gets SendGrid's body for that status.
FAULT_CODES: Final = frozenset({400, 401, 403, 413, 429, 500, 502, 503, 504})
DEFAULT_RESET_IN_SECONDS: Final = 1.0


@dataclass(frozen=True, slots=True)
class QueuedFault:
    kind: Literal["error", "hang"]
    code: int = 0  # for "error"
    reset_in_seconds: float = DEFAULT_RESET_IN_SECONDS  # for an "error" 429: X-RateLimit-Reset
    seconds: float = 0.0  # for "hang"


class FaultQueue:
    """Consumed in order, one entry per POST /v3/mail/send, whatever its body."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[QueuedFault] = deque()

    def fail_next(
        self, code: int, count: int = 1, *, reset_in_seconds: float = DEFAULT_RESET_IN_SECONDS
    ) -> None:
        """The next `count` sends are refused with `code` and are not recorded."""
        if code not in FAULT_CODES:
            raise ValueError(f"code must be one of {sorted(FAULT_CODES)}")
        if reset_in_seconds < 0:
            raise ValueError("reset_in_seconds must be >= 0")
        self._enqueue(QueuedFault("error", code=code, reset_in_seconds=reset_in_seconds), count)

    def hang_next(self, seconds: float, count: int = 1) -> None:
        """The next `count` sends are carried out (recorded) but answered after `seconds`.

        A client that times out meanwhile cannot tell whether the mail went out, which is
        exactly the case retry logic must survive without sending twice unknowingly.
        """
        if seconds <= 0:
            raise ValueError("seconds must be > 0")
        self._enqueue(QueuedFault("hang", seconds=seconds), count)

    def take(self) -> QueuedFault | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def pending(self) -> list[QueuedFault]:
        with self._lock:
            return list(self._queue)

    def state(self) -> list[dict[str, Any]]:
        return [asdict(f) for f in self.pending()]

    def _enqueue(self, fault: QueuedFault, count: int) -> None:
        if count < 1:
            raise ValueError("count must be >= 1")
        with self._lock:
            self._queue.extend([fault] * count)
