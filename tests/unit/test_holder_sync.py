"""The holder sync of one customer on fakes: the join, the reclaim reasons it stores, what it
writes and what it leaves alone when Google refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from licence_manager.domain.holders import HolderRecord, user_key
from licence_manager.domain.insights import HoldersStatus
from licence_manager.domain.model import Customer, Licence, LicenceKey, Usage
from licence_manager.domain.products import product_of
from licence_manager.domain.reclaim import ReclaimPolicy
from licence_manager.services.holder_sync import (
    HolderSyncOutcome,
    PlanHolderSync,
    SyncCustomerHolders,
)
from tests.fakes.memory import InMemoryLicenceStore
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.memory_holders import FakeDomain, FakeSeatHolderSource, InMemoryHolderStore
from tests.fakes.memory_reports import InMemoryReports

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=400)
STARTER, STANDARD, VAULT = "1010020027", "1010020028", "Google-Vault"
CUSTOMER = Customer("C01", "acme.example", "Acme", "Europe/London")


class World:
    def __init__(self, skus: tuple[str, ...] = (STARTER, VAULT)) -> None:
        self.licences = InMemoryLicenceStore()
        self.licences.save_customer(CUSTOMER)
        for sku in skus:
            self.hold(sku)
        self.source = FakeSeatHolderSource()
        self.domain: FakeDomain = self.source.add_customer("C01", "acme.example")
        self.store = InMemoryHolderStore()
        self.now = NOW
        self.sync = SyncCustomerHolders(
            self.source, self.store, self.licences, clock=lambda: self.now
        )

    def hold(self, sku: str, status: str = "ACTIVE") -> None:
        usage = Usage(sku, "FLEXIBLE", "sub", status, 10, 3)
        key = LicenceKey("C01", sku)
        self.licences.licences[key] = Licence(key, "acme.example", usage, "Europe/London", NOW)

    def holder(self, email: str, sku: str = STARTER) -> HolderRecord:
        [found] = [r for r in self.store.holders.values() if r.email == email and r.sku_id == sku]
        return found


@pytest.fixture
def world() -> World:
    w = World()
    d = w.domain
    d.add_user(
        "u-ann",
        "ann@acme.example",
        STARTER,
        VAULT,
        created_at=LONG_AGO,
        last_login=NOW - timedelta(days=2),
    )
    d.add_user(
        "u-bob",
        "bob@acme.example",
        STARTER,
        suspended=True,
        created_at=LONG_AGO,
        last_login=NOW - timedelta(days=5),
    )
    # Google's 1970 "never", parsed by the adapter to None: never signed in, made long ago.
    d.add_user("u-cat", "cat@acme.example", STARTER, created_at=LONG_AGO, last_login=None)
    d.add_user(
        "u-dan",
        "dan@acme.example",
        STARTER,
        created_at=LONG_AGO,
        last_login=NOW - timedelta(days=90),
    )
    d.activity = {"ann@acme.example": NOW - timedelta(days=3), "dan@acme.example": None}
    return w


def test_joins_assignments_with_users_and_stores_each_holder_with_its_reason(world: World) -> None:
    done = world.sync("C01")
    assert done.outcome is HolderSyncOutcome.SYNCED
    assert done.holders == 5  # four Starter seats and ann's Vault seat
    assert done.activity
    assert {(r.email, r.sku_id, r.reclaim_reason) for r in world.store.holders.values()} == {
        ("ann@acme.example", STARTER, ""),
        ("ann@acme.example", VAULT, ""),
        ("bob@acme.example", STARTER, "SUSPENDED"),
        ("cat@acme.example", STARTER, "NEVER_SIGNED_IN"),
        ("dan@acme.example", STARTER, "INACTIVE"),
    }
    ann = world.holder("ann@acme.example")
    assert ann.document_id == "C01_1010020027_u-ann"
    assert (ann.customer_domain, ann.product_id, ann.user_id) == (
        "acme.example",
        "Google-Apps",
        "u-ann",
    )
    assert ann.last_activity == NOW - timedelta(days=3)
    assert ann.activity_as_of == date(2026, 11, 17)  # the Reports API's lag: three days back
    assert world.holder("ann@acme.example", VAULT).product_id == "Google-Vault"
    insights = world.store.insights("C01")
    assert insights is not None and insights.holders_status is HoldersStatus.OK
    assert insights.inactive_days == 60
    starter = insights.skus[STARTER]
    assert (starter.holders, starter.reclaimable, starter.suspended) == (4, 3, 1)
    assert (starter.never_signed_in, starter.inactive) == (1, 1)
    assert insights.reclaimable(VAULT) == 0
    # One call per product held, one users.list, one usage report.
    assert sorted(world.source.calls) == [
        ("activity", "C01"),
        ("assignments", "acme.example"),
        ("assignments", "acme.example"),
        ("users", "C01"),
    ]


def test_the_1970_never_value_is_never_signed_in_only_once_the_account_is_old_enough() -> None:
    w = World(skus=(STARTER,))
    w.domain.add_user("u-new", "new@acme.example", STARTER, created_at=NOW - timedelta(days=10))
    w.domain.add_user("u-old", "old@acme.example", STARTER, created_at=NOW - timedelta(days=61))
    w.sync("C01")
    assert w.holder("new@acme.example").reclaim_reason == ""
    assert w.holder("old@acme.example").reclaim_reason == "NEVER_SIGNED_IN"
    assert w.holder("old@acme.example").last_login is None


def test_the_customer_policy_decides_how_long_inactive_is(world: World) -> None:
    world.store.policies["C01"] = ReclaimPolicy(inactive_days=120)
    world.sync("C01")
    assert world.holder("dan@acme.example").reclaim_reason == ""
    insights = world.store.insights("C01")
    assert insights is not None and insights.inactive_days == 120


def test_a_holder_missing_from_the_directory_is_still_listed_and_never_guessed_at(
    world: World,
) -> None:
    world.domain.assign("gone@acme.example", STARTER)
    world.sync("C01")
    ghost = world.holder("gone@acme.example")
    assert ghost.user_id == ""
    assert ghost.document_id == f"C01_{STARTER}_{user_key('', 'gone@acme.example')}"
    assert ghost.document_id.startswith(f"C01_{STARTER}_e-") and len(ghost.user_key) == 18
    assert (ghost.created_at, ghost.last_login, ghost.reclaim_reason) == (None, None, "")
    insights = world.store.insights("C01")
    assert insights is not None and insights.skus[STARTER].holders == 5


def test_assignments_of_skus_not_held_through_us_are_left_out(world: World) -> None:
    world.domain.assign("ann@acme.example", "1010020025")  # Business Plus, bought elsewhere
    world.sync("C01")
    assert {r.sku_id for r in world.store.holders.values()} == {STARTER, VAULT}


def test_a_departed_holder_is_deleted_and_the_others_are_not_rewritten(world: World) -> None:
    world.sync("C01")
    world.domain.assignments = [
        a for a in world.domain.assignments if a.email != "bob@acme.example"
    ]
    world.now = NOW + timedelta(hours=2)
    before = world.store.writes
    done = world.sync("C01")
    assert not [r for r in world.store.holders.values() if r.email == "bob@acme.example"]
    # bob's document deleted, and the insights (one SKU's counts changed) rewritten.
    assert done.written == world.store.writes - before == 2
    insights = world.store.insights("C01")
    assert insights is not None and insights.skus[STARTER].suspended == 0


def test_a_second_run_the_same_day_writes_nothing(world: World) -> None:
    first = world.sync("C01")
    assert first.written == 6  # five holders and the insights
    world.now = NOW + timedelta(hours=3)
    again = world.sync("C01")
    assert again.outcome is HolderSyncOutcome.SYNCED
    assert again.written == 0
    # The next day's run writes only the insights (their syncedAt says when the customer was
    # last checked); a holder's syncedAt says when its facts were last written.
    world.now = NOW + timedelta(days=1)
    assert world.sync("C01").written == 1


@pytest.mark.parametrize("api", ["licensing", "directory"])
def test_no_access_keeps_the_holders_and_says_so(world: World, api: str) -> None:
    world.sync("C01")
    kept = dict(world.store.holders)
    world.domain.denied = {api}
    world.now = NOW + timedelta(days=1)
    done = world.sync("C01")
    assert done.outcome is HolderSyncOutcome.NO_ACCESS
    assert world.store.holders == kept  # neither deleted nor rewritten
    insights = world.store.insights("C01")
    assert insights is not None
    assert insights.holders_status is HoldersStatus.NO_ACCESS
    assert "turned off reseller access" in insights.holders_detail
    assert "domainCannotUseApis" in insights.holders_detail
    assert insights.reclaimable(STARTER) is None  # nothing may be concluded
    assert world.sync("C01").written == 0  # and said once


def test_another_failure_records_an_error_and_keeps_the_holders(world: World) -> None:
    world.sync("C01")
    kept = dict(world.store.holders)
    world.domain.failing = {"directory"}
    done = world.sync("C01")
    assert done.outcome is HolderSyncOutcome.ERROR
    assert world.store.holders == kept
    insights = world.store.insights("C01")
    assert insights is not None and insights.holders_status is HoldersStatus.ERROR


@pytest.mark.parametrize("how", ["denied", "failing"])
def test_reports_refused_loses_only_the_activity(world: World, how: str) -> None:
    setattr(world.domain, how, {"reports"})
    done = world.sync("C01")
    assert done.outcome is HolderSyncOutcome.SYNCED and not done.activity
    ann = world.holder("ann@acme.example")
    assert (ann.last_activity, ann.activity_as_of) == (None, None)
    # Still judged on the Directory's lastLoginTime.
    assert world.holder("dan@acme.example").reclaim_reason == "INACTIVE"
    insights = world.store.insights("C01")
    assert insights is not None and insights.holders_status is HoldersStatus.OK
    assert insights.holders_detail == "No activity data from the Reports API."
    assert insights.reclaimable(STARTER) == 3


def test_unknown_and_removed_skus_are_skipped_without_calls() -> None:
    w = World(skus=("9999999999",))
    w.hold(STANDARD, status="REMOVED")
    done = w.sync("C01")
    assert done.outcome is HolderSyncOutcome.SYNCED
    assert done.skipped_skus == {"9999999999": "no known Licensing product for this SKU"}
    assert w.source.calls == [] and done.api_calls == 0
    insights = w.store.insights("C01")
    assert insights is not None and insights.skus == {}


def test_a_customer_removed_since_the_plan_is_skipped() -> None:
    w = World()
    assert w.sync("C99").outcome is HolderSyncOutcome.NO_CUSTOMER
    assert w.store.writes == 0


def test_the_planner_publishes_a_page_of_customers_and_the_next_page() -> None:
    licences = InMemoryLicenceStore()
    for n in range(5):
        licences.save_customer(Customer(f"C0{n}", f"c{n}.example", "", "Europe/London"))
    publisher = RecordingPublisher()
    plan = PlanHolderSync(InMemoryReports(licences), publisher, page_size=2)
    page = plan()
    assert (page.published, page.next_after) == (2, "C01")
    assert plan("C03").next_after is None
    assert publisher.holder_sync_customers == ["C00", "C01", "C04"]
    assert publisher.holder_sync_pages == ["C01"]


def test_product_ids_of_skus() -> None:
    assert product_of("1010020020") == "Google-Apps"
    assert product_of("1010340002") == "101034"  # Business Archived User
    assert product_of("1010680001") == "101068"  # Gemini Business
    assert product_of("Google-Vault-Former-Employee") == "Google-Vault"
    assert product_of("1010330003") == "101033"  # Voice
    assert product_of("1010380001") == "101038"  # AppSheet
    assert product_of("1010020099") is None  # not in Google's table: skipped, not guessed
    assert product_of("Google-Vaulted") is None


def pubsub(body: dict[str, object]) -> dict[str, object]:
    import base64
    import json

    return {"message": {"data": base64.b64encode(json.dumps(body).encode()).decode()}}


def test_the_function_plans_a_page_or_syncs_one_customer(monkeypatch: pytest.MonkeyPatch) -> None:
    from licence_manager import bootstrap, entrypoints

    w = World()
    publisher = RecordingPublisher()
    plan = PlanHolderSync(InMemoryReports(w.licences), publisher)
    monkeypatch.setattr(bootstrap, "holder_sync_planner", lambda: plan)
    monkeypatch.setattr(bootstrap, "holder_sync_customer", lambda: w.sync)
    entrypoints.sync_holders_message(pubsub({"job": "sync-holders"}))
    assert publisher.holder_sync_customers == ["C01"]
    entrypoints.sync_holders_message(pubsub({"job": "sync-holders-customer", "customerId": "C01"}))
    assert w.store.insights("C01") is not None
    # Malformed messages are dropped, not retried.
    for bad in ({"job": "sync-holders", "after": 3}, {"job": "sync-holders-customer"}, {}):
        entrypoints.sync_holders_message(pubsub(bad))
    assert publisher.holder_sync_customers == ["C01"]


def test_forecasts_are_stored_with_the_insights_even_without_access(world: World) -> None:
    from licence_manager.domain.daily import roll
    from tests.fakes.memory_automation import InMemoryStore

    rollups = InMemoryStore()
    key = LicenceKey("C01", STARTER)
    for n in range(70):  # one more user a day, up to the day before NOW
        day = NOW - timedelta(days=n + 1)
        before = Usage(STARTER, "FLEXIBLE", "sub", "ACTIVE", 100, 79 - n)
        after = Usage(STARTER, "FLEXIBLE", "sub", "ACTIVE", 100, 80 - n)
        rollups.days[(key, day.date().isoformat())] = roll(
            None, key, "Europe/London", day.replace(hour=12), before, after
        )
    world.sync = SyncCustomerHolders(
        world.source,
        world.store,
        world.licences,
        InMemoryReports(rollups),
        clock=lambda: world.now,
    )
    world.domain.denied = {"directory"}
    assert world.sync("C01").outcome is HolderSyncOutcome.NO_ACCESS
    insights = world.store.insights("C01")
    assert insights is not None and insights.reclaimable(STARTER) is None
    forecast = insights.forecasts[STARTER]
    assert forecast.as_of == date(2026, 11, 19)  # the last complete day in London
    assert forecast.enough_history and forecast.runs_out_on is not None
    assert set(insights.forecasts) == {STARTER, VAULT}  # Vault: no rollups, not enough history
    assert not insights.forecasts[VAULT].enough_history
    world.now = NOW + timedelta(hours=3)
    assert world.sync("C01").written == 0  # the same day's forecast is not written again


def test_a_holder_is_rewritten_only_when_a_fact_changes() -> None:
    stored = HolderRecord(
        customer_id="C01",
        customer_domain="acme.example",
        product_id="Google-Apps",
        sku_id=STARTER,
        email="ann@acme.example",
        user_id="u-ann",
        suspended=False,
        archived=False,
        created_at=LONG_AGO,
        last_login=NOW - timedelta(days=2),
        last_activity=NOW - timedelta(days=3),
        activity_as_of=date(2026, 11, 17),
        reclaim_reason="",
        synced_at=NOW,
    )
    tomorrow = NOW + timedelta(days=1)
    same = replace(stored, synced_at=tomorrow, activity_as_of=date(2026, 11, 18))
    assert not same.needs_writing_over(stored)  # a later day and a later report say the same
    assert replace(same, last_activity=tomorrow).needs_writing_over(stored)
    assert replace(same, last_activity=None, activity_as_of=None).needs_writing_over(stored)
    assert stored.needs_writing_over(None)
