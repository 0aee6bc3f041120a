"""How fresh a customer's figures are, from the sync's own heartbeat: when Google was last asked,
how often it should be, and why the latest check did not complete. Pure: the sync merges each
run into the heartbeat with `next_heartbeat`; the API judges one customer with `freshness_of`.

A shard (a customer-domain prefix; "" is every customer) is checked when its listing completed.
A customer whose own calls failed in that run (403, say) keeps the time of its last good check,
so one customer going dark shows as stale for that customer only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from licence_manager.domain.time_words import ago_words, clock_words, every_words

STALE_AFTER_INTERVALS = 3
# A heartbeat is one Firestore document (at most 1 MiB): past this many failing customers in a
# shard, the shard itself is reported as not checked rather than listing each of them.
MAX_CUSTOMER_PROBLEMS = 500
MAX_REASON = 300


@dataclass(frozen=True, slots=True)
class CustomerProblem:
    reason: str
    checked_at: datetime | None  # the customer's last good check before it (None: never)


@dataclass(frozen=True, slots=True)
class ShardStatus:
    prefix: str  # "" for the unsharded sync of every customer
    attempted_at: datetime  # when the latest run of this shard asked Google
    checked_at: datetime | None  # when a run of this shard last completed its listing
    error: str | None = None  # why the latest run did not complete its listing
    customers: Mapping[str, CustomerProblem] = field(default_factory=dict)
    # customerId → SKUs held through an offline order (domain.offline), as last listed
    offline_skus: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ShardOutcome:
    """What one run of one shard found: the sync's report, as freshness needs it."""

    prefix: str
    attempted_at: datetime
    complete: bool
    error: str | None = None
    customer_problems: Mapping[str, str] = field(default_factory=dict)  # customerId → reason
    offline_skus: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SyncHeartbeat:
    interval_seconds: int
    shards: Mapping[str, ShardStatus]


def shard_key(prefix: str | None) -> str:
    return prefix or ""


def short(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def next_shard(previous: ShardStatus | None, outcome: ShardOutcome) -> ShardStatus:
    before = previous.checked_at if previous else None
    earlier = dict(previous.customers) if previous else {}
    problems = dict(outcome.customer_problems)
    complete, error = outcome.complete, outcome.error
    if len(problems) > MAX_CUSTOMER_PROBLEMS:
        complete = False
        error = error or f"Google's Reseller API could not be read for {len(problems)} customers."
        problems = {}
    customers = {
        customer_id: CustomerProblem(
            short(reason), earlier[customer_id].checked_at if customer_id in earlier else before
        )
        for customer_id, reason in problems.items()
    }
    if not complete:
        # Customers that failed before are not known to have recovered: keep them.
        customers = {**earlier, **customers}
    return ShardStatus(
        prefix=outcome.prefix,
        attempted_at=outcome.attempted_at,
        checked_at=outcome.attempted_at if complete else before,
        error=None if complete else short(error or "The check with Google did not complete."),
        customers=customers,
        offline_skus=next_offline_skus(previous, outcome),
    )


def next_offline_skus(
    previous: ShardStatus | None, outcome: ShardOutcome
) -> Mapping[str, frozenset[str]]:
    """A complete listing says all a shard holds offline; a partial one adds what it saw to
    what was known (an order it did not get to is not known to have gone)."""
    if outcome.complete or previous is None:
        return dict(outcome.offline_skus)
    merged = dict(previous.offline_skus)
    for customer_id, skus in outcome.offline_skus.items():
        merged[customer_id] = merged.get(customer_id, frozenset()) | skus
    return merged


def next_heartbeat(
    previous: SyncHeartbeat | None, interval_seconds: int, outcomes: tuple[ShardOutcome, ...]
) -> SyncHeartbeat:
    """The heartbeat after a run: the run's shards replaced, other shards' (run by other
    messages) left as they were."""
    shards = dict(previous.shards) if previous else {}
    for outcome in outcomes:
        shards[outcome.prefix] = next_shard(shards.get(outcome.prefix), outcome)
    return SyncHeartbeat(interval_seconds, shards)


class FreshnessState(StrEnum):
    FRESH = "fresh"
    STALE = "stale"
    UNKNOWN = "unknown"  # never checked (no heartbeat, or no shard covers the customer)


@dataclass(frozen=True, slots=True)
class Freshness:
    state: FreshnessState
    checked_at: datetime | None
    interval_seconds: int | None
    reason: str | None  # why the latest check did not complete for this customer
    summary: str  # "Checked with Google at 14:03, every 5 minutes."
    warning: str | None  # the banner's text, when stale or never checked

    @property
    def stale_after_seconds(self) -> int | None:
        if self.interval_seconds is None:
            return None
        return self.interval_seconds * STALE_AFTER_INTERVALS


def shard_of(heartbeat: SyncHeartbeat, customer_domain: str) -> ShardStatus | None:
    """The shard that covers the domain; if the shards were reconfigured and several still
    match, the one run most recently (an old layout's entry is left behind, not run)."""
    matching = [
        s for s in heartbeat.shards.values() if customer_domain.lower().startswith(s.prefix)
    ]
    return max(matching, key=lambda s: s.attempted_at, default=None)


def freshness_of(
    heartbeat: SyncHeartbeat | None,
    customer_id: str,
    customer_domain: str,
    now: datetime,
    time_zone: str,
) -> Freshness:
    shard = shard_of(heartbeat, customer_domain) if heartbeat else None
    if heartbeat is None or shard is None:
        interval = heartbeat.interval_seconds if heartbeat else None
        return Freshness(
            FreshnessState.UNKNOWN,
            None,
            interval,
            None,
            "Not checked with Google yet.",
            "Licence Manager has no record of checking these figures with Google yet.",
        )
    problem = shard.customers.get(customer_id)
    checked_at = problem.checked_at if problem else shard.checked_at
    reason = problem.reason if problem else shard.error
    interval = heartbeat.interval_seconds
    every = every_words(interval)
    if checked_at is None:
        return Freshness(
            FreshnessState.UNKNOWN,
            None,
            interval,
            reason,
            f"Not checked with Google yet; the check runs {every}.",
            _with_reason(
                "Licence Manager has not yet managed to check these figures with Google.", reason
            ),
        )
    at = clock_words(checked_at, now, time_zone)
    summary = f"Checked with Google at {at}, {every}."
    if now - checked_at <= timedelta(seconds=interval * STALE_AFTER_INTERVALS):
        return Freshness(FreshnessState.FRESH, checked_at, interval, reason, summary, None)
    warning = (
        f"Last checked with Google at {at} ({ago_words(now - checked_at)}), "
        f"but the check should run {every}."
    )
    if reason is None:
        reason_or_guess = "No error was recorded: the sync may have stopped running."
        return Freshness(
            FreshnessState.STALE,
            checked_at,
            interval,
            None,
            summary,
            f"{warning} {reason_or_guess}",
        )
    return Freshness(
        FreshnessState.STALE, checked_at, interval, reason, summary, _with_reason(warning, reason)
    )


def _with_reason(sentence: str, reason: str | None) -> str:
    return sentence if reason is None else f"{sentence} Reason: {reason}"
