"""The pure rule of when a reseller event re-lists its customer."""

from datetime import timedelta

from licence_manager.domain.relist_coalescing import (
    Arrival,
    Coalescing,
    RelistState,
    claim_follow_up,
    on_event,
    relist_completed,
)
from tests.builders import T0

RULE = Coalescing(window=timedelta(seconds=5), claim_lease=timedelta(seconds=30))


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def test_the_first_event_relists_at_once() -> None:
    decided = on_event(RelistState(), T0, "a", RULE)
    assert decided.arrival is Arrival.RELIST_NOW
    assert decided.state == RelistState(last_started_at=T0, relists=1)


def test_an_event_inside_the_window_owns_one_follow_up_at_its_end() -> None:
    started = RelistState(last_started_at=T0, relists=1)
    decided = on_event(started, T0 + s(1), "b", RULE)
    assert decided.arrival is Arrival.FOLLOW_UP
    assert decided.due_at == T0 + s(5)
    assert decided.state is not None
    assert decided.state.pending_token == "b"
    assert decided.state.pending_until == T0 + s(35)


def test_later_events_inside_the_window_coalesce_without_a_write() -> None:
    state = RelistState(last_started_at=T0, relists=1)
    owned = on_event(state, T0 + s(1), "b", RULE).state
    assert owned is not None
    for at in (1.5, 3, 4.999):
        decided = on_event(owned, T0 + s(at), "c", RULE)
        assert decided.arrival is Arrival.COALESCED
        assert decided.state is None


def test_the_window_boundary_starts_a_new_relist() -> None:
    state = RelistState(last_started_at=T0, relists=1)
    assert on_event(state, T0 + s(5), "x", RULE).arrival is Arrival.RELIST_NOW
    assert on_event(state, T0 + s(4.999), "x", RULE).arrival is Arrival.FOLLOW_UP


def test_the_owner_claims_its_follow_up_once() -> None:
    owned = on_event(RelistState(last_started_at=T0, relists=1), T0 + s(1), "b", RULE).state
    assert owned is not None
    started = claim_follow_up(owned, "b", T0 + s(5))
    assert started == RelistState(last_started_at=T0 + s(5), relists=2)
    assert claim_follow_up(started, "b", T0 + s(5)) is None  # a second claim: nothing
    assert claim_follow_up(owned, "someone else", T0 + s(5)) is None
    assert claim_follow_up(owned, "", T0 + s(5)) is None


def test_a_relist_started_after_the_due_time_overtakes_the_follow_up() -> None:
    owned = on_event(RelistState(last_started_at=T0, relists=1), T0 + s(1), "b", RULE).state
    assert owned is not None
    late = on_event(owned, T0 + s(6), "c", RULE)  # the owner has not claimed yet
    assert late.arrival is Arrival.RELIST_NOW
    assert late.state is not None
    assert claim_follow_up(late.state, "b", T0 + s(6.5)) is None


def test_a_dead_owner_is_replaced_by_the_next_event() -> None:
    """Its lease ends after the window, so the next event (or its own redelivery) re-lists."""
    owned = on_event(RelistState(last_started_at=T0, relists=1), T0 + s(1), "b", RULE).state
    assert owned is not None
    assert on_event(owned, T0 + s(40), "c", RULE).arrival is Arrival.RELIST_NOW


def test_events_after_a_follow_up_started_own_the_next_one() -> None:
    owned = on_event(RelistState(last_started_at=T0, relists=1), T0 + s(1), "b", RULE).state
    assert owned is not None
    started = claim_follow_up(owned, "b", T0 + s(5))
    assert started is not None
    decided = on_event(started, T0 + s(6), "c", RULE)
    assert decided.arrival is Arrival.FOLLOW_UP
    assert decided.due_at == T0 + s(10)


def test_a_burst_inside_one_window_costs_two_relists() -> None:
    """500 events within a second: one re-list at once, one follow-up, the rest coalesce."""
    state, arrivals = RelistState(), []
    for n in range(500):
        decided = on_event(state, T0 + s(n / 500), f"t{n}", RULE)
        arrivals.append(decided.arrival)
        state = decided.state or state
    assert arrivals.count(Arrival.RELIST_NOW) == 1
    assert arrivals.count(Arrival.FOLLOW_UP) == 1
    assert arrivals.count(Arrival.COALESCED) == 498
    claimed = claim_follow_up(state, "t1", T0 + s(5))
    assert claimed is not None and claimed.relists == 2


def test_an_event_published_well_before_a_completed_relist_started_is_covered() -> None:
    state = RelistState(last_started_at=T0, relists=1, covered_until=T0)
    covered = on_event(state, T0 + s(1), "x", RULE, published_at=T0 - s(2))
    assert covered.arrival is Arrival.COVERED and covered.state is None
    # Within the margin, or with no publish time: the usual rule.
    assert on_event(state, T0 + s(1), "x", RULE, published_at=T0 - s(1.9)).arrival is (
        Arrival.FOLLOW_UP
    )
    assert on_event(state, T0 + s(1), "x", RULE).arrival is Arrival.FOLLOW_UP


def test_a_relist_started_but_not_completed_covers_nothing() -> None:
    """It may have failed: the redelivery of its own event must re-list."""
    started = RelistState(last_started_at=T0, relists=1)
    late = on_event(started, T0 + s(10), "x", RULE, published_at=T0 - s(60))
    assert late.arrival is Arrival.RELIST_NOW
    assert on_event(RelistState(), T0, "x", RULE, published_at=T0 - s(60)).arrival is (
        Arrival.RELIST_NOW
    )


def test_completion_moves_coverage_forward_only() -> None:
    started = RelistState(last_started_at=T0 + s(5), relists=2)
    done = relist_completed(started, T0 + s(5))
    assert done == RelistState(last_started_at=T0 + s(5), relists=2, covered_until=T0 + s(5))
    assert relist_completed(done, T0) is None  # an older re-list finishing late
    assert done.started(T0 + s(20)).covered_until == T0 + s(5)  # kept by the next start


def test_a_relist_still_running_covers_earlier_events_for_its_grace_only() -> None:
    """Shorter than Pub/Sub's minimum backoff: if it fails, its own message comes back after
    the grace and re-lists."""
    running = RelistState(last_started_at=T0, relists=1)
    early = T0 - s(5)
    assert on_event(running, T0 + s(3), "x", RULE, published_at=early).arrival is Arrival.COVERED
    assert on_event(running, T0 + s(3), "x", RULE, published_at=T0 - s(1)).arrival is (
        Arrival.FOLLOW_UP  # published too close to the start to be sure it was seen
    )
    assert on_event(running, T0 + s(8), "x", RULE, published_at=early).arrival is (
        Arrival.RELIST_NOW
    )
    assert RULE.in_progress_grace < timedelta(seconds=10)  # reseller-events.tf minimum_backoff
