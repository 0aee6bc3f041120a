"""The anomaly guard's facts: the customer's thresholds, the short window of a licence's recent
assigned counts, and a pause of automatic top-ups.

A script creating users, or a compromised admin, makes assignments jump; automatic top-ups
would follow them seat for seat. So when a licence's assigned count rises by more than
max(`min_users`, `min_percent`% of its seats) within an hour, its automatic top-ups pause until
a person resumes them (domain.anomaly_guard decides it in the sync's record step;
domain.buying refuses automatic requests while paused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from licence_manager.domain.model import seats

WINDOW: Final = timedelta(hours=1)
DEFAULT_MIN_USERS: Final = 10
DEFAULT_MIN_PERCENT: Final = 20
MAX_MIN_USERS: Final = 100_000
# The window keeps at most this many counts. A sync every 5 minutes records 12 an hour; an
# event-driven one may record more, and then the two closest in time are merged (see observe).
MAX_SAMPLES: Final = 48


@dataclass(frozen=True, slots=True)
class AnomalyPolicy:
    """A customer's thresholds (`anomaly_policies/{customerId}`; absent: the defaults)."""

    customer_id: str
    min_users: int = DEFAULT_MIN_USERS
    min_percent: int = DEFAULT_MIN_PERCENT
    changed_by: str = ""
    changed_at: datetime | None = None

    def exceeded(self, rise: int, total: int) -> bool:
        """More than max(min_users, min_percent% of `total`): whole numbers, no rounding."""
        return rise > self.min_users and rise * 100 > self.min_percent * total

    def limit_words(self, total: int) -> str:
        return (
            f"more than the limit of {seats(self.min_users, 'user')} or {self.min_percent}% of "
            f"its {seats(total)}, whichever is more"
        )


def policy_problems(min_users: object, min_percent: object) -> dict[str, str]:
    """Field name → what is wrong, worded for the admin; empty when valid."""
    found: dict[str, str] = {}
    if not _whole(min_users) or not 1 <= min_users <= MAX_MIN_USERS:  # type: ignore[operator]
        found["minUsers"] = f"A whole number of users from 1 to {MAX_MIN_USERS:,}."
    if not _whole(min_percent) or not 1 <= min_percent <= 100:  # type: ignore[operator]
        found["minPercent"] = "A whole percentage from 1 to 100."
    return found


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class AssignedSample:
    """The assigned count in force from `at` (as the window keeps it, see observe)."""

    at: datetime
    assigned: int


Window = tuple[AssignedSample, ...]


def observe(window: Window, at: datetime, assigned: int) -> Window:
    """The window after the count `assigned` was recorded at `at`.

    The window keeps, for every moment x of the last hour, the lowest count in force between x
    and the latest recording: a suffix minimum, so its counts rise strictly with time and the
    lowest count of any window ending now is one look-up (see rise). Recording a count flattens
    every later step at or above it; entries older than the hour are dropped except the one in
    force at its start. Exact, except past MAX_SAMPLES entries: then the two closest in time
    merge into the earlier, lower one, which remembers a low count a little longer (the guard
    errs towards pausing, never towards buying)."""
    if window and at < window[-1].at:
        at = window[-1].at  # never reorder: a count recorded late is in force from now
    kept: list[AssignedSample] = []
    for sample in window:
        if sample.assigned >= assigned:
            kept.append(AssignedSample(sample.at, assigned))
            break
        kept.append(sample)
    else:
        kept.append(AssignedSample(at, assigned))
    start = at - WINDOW
    in_force = [i for i, s in enumerate(kept) if s.at <= start]
    if in_force:
        kept = kept[in_force[-1] :]
    while len(kept) > MAX_SAMPLES:
        # Never the latest count: the rise is measured to it.
        gaps = [(kept[i + 1].at - kept[i].at, i) for i in range(len(kept) - 2)]
        _gap, i = min(gaps)
        del kept[i + 1]
    return tuple(kept)


@dataclass(frozen=True, slots=True)
class Rise:
    amount: int  # the latest count less the lowest in force within the hour (0: none)
    assigned_from: int
    since: datetime  # when that lowest count was recorded (it may be before the hour began)
    assigned_to: int


def rise(window: Window, now: datetime) -> Rise | None:
    """The rise in the hour up to `now`; None for an empty window."""
    if not window:
        return None
    start = now - WINDOW
    before = [s for s in window if s.at <= start]
    lowest = before[-1] if before else window[0]
    latest = window[-1]
    return Rise(latest.assigned - lowest.assigned, lowest.assigned, lowest.at, latest.assigned)


def restart(at: datetime, assigned: int) -> Window:
    """The window after a resume: only the count now, so the rise a person has just looked at
    does not pause the licence again at its next recording."""
    return (AssignedSample(at, assigned),)


@dataclass(frozen=True, slots=True)
class TopUpPause:
    """Automatic top-ups of one licence paused by the guard: only a person's resume lifts it."""

    paused_at: datetime
    paused_by: str
    reason: str
    rise: int
    assigned_from: int
    assigned_to: int
    since: datetime
    total: int


def pause_of(rose: Rise, total: int, policy: AnomalyPolicy, at: datetime, by: str) -> TopUpPause:
    reason = (
        f"assigned users rose by {rose.amount} ({rose.assigned_from} → {rose.assigned_to}) "
        f"within an hour: {policy.limit_words(total)}"
    )
    return TopUpPause(
        paused_at=at,
        paused_by=by,
        reason=reason,
        rise=rose.amount,
        assigned_from=rose.assigned_from,
        assigned_to=rose.assigned_to,
        since=rose.since,
        total=total,
    )


def pause_words(pause: TopUpPause) -> str:
    """What the dashboard's banner says."""
    return (
        f"Automatic top-ups are paused since {pause.paused_at:%Y-%m-%d %H:%M} UTC: "
        f"{pause.reason}. Nothing is bought automatically until someone resumes them; adding "
        "seats by hand still works."
    )
