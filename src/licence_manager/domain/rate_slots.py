"""About one message a second per Chat space or Slack webhook: each channel's next free slot.

Pure: the caller supplies the time and sleeps itself. A 429's Retry-After moves the channel's
next slot to then, so every sender to that channel waits, not only the one refused.
"""

from __future__ import annotations

import threading

DEFAULT_INTERVAL_SECONDS = 1.0


class RateSlots:
    def __init__(self, interval_seconds: float = DEFAULT_INTERVAL_SECONDS) -> None:
        self._interval = interval_seconds
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, channel: str, now: float) -> float:
        """Take the channel's next slot: seconds to wait before posting (0 for now)."""
        with self._lock:
            slot = max(now, self._next.get(channel, now))
            self._next[channel] = slot + self._interval
            return slot - now

    def hold_off(self, channel: str, until: float) -> None:
        """The channel said "not before `until`" (a 429's Retry-After)."""
        with self._lock:
            self._next[channel] = max(self._next.get(channel, until), until)
