"""Freshness from the sync's heartbeat: what a run records, and what a customer is told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from licence_manager.domain.freshness import (
    MAX_CUSTOMER_PROBLEMS,
    FreshnessState,
    ShardOutcome,
    SyncHeartbeat,
    freshness_of,
    next_heartbeat,
)
from licence_manager.domain.time_words import ago_words, clock_words, every_words
from tests.builders import T0

TZ = "Europe/London"
FORBIDDEN = "Google's Reseller API refused access to this customer (403 forbidden)."


def run(
    previous: SyncHeartbeat | None,
    minutes: int,
    complete: bool = True,
    problems: dict[str, str] | None = None,
    prefix: str = "",
    error: str | None = None,
) -> SyncHeartbeat:
    outcome = ShardOutcome(prefix, T0 + timedelta(minutes=minutes), complete, error, problems or {})
    return next_heartbeat(previous, 300, (outcome,))


def test_a_fresh_check_says_when_and_how_often() -> None:
    beat = run(None, 0)
    seen = freshness_of(beat, "C1", "acme.example", T0 + timedelta(minutes=4), TZ)
    assert seen.state is FreshnessState.FRESH
    assert seen.checked_at == T0 and seen.reason is None and seen.warning is None
    assert seen.summary == "Checked with Google at 09:00, every 5 minutes."
    assert seen.stale_after_seconds == 900


def test_older_than_three_intervals_is_stale_and_says_the_sync_may_have_stopped() -> None:
    beat = run(None, 0)
    assert freshness_of(beat, "C1", "a.example", T0 + timedelta(minutes=15), TZ).state == "fresh"
    stale = freshness_of(beat, "C1", "a.example", T0 + timedelta(minutes=15, seconds=1), TZ)
    assert stale.state is FreshnessState.STALE
    assert stale.warning == (
        "Last checked with Google at 09:00 (15 minutes ago), but the check "
        "should run every 5 minutes. No error was recorded: the sync may have stopped running."
    )


def test_a_failed_listing_keeps_the_last_good_check_and_records_why() -> None:
    beat = run(run(None, 0), 5, complete=False, error="Reseller API 503")
    shard = beat.shards[""]
    assert shard.checked_at == T0 and shard.attempted_at == T0 + timedelta(minutes=5)
    later = freshness_of(beat, "C1", "a.example", T0 + timedelta(minutes=20), TZ)
    assert later.state is FreshnessState.STALE and later.reason == "Reseller API 503"
    assert later.warning is not None and later.warning.endswith("Reason: Reseller API 503")
    recovered = run(beat, 25)
    assert recovered.shards[""].error is None
    assert recovered.shards[""].checked_at == T0 + timedelta(minutes=25)


def test_one_customer_failing_is_stale_for_that_customer_only() -> None:
    beat = run(None, 0)
    for minutes in (5, 10, 15, 20):
        beat = run(beat, minutes, problems={"C2": FORBIDDEN})
    now = T0 + timedelta(minutes=21)
    other = freshness_of(beat, "C1", "a.example", now, TZ)
    failing = freshness_of(beat, "C2", "b.example", now, TZ)
    assert other.state is FreshnessState.FRESH and other.checked_at == now - timedelta(minutes=1)
    # its last good check is the run before the first failure, however many failed since
    assert failing.state is FreshnessState.STALE and failing.checked_at == T0
    assert failing.reason == FORBIDDEN
    assert run(beat, 25).shards[""].customers == {}


def test_a_recent_problem_is_reported_before_it_is_stale() -> None:
    beat = run(run(None, 0), 5, problems={"C2": FORBIDDEN})
    seen = freshness_of(beat, "C2", "b.example", T0 + timedelta(minutes=6), TZ)
    assert seen.state is FreshnessState.FRESH and seen.reason == FORBIDDEN


def test_an_incomplete_run_does_not_forget_customers_that_were_failing() -> None:
    beat = run(run(None, 0), 5, problems={"C2": FORBIDDEN})
    beat = run(beat, 10, complete=False, error="listing stopped")
    assert beat.shards[""].customers["C2"].checked_at == T0


def test_too_many_failing_customers_count_as_a_failed_check() -> None:
    problems = {f"C{n}": FORBIDDEN for n in range(MAX_CUSTOMER_PROBLEMS + 1)}
    beat = run(run(None, 0), 5, problems=problems)
    shard = beat.shards[""]
    assert shard.checked_at == T0 and shard.customers == {}
    assert shard.error is not None and str(MAX_CUSTOMER_PROBLEMS + 1) in shard.error


def test_shards_are_kept_apart_and_the_latest_run_of_a_matching_shard_counts() -> None:
    beat = run(None, 0, prefix="a")
    beat = run(beat, 1, prefix="b", complete=False, error="b failed")
    assert set(beat.shards) == {"a", "b"}
    now = T0 + timedelta(minutes=2)
    assert freshness_of(beat, "C1", "acme.example", now, TZ).reason is None
    assert freshness_of(beat, "C2", "beta.example", now, TZ).reason == "b failed"
    # the shards were reconfigured to one: the old shard's entry no longer decides
    beat = run(beat, 30)
    later = now + timedelta(minutes=29)
    assert freshness_of(beat, "C2", "beta.example", later, TZ).state is FreshnessState.FRESH


def test_never_checked_is_unknown_and_warned_about() -> None:
    seen = freshness_of(None, "C1", "a.example", T0, TZ)
    assert seen.state is FreshnessState.UNKNOWN and seen.warning is not None
    uncovered = freshness_of(run(None, 0, prefix="z"), "C1", "a.example", T0, TZ)
    assert uncovered.state is FreshnessState.UNKNOWN and uncovered.interval_seconds == 300
    first_failed = run(None, 0, complete=False, error="403 for the reseller")
    seen = freshness_of(first_failed, "C1", "a.example", T0, TZ)
    assert seen.state is FreshnessState.UNKNOWN and seen.reason == "403 for the reseller"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (300, "every 5 minutes"),
        (60, "every minute"),
        (90, "every 90 seconds"),
        (3600, "every hour"),
        (7200, "every 2 hours"),
        (1, "every second"),
    ],
)
def test_every_words(seconds: int, words: str) -> None:
    assert every_words(seconds) == words


def test_times_are_in_the_customers_zone_with_the_day_when_not_today() -> None:
    summer = T0.replace(month=7)  # 09:00 UTC is 10:00 in London in July
    assert clock_words(summer, summer, TZ) == "10:00"
    assert clock_words(summer, summer + timedelta(days=1), TZ) == "10:00 on 2 Jul"
    assert clock_words(T0, T0 + timedelta(days=365), "Asia/Tokyo") == "18:00 on 2 Nov 2026"
    assert ago_words(timedelta(seconds=30)) == "less than a minute ago"
    assert ago_words(timedelta(minutes=1)) == "1 minute ago"
    assert ago_words(timedelta(hours=5)) == "5 hours ago"
    assert ago_words(timedelta(days=3)) == "3 days ago"
