"""My Licences' summaries through the API: the sync status from the heartbeat, and the figures
over a customer's licences with the estimated spend; roles as every customer route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from licence_manager.domain.freshness import ShardOutcome
from licence_manager.domain.prices import lookup_from, per_seat_minor
from licence_manager.ports import SyncRunRecord
from licence_manager_local.demo_prices import demo_prices
from tests.api.conftest import (
    ACME,
    ADMIN,
    GLOBEX,
    MANAGER,
    OPS,
    OTHER_ADMIN,
    STANDARD,
    STARTER,
    Api,
    build_api,
)
from tests.api.test_openapi import check

BASE = f"/api/v1/customers/{ACME}"
NOW = datetime(2026, 12, 5, 14, 10, tzinfo=UTC)  # 14:10 in London in December


def beat(api: Api, at: datetime, problems: dict[str, str] | None = None) -> None:
    api.store.record_sync_run(
        SyncRunRecord(
            "run",
            at,
            at,
            3,
            0,
            1,
            0,
            True,
            300,
            (ShardOutcome("", at, True, None, problems or {}),),
        )
    )


def clocked(now: datetime = NOW) -> Api:
    api = build_api()
    api.app.config["CLOCK"] = lambda: now
    return api


def test_before_any_sync_the_figures_are_not_claimed_to_be_checked() -> None:
    body = clocked().call("GET", f"{BASE}/sync-status").get_json()
    assert body["state"] == "unknown" and body["checkedAt"] is None
    assert body["summary"] == "Not checked with Google yet."
    assert body["warning"]


def test_a_recent_sync_says_when_and_how_often_in_the_customers_time() -> None:
    api = clocked()
    beat(api, NOW - timedelta(minutes=7))
    body = api.call("GET", f"{BASE}/sync-status").get_json()
    assert body == {
        "state": "fresh",
        "checkedAt": (NOW - timedelta(minutes=7)).isoformat(),
        "intervalSeconds": 300,
        "staleAfterSeconds": 900,
        "reason": None,
        "summary": "Checked with Google at 14:03, every 5 minutes.",
        "warning": None,
        "timeZone": "Europe/London",
    }


def test_a_stopped_sync_is_stale_with_the_recorded_reason_for_this_customer_only() -> None:
    api = clocked()
    beat(api, NOW - timedelta(hours=1))
    beat(api, NOW - timedelta(minutes=2), {GLOBEX: "Google refused access (403)."})
    acme = api.call("GET", f"{BASE}/sync-status").get_json()
    assert acme["state"] == "fresh" and acme["reason"] is None
    globex = api.call("GET", f"/api/v1/customers/{GLOBEX}/sync-status", OTHER_ADMIN).get_json()
    assert globex["state"] == "stale" and globex["reason"] == "Google refused access (403)."
    assert globex["warning"].startswith("Last checked with Google at 13:10")
    assert globex["warning"].endswith("Reason: Google refused access (403).")


def test_every_role_reads_the_status_of_customers_it_may_see_only() -> None:
    api = clocked()
    beat(api, NOW)
    for email in (ADMIN, MANAGER, OPS):
        assert api.call("GET", f"{BASE}/sync-status", email).status_code == 200
        assert api.call("GET", f"{BASE}/licence-summary", email).status_code == 200
    assert api.call("GET", f"{BASE}/sync-status", OTHER_ADMIN).status_code == 404
    assert api.call("GET", f"{BASE}/licence-summary", OTHER_ADMIN).status_code == 404
    assert api.call("GET", f"{BASE}/sync-status", None).status_code == 401


def test_the_summary_adds_up_the_rows_and_estimates_the_spend() -> None:
    api = build_api()
    body = api.call("GET", f"{BASE}/licence-summary").get_json()
    # flexible Standard: 10 seats, 8 assigned; annual-yearly Starter: 20 seats, 5 assigned
    assert (body["skus"], body["seats"], body["assigned"], body["vacant"]) == (2, 30, 13, 17)
    assert body["utilisation"] == round(13 / 30, 4)
    demo = lookup_from(demo_prices())  # the price list build_api seeds
    standard = per_seat_minor(demo, STANDARD, "FLEXIBLE")
    starter = per_seat_minor(demo, STARTER, "ANNUAL_YEARLY_PAY")
    assert standard is not None and starter is not None
    assert body["estimatedMonthlySpendMinor"] == 8 * standard + 20 * starter
    assert body["currency"] == "GBP" and body["pricesMissing"] is False
    assert "excluding VAT" in body["note"]


def test_a_price_lookup_without_a_price_says_so() -> None:
    api = build_api()
    for price in api.store.prices():
        if price.sku_id == STARTER:
            api.store.remove_price(price.sku_id, price.plan_name, "ops@reseller.example", NOW)
    standard = per_seat_minor(lookup_from(demo_prices()), STANDARD, "FLEXIBLE")
    assert standard is not None
    body = api.call("GET", f"{BASE}/licence-summary").get_json()
    assert body["estimatedMonthlySpendMinor"] == 8 * standard
    assert body["pricesMissing"] is True
    assert body["unpricedSkus"] == ["Google Workspace Business Starter"]
    assert "Some prices are not set" in body["note"]


def test_the_responses_match_the_openapi_document() -> None:
    api = clocked()
    template = "/api/v1/customers/{customerId}"
    check(api, "GET", f"{BASE}/sync-status", f"{template}/sync-status")
    beat(api, NOW - timedelta(hours=2), {ACME: "403"})
    check(api, "GET", f"{BASE}/sync-status", f"{template}/sync-status")
    check(api, "GET", f"{BASE}/licence-summary", f"{template}/licence-summary")
