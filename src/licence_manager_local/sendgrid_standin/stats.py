"""How many mail sends were answered with each status code (faulted ones included)."""

from __future__ import annotations

import threading
from collections import Counter


class StatusCounts:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[int] = Counter()

    def record(self, status: int) -> None:
        with self._lock:
            self._counts[status] += 1

    def snapshot(self) -> dict[int, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
