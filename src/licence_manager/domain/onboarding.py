"""Pacing the first sync of a large book (Firestore's 500/50/5 rule, issue 12).

Firestore asks new traffic to start at no more than 500 operations a second and grow by at most
half every five minutes. A licence seen for the first time costs about five writes (the licence,
its day, its audit entry and head, its digest entry), so a run admits new licences at a steady
rate (90 a second by default, bursts included under 100: under 500 writes a second, the rule's
starting point, which it never exceeds) and at most so many a run; the rest wait for the next
runs, and their customers say so on the dashboard. Pure: the caller passes the clock and
does the waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PER_SECOND = 90.0
DEFAULT_PER_RUN = 20_000

WAITING = (
    "Licence Manager is reading this customer's licences for the first time, a few thousand at "
    "a time: the rest appear within the next few syncs."
)


@dataclass(slots=True)
class OnboardingPace:
    """A token bucket of new licences: `per_second` tokens a second, bursts of a tenth of a
    second's worth (so no one-second window sees much more than the rate), and no more than
    `per_run` in all."""

    per_second: float = DEFAULT_PER_SECOND
    per_run: int = DEFAULT_PER_RUN
    admitted: int = 0
    _tokens: float = 0.0
    _at: float | None = None

    def admit(self, now: float) -> float | None:
        """Seconds to wait before the next new licence may be written (0: at once), or None
        when this run has admitted all it may."""
        if self.admitted >= self.per_run:
            return None
        if self.per_second == float("inf"):  # not paced (tests, small books)
            self.admitted += 1
            return 0.0
        burst = max(1.0, self.per_second / 10)
        if self._at is None:
            self._tokens, self._at = burst, now
        self._tokens = min(burst, self._tokens + (now - self._at) * self.per_second)
        self._at = now
        self.admitted += 1
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.per_second
