"""Savings recorded exactly once, by the production services on in-memory ports: a held annual
top-up evaluated again and again is one saving per held episode; a term renewed with fewer
seats, synced again, is one saving; a flexible hold is none."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from licence_manager.domain.buying import BuyingControl
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight
from licence_manager.domain.model import Licence, LicenceKey, Usage
from licence_manager.domain.prices import Price
from licence_manager.domain.saving_totals import since_joined, totals_for_month
from licence_manager.domain.savings import SavingKind
from licence_manager.domain.settings import LicenceSettings
from licence_manager.services.evaluate import EvaluateLicence
from licence_manager.services.recording import record_seen
from tests.builders import subscription
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
TERM_END = datetime(2027, 6, 1, tzinfo=UTC)  # 5 whole months left on 6 Dec
SKU = "1010020028"
HOLD = 3
SETTINGS = LicenceSettings(
    low_licence_alert=True,
    alert_vacant_at_or_below=2,
    auto_top_up=True,
    top_up_when_vacant_below=2,
    top_up_target_vacant=4,
    max_total_seats=100,
    hold_top_ups_when_reclaimable=HOLD,
)


def world(plan: str = "ANNUAL") -> tuple[InMemoryApiStore, MemoryUnitOfWork]:
    store = InMemoryApiStore()
    for row_plan in ("ANNUAL_MONTHLY_PAY", "FLEXIBLE"):
        store.save_price(Price(SKU, "Business Standard", row_plan, "GBP", 1_000, NOW, "ops"))
    store.save_discount("C01", Decimal("10"), "ops", NOW)  # 900p a seat for C01
    sub = subscription(plan=plan, total=10, assigned=9, commitment_ends_at=TERM_END)
    store.licences[sub.key] = Licence(sub.key, sub.customer_domain, Usage.of(sub), "UTC", NOW)
    store.settings_records[sub.key] = SETTINGS
    reclaimable(store, HOLD)
    return store, MemoryUnitOfWork(store)


def reclaimable(store: InMemoryApiStore, seats: int) -> None:
    sku = SkuInsight("Google-Apps", 9, seats, seats, 0, 0)
    store.insights["C01"] = LicenceInsights("C01", NOW, HoldersStatus.OK, "", 60, {SKU: sku})


def evaluate_at(uow: MemoryUnitOfWork, key: LicenceKey, minutes: int) -> None:
    at = NOW + timedelta(minutes=minutes)
    EvaluateLicence(uow, RecordingPublisher(), clock=lambda: at)(key)


def test_a_held_annual_top_up_evaluated_three_times_is_one_saving() -> None:
    store, uow = world()
    key = next(iter(store.licences))
    for minutes in (0, 5, 10):  # every 5 minutes, as licence writes trigger it
        evaluate_at(uow, key, minutes)
    found = store.savings_in_month("C01", "2026-12")
    assert [s.saving_id for s in found] == ["C01_1010020028-held-1"]
    saving = found[0]
    # 1 vacant of 10, target 4 vacant: 3 seats not bought, 5 whole months left, 900p each.
    assert (saving.kind, saving.seats, saving.months) == (SavingKind.HELD_TOP_UP, 3, 5)
    assert saving.amount_minor == 900 * 3 * 5
    totals = store.saving_totals("C01")
    assert [(t.currency, t.total_minor) for t in totals_for_month(totals, "2026-12")] == [
        ("GBP", 13_500)
    ]
    assert totals is not None and totals.counts == {"2026-12": 1}
    # The held episode's alert went out once, and nothing was bought.
    assert not store.requests


def test_a_new_held_episode_after_the_hold_lifted_is_a_second_saving() -> None:
    store, uow = world()
    key = next(iter(store.licences))
    evaluate_at(uow, key, 0)
    # Seats were reclaimed: the top-up goes ahead (a request), ending the episode.
    reclaimable(store, 0)
    evaluate_at(uow, key, 5)
    assert len(store.requests) == 1
    # The request is dropped as if superseded; more seats become reclaimable: held again.
    state = store.automation[key]
    store.automation[key] = replace(state, pending_request_id=None)
    reclaimable(store, HOLD + 2)
    for minutes in (10, 15):
        evaluate_at(uow, key, minutes)
    ids = [s.saving_id for s in store.savings_in_month("C01", "2026-12")]
    assert ids == ["C01_1010020028-held-1", "C01_1010020028-held-2"]


def test_a_held_flexible_top_up_is_never_a_saving() -> None:
    store, uow = world(plan="FLEXIBLE")
    key = next(iter(store.licences))
    for minutes in (0, 5):
        evaluate_at(uow, key, minutes)
    assert store.automation[key].blocked_alerts == 1  # it was held
    assert store.savings_in_month("C01", "2026-12") == []
    assert store.saving_totals("C01") is None


def test_a_top_up_blocked_by_a_cap_is_no_saving() -> None:
    store, uow = world()
    key = next(iter(store.licences))
    store.settings_records[key] = replace(SETTINGS, max_total_seats=11)
    evaluate_at(uow, key, 0)
    assert store.automation[key].blocked_alerts == 1
    assert store.saving_totals("C01") is None


def test_a_term_renewed_with_fewer_seats_synced_twice_is_one_saving() -> None:
    store, uow = world()
    old_end = datetime(2026, 12, 1, tzinfo=UTC)
    before = subscription(plan="ANNUAL", total=20, assigned=14, commitment_ends_at=old_end)
    record_seen(uow, before, "UTC", NOW - timedelta(days=10))
    renewed = subscription(
        plan="ANNUAL", total=15, assigned=14, commitment_ends_at=datetime(2027, 12, 1, tzinfo=UTC)
    )
    record_seen(uow, renewed, "UTC", NOW)
    record_seen(uow, renewed, "UTC", NOW + timedelta(minutes=5))
    # A late or replayed observation of the old term, then the renewal seen again: the same
    # saving id (licence + the old term's end), so nothing is counted twice.
    store.licences[before.key] = replace(
        store.licences[before.key], usage=Usage.of(before), updated_at=NOW
    )
    record_seen(uow, renewed, "UTC", NOW + timedelta(minutes=10))
    found = store.savings_in_month("C01", "2026-12")
    assert [s.saving_id for s in found] == ["C01_1010020028-renewal-2026-12-01"]
    assert (found[0].kind, found[0].seats, found[0].months) == (SavingKind.NOT_RECOMMITTED, 5, 12)
    assert found[0].amount_minor == 900 * 5 * 12
    totals = store.saving_totals("C01")
    assert [(t.currency, t.total_minor) for t in since_joined(totals)] == [("GBP", 54_000)]


def test_an_annual_licence_changing_seats_mid_term_is_no_saving() -> None:
    store, uow = world()
    sub = subscription(plan="ANNUAL", total=20, assigned=14, commitment_ends_at=TERM_END)
    record_seen(uow, sub, "UTC", NOW)
    record_seen(uow, replace(sub, number_of_seats=15), "UTC", NOW + timedelta(minutes=5))
    assert store.saving_totals("C01") is None


def test_a_top_up_blocked_by_the_emergency_stop_is_no_saving() -> None:
    store, uow = world()
    key = next(iter(store.licences))
    reclaimable(store, 0)  # not held: the pause alone blocks it
    store.controls["buying"] = BuyingControl(paused=True, reason="audit")
    evaluate_at(uow, key, 0)
    assert store.automation[key].blocked_alerts == 1
    assert store.saving_totals("C01") is None


def test_a_held_annual_top_up_with_no_term_end_reported_is_no_saving() -> None:
    store, uow = world()
    key = next(iter(store.licences))
    licence = store.licences[key]
    store.licences[key] = replace(licence, usage=replace(licence.usage, commitment_ends_at=None))
    evaluate_at(uow, key, 0)
    assert store.automation[key].blocked_alerts == 1  # held all the same
    assert store.saving_totals("C01") is None
