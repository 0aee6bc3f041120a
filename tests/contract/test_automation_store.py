"""One contract, two automation stores: the in-memory fake must behave like Firestore on the
emulator for what the AutomationStore port still does (settings, requests created and read,
the sweeper's list, the automation state). Evaluations and a request's lifecycle are read-decide-
writes of the services, run in a unit of work: see test_request_lifecycle.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from licence_manager.domain.audit import Source
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.settings import LicenceSettings, TopUpMode
from licence_manager.domain.topup import RequestStatus, TopUpRequest
from licence_manager.services.settings import save_settings
from tests.builders import T0
from tests.contract.test_unit_of_work import Backend, Store, backend

__all__ = ["backend"]  # the fixture, shared with the unit of work's contract

KEY = LicenceKey("C01", "1010020028")


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store


def a_request(
    request_id: str = "r1", key: LicenceKey = KEY, at: datetime = T0, **changes: object
) -> TopUpRequest:
    made = TopUpRequest(
        request_id=request_id,
        key=key,
        source=Source.MANUAL,
        requested_by="admin@acme.example",
        plan_name="FLEXIBLE",
        seats_to_add=3,
        total_before=10,
        total_after=13,
        created_at=at,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def ids(requests: list[TopUpRequest]) -> list[str]:
    return [r.request_id for r in requests]


# settings


def test_settings_default_to_everything_off(store: Store) -> None:
    assert store.settings(KEY) == LicenceSettings()


def test_saved_settings_read_back_equal(backend: Backend) -> None:
    store = backend.store
    settings = LicenceSettings(
        low_licence_alert=True,
        alert_vacant_at_or_below=3,
        alert_utilisation_at_or_above=0.85,
        auto_top_up=True,
        top_up_when_vacant_below=2,
        top_up_target_vacant=5,
        top_up_mode=TopUpMode.FIXED_STEP,
        top_up_step=4,
        max_total_seats=200,
        max_seats_per_month=20,
    )
    save_settings(backend.uow, KEY, settings, "admin@acme.example", T0)
    assert store.settings(KEY) == settings
    assert store.settings(LicenceKey("C01", "1010020027")) == LicenceSettings()


def test_saving_settings_lifts_the_pause_of_a_failed_top_up(backend: Backend) -> None:
    paused = AutomationState(low_alert_active=True, low_alerts=1, top_ups=1, failed_at_total=10)
    backend.run(lambda tx: tx.automation.put(KEY, paused))

    save_settings(backend.uow, KEY, LicenceSettings(), "admin@acme.example", T0)

    assert backend.store.automation_state(KEY) == replace(paused, failed_at_total=None)


# the automation state


def test_an_automation_state_reads_back_equal(backend: Backend) -> None:
    state = AutomationState(
        low_alert_active=True,
        low_alerts=3,
        blocked_alert_active=True,
        blocked_alerts=2,
        pending_request_id="C01_1010020028-auto-4",
        top_ups=4,
        month="2026-11",
        seats_added_this_month=7,
        failed_at_total=12,
        in_flight_request_id="C01_1010020028-auto-4",
        in_flight_total_after=15,
        in_flight_since=T0 + timedelta(microseconds=123456),
    )
    assert backend.store.automation_state(KEY) == AutomationState()

    backend.run(lambda tx: tx.automation.put(KEY, state))

    assert backend.store.automation_state(KEY) == state


# requests


def test_create_request_creates_only_once(store: Store) -> None:
    assert store.create_request(a_request()) is True
    assert store.create_request(a_request(seats_to_add=50, total_after=60)) is False
    assert store.request("r1") == a_request()
    assert store.request("nope") is None


def test_a_request_reads_back_equal_with_every_field(store: Store) -> None:
    claimed = a_request(
        status=RequestStatus.CLAIMED,
        attempts=2,
        claimed_at=T0 + timedelta(seconds=1, microseconds=7),
        change_sent_at=T0 + timedelta(seconds=2),
        message="sending",
        time_zone="Europe/Paris",
    )
    store.create_request(claimed)
    assert store.request("r1") == claimed


def test_a_licences_requests_come_oldest_first(store: Store) -> None:
    store.create_request(a_request("b", at=T0 + timedelta(hours=1)))
    store.create_request(a_request("c", at=T0))
    store.create_request(a_request("a", at=T0 + timedelta(hours=1)))
    # neither another SKU nor one whose id shares the prefix may leak in
    store.create_request(a_request("x", key=LicenceKey("C01", "10100200280")))
    store.create_request(a_request("y", key=LicenceKey("C01", "1010020027")))

    assert ids(store.requests_of(KEY)) == ["c", "a", "b"]
    assert store.requests_of(LicenceKey("C02", "1010020028")) == []


# the sweeper's list


def test_requests_in_progress_are_the_pending_and_claimed_ones(store: Store) -> None:
    for status in RequestStatus:
        store.create_request(a_request(status.value.lower(), status=status))
    store.create_request(a_request("other", key=LicenceKey("C02", "1010020027")))

    assert sorted(ids(store.requests_in_progress())) == ["claimed", "other", "pending"]


def test_requests_in_progress_come_oldest_first(store: Store) -> None:
    store.create_request(a_request("b", at=T0 + timedelta(hours=1)))
    store.create_request(a_request("c", at=T0))
    store.create_request(a_request("a", at=T0 + timedelta(hours=1), status=RequestStatus.CLAIMED))
    store.create_request(a_request("d", at=T0 - timedelta(days=1), status=RequestStatus.APPLIED))

    assert ids(store.requests_in_progress()) == ["c", "a", "b"]


def test_no_requests_in_progress_is_an_empty_list(store: Store) -> None:
    store.create_request(a_request(status=RequestStatus.FAILED))
    assert store.requests_in_progress() == []


def test_requests_in_progress_stop_at_the_limit(store: Store) -> None:
    for n in range(5):
        store.create_request(a_request(f"r{n}", at=T0 + timedelta(minutes=n)))

    assert len(store.requests_in_progress(limit=3)) == 3


def test_requests_in_progress_within_the_limit_are_the_oldest(
    backend: Backend, request: pytest.FixtureRequest
) -> None:
    # document ids in the opposite order to their age
    for n, request_id in enumerate(["e", "d", "c", "b", "a"]):
        backend.store.create_request(a_request(request_id, at=T0 + timedelta(minutes=n)))

    assert ids(backend.store.requests_in_progress(limit=2)) == ["e", "d"]


# spending limits (security review #11)


def test_requests_awaiting_approval_are_only_those_oldest_first(store: Store) -> None:
    waiting = RequestStatus.AWAITING_APPROVAL
    store.create_request(a_request("b", at=T0 + timedelta(hours=1), status=waiting))
    store.create_request(a_request("a", at=T0, status=waiting))
    store.create_request(a_request("pending", at=T0 - timedelta(hours=1)))
    failed = RequestStatus.FAILED
    store.create_request(a_request("failed", at=T0 - timedelta(hours=1), status=failed))

    assert ids(store.requests_awaiting_approval()) == ["a", "b"]
    assert ids(store.requests_awaiting_approval(limit=1)) == ["a"]


def test_a_customers_requests_since_a_moment_across_its_skus(store: Store) -> None:
    store.create_request(a_request("old", at=T0 - timedelta(days=40)))
    store.create_request(a_request("b", key=LicenceKey("C01", "1010020027"), at=T0))
    store.create_request(a_request("a", at=T0 - timedelta(days=3)))
    store.create_request(a_request("theirs", key=LicenceKey("C02", "1010020028"), at=T0))
    approved = a_request(
        "approved", at=T0, approved_by="ops@reseller.example", approved_at=T0 + timedelta(days=1)
    )
    store.create_request(approved)

    assert ids(store.requests_of_customer_since("C01", T0 - timedelta(days=31))) == [
        "a",
        "approved",
        "b",
    ]
    assert store.request("approved") == approved


def test_settings_and_states_read_together_equal_reading_them_one_by_one(
    backend: Backend,
) -> None:
    store, other, never = backend.store, LicenceKey("C01", "1010020027"), LicenceKey("C09", "1")
    save_settings(backend.uow, KEY, LicenceSettings(low_licence_alert=True), "a@b.example", T0)
    backend.run(lambda tx: tx.automation.put(other, AutomationState(low_alert_active=True)))
    together = store.settings_and_states([KEY, other, never])
    assert together == {
        key: (store.settings(key), store.automation_state(key)) for key in (KEY, other, never)
    }
    assert together[KEY][0].low_licence_alert and together[other][1].low_alert_active
    assert together[never] == (LicenceSettings(), AutomationState())
    assert store.settings_and_states([]) == {}
