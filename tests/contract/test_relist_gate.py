"""One contract, two coalescing stores: the in-memory fake and Firestore (emulator) must decide
and remember a customer's re-lists alike (domain.relist_coalescing)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from licence_manager.adapters.firestore_relists import FirestoreRelistGate
from licence_manager.domain.relist_coalescing import Arrival, Coalescing, RelistState
from licence_manager.ports.relists import RelistGate
from tests.builders import T0
from tests.fakes.memory_relists import InMemoryRelistGate

RULE = Coalescing(window=timedelta(seconds=5), claim_lease=timedelta(seconds=30))


@pytest.fixture(params=["memory", "firestore"])
def gate(request: pytest.FixtureRequest) -> RelistGate:
    if request.param == "memory":
        return InMemoryRelistGate()
    return FirestoreRelistGate(request.getfixturevalue("firestore_client"))


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def test_an_unknown_customer_reads_as_never_relisted(gate: RelistGate) -> None:
    assert gate.state("C-none") == RelistState()


def test_a_window_of_events_then_its_follow_up(gate: RelistGate) -> None:
    assert gate.arrive("C01", T0, "a", RULE).arrival is Arrival.RELIST_NOW
    owned = gate.arrive("C01", T0 + s(1), "b", RULE)
    assert owned.arrival is Arrival.FOLLOW_UP and owned.due_at == T0 + s(5)
    assert gate.arrive("C01", T0 + s(2), "c", RULE).arrival is Arrival.COALESCED
    assert gate.state("C01") == RelistState(
        last_started_at=T0,
        pending_token="b",
        pending_due_at=T0 + s(5),
        pending_until=T0 + s(35),
        relists=1,
    )
    assert gate.claim("C01", "c", T0 + s(5)) is False  # not its follow-up
    assert gate.claim("C01", "b", T0 + s(5)) is True
    assert gate.claim("C01", "b", T0 + s(5)) is False
    assert gate.state("C01") == RelistState(last_started_at=T0 + s(5), relists=2)
    assert gate.arrive("C02", T0 + s(2), "d", RULE).arrival is Arrival.RELIST_NOW  # its own


def test_a_relist_after_the_window_overtakes_an_unclaimed_follow_up(gate: RelistGate) -> None:
    gate.arrive("C01", T0, "a", RULE)
    gate.arrive("C01", T0 + s(1), "b", RULE)
    assert gate.arrive("C01", T0 + s(6), "c", RULE).arrival is Arrival.RELIST_NOW
    assert gate.claim("C01", "b", T0 + s(6.1)) is False
    assert gate.state("C01").relists == 2


def test_completion_covers_earlier_events_and_never_moves_back(gate: RelistGate) -> None:
    gate.arrive("C01", T0, "a", RULE)
    gate.completed("C01", T0)
    assert gate.state("C01").covered_until == T0
    late = gate.arrive("C01", T0 + s(1), "b", RULE, published_at=T0 - s(3))
    assert late.arrival is Arrival.COVERED
    gate.completed("C01", T0 - s(10))  # an older re-list finishing late
    assert gate.state("C01") == RelistState(last_started_at=T0, relists=1, covered_until=T0)
