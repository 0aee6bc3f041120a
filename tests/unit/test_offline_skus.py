"""SKUs a customer holds through an offline order: remembered in the sync's heartbeat, so the
catalogue and purchases know them without the sync reading or writing anything more."""

from __future__ import annotations

from datetime import timedelta

from licence_manager.domain.freshness import ShardOutcome, SyncHeartbeat, next_heartbeat
from licence_manager.domain.offline import offline_skus_of
from tests.builders import T0

STARTER, PLUS = "1010020027", "1010020025"


def run(
    previous: SyncHeartbeat | None,
    minutes: int,
    offline: dict[str, frozenset[str]],
    complete: bool = True,
    prefix: str = "",
) -> SyncHeartbeat:
    outcome = ShardOutcome(
        prefix,
        T0 + timedelta(minutes=minutes),
        complete,
        None if complete else "listing stopped",
        offline_skus=offline,
    )
    return next_heartbeat(previous, 300, (outcome,))


def test_a_complete_run_replaces_what_the_shard_holds_offline() -> None:
    beat = run(None, 0, {"C1": frozenset({STARTER, PLUS})})
    assert offline_skus_of(beat, "acme.example", "C1") == {STARTER, PLUS}
    beat = run(beat, 5, {"C1": frozenset({PLUS})})
    assert offline_skus_of(beat, "acme.example", "C1") == {PLUS}
    assert offline_skus_of(beat, "acme.example", "C2") == frozenset()


def test_an_incomplete_run_keeps_what_it_did_not_get_to_see() -> None:
    beat = run(None, 0, {"C1": frozenset({STARTER})})
    beat = run(beat, 5, {"C2": frozenset({PLUS})}, complete=False)
    assert offline_skus_of(beat, "acme.example", "C1") == {STARTER}
    assert offline_skus_of(beat, "beta.example", "C2") == {PLUS}


def test_only_the_customers_own_shard_counts() -> None:
    beat = run(None, 0, {"C1": frozenset({STARTER})}, prefix="a")
    beat = run(beat, 1, {}, prefix="b")
    assert offline_skus_of(beat, "acme.example", "C1") == {STARTER}
    assert offline_skus_of(beat, "beta.example", "C1") == frozenset()
    assert offline_skus_of(None, "acme.example", "C1") == frozenset()
