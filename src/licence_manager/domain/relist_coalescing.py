"""When a reseller event re-lists its customer: the first event at once, later ones within a
window coalesced into at most one more re-list (a script creating 500 users is not 500 re-lists).

One small state per customer, read and written in a transaction by whoever handles an event:

- the event was published well before a re-list started (`covered_margin`) that completed, or
  that started less than `in_progress_grace` ago → nothing to do: that re-list reads Google's
  figures after the change (a burst's late deliveries, a late duplicate). A re-list that fails
  covers nothing once its grace is over: its own message comes back after Pub/Sub's backoff
  (10 s at least, longer than the grace) and re-lists, for itself and for what it covered;
- no re-list started within `window` → this event's handler re-lists now;
- one started within `window` and a follow-up is already owned → nothing to do: the follow-up
  starts after this event arrived, so it sees what the event announced;
- otherwise this handler owns the follow-up: it waits until `window` after the last start, then
  claims it (`claim_follow_up`) and re-lists, unless someone re-listed meanwhile.

A follow-up owner that dies holds nothing for long: `until` (the due time plus a lease) is past
the window, so the next event, or the owner's own redelivered message, re-lists at once. And a
coalesced event read from a stale state is still covered: the state only moves on by starting a
re-list, which starts after that read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class RelistState:
    """Per customer. `pending_token` is "" when no follow-up is owned."""

    last_started_at: datetime | None = None
    pending_token: str = ""
    pending_due_at: datetime | None = None
    pending_until: datetime | None = None
    relists: int = 0  # re-lists started so far, for operators and the bench
    # When the latest re-list that completed had started: events published well before are seen.
    covered_until: datetime | None = None

    def started(self, now: datetime) -> RelistState:
        return RelistState(
            last_started_at=now, relists=self.relists + 1, covered_until=self.covered_until
        )


class Arrival(StrEnum):
    RELIST_NOW = "RELIST_NOW"
    COVERED = "COVERED"  # published before a completed re-list started: already seen
    FOLLOW_UP = "FOLLOW_UP"  # this handler owns the follow-up, due at `due_at`
    COALESCED = "COALESCED"


@dataclass(frozen=True, slots=True)
class Coalescing:
    window: timedelta = timedelta(seconds=5)
    # How long after its due time a follow-up stays owned: enough to claim it, not to re-list.
    claim_lease: timedelta = timedelta(seconds=30)
    # An event published this long before a completed re-list started is covered by it. Not
    # zero: the publish time is Google's clock, the start ours, and Google's read may lag.
    covered_margin: timedelta = timedelta(seconds=2)
    # How long a re-list still running covers earlier events: shorter than the subscription's
    # minimum retry backoff (10 s, reseller-events.tf), so a failed re-list's redelivered event
    # is never covered by its own failed attempt.
    in_progress_grace: timedelta = timedelta(seconds=8)


@dataclass(frozen=True, slots=True)
class Decided:
    arrival: Arrival
    state: RelistState | None  # what to write; None: nothing
    due_at: datetime | None = None


def on_event(
    state: RelistState,
    now: datetime,
    token: str,
    rule: Coalescing,
    published_at: datetime | None = None,
) -> Decided:
    """What the handler of an event published at `published_at` and arriving at `now` does;
    `token` names it as a follow-up's owner."""
    last = state.last_started_at
    if published_at is not None and _covered(state, now, published_at, rule):
        return Decided(Arrival.COVERED, None)
    if last is None or now >= last + rule.window:
        return Decided(Arrival.RELIST_NOW, state.started(now))
    if state.pending_token and state.pending_until is not None and now < state.pending_until:
        return Decided(Arrival.COALESCED, None)
    due = last + rule.window
    owned = replace(
        state, pending_token=token, pending_due_at=due, pending_until=due + rule.claim_lease
    )
    return Decided(Arrival.FOLLOW_UP, owned, due)


def _covered(state: RelistState, now: datetime, published_at: datetime, rule: Coalescing) -> bool:
    seen_by = published_at + rule.covered_margin  # a re-list started then or later saw it
    if state.covered_until is not None and seen_by <= state.covered_until:
        return True
    last = state.last_started_at
    return last is not None and seen_by <= last and now < last + rule.in_progress_grace


def claim_follow_up(state: RelistState, token: str, now: datetime) -> RelistState | None:
    """The state to write when the owner of a follow-up starts it; None when it is no longer
    its to start (someone re-listed after the due time, which covers it)."""
    if not token or state.pending_token != token:
        return None
    return state.started(now)


def relist_completed(state: RelistState, started_at: datetime) -> RelistState | None:
    """The state to write once a re-list that started at `started_at` has recorded what it
    read; None when a later completed one already covers more."""
    if state.covered_until is not None and state.covered_until >= started_at:
        return None
    return replace(state, covered_until=started_at)
