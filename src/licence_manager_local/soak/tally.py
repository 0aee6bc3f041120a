"""What the soak explored: thread-safe counters under dotted names (e.g. `fault.reseller.503`),
printed grouped by their first part at the end."""

from __future__ import annotations

import threading
from collections import Counter


class Tally:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def get(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def group(self, prefix: str) -> dict[str, int]:
        """Counts under `prefix.`, by the rest of their name."""
        with self._lock:
            return {
                name[len(prefix) + 1 :]: n
                for name, n in sorted(self._counts.items())
                if name.startswith(prefix + ".")
            }
