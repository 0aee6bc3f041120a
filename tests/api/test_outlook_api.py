"""The run-out forecast and the renewal plan through the API (issue 13): each My Licences row's
`forecast` (null before the holder sync ran, or for a SKU it made none for; there for a customer
whose user data cannot be read) and, for annual plans with a known term end, `renewal` with the
recommendation and the auto-renew warning at the row's price; the Reports route's forecast with
its 80% band. Every response is checked against the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from licence_manager.domain.insights import HoldersStatus
from licence_manager.domain.prices import lookup_from
from licence_manager.domain.reclaim import ReclaimReason
from licence_manager_local.demo_prices import demo_prices
from tests.api.conftest import ACME, STANDARD, STARTER, Api, build_api, observe
from tests.api.test_openapi import check
from tests.reclaim_seed import growing_forecast, holder_record, insights_of

C = f"/api/v1/customers/{ACME}"
T = "/api/v1/customers/{customerId}"
NOW = datetime(2026, 12, 5, 14, 10, tzinfo=UTC)
AS_OF = date(2026, 12, 4)  # the last complete day the holder sync forecast from
TERM_END = NOW + timedelta(days=40)


def clocked() -> Api:
    api = build_api()
    api.app.config["CLOCK"] = lambda: NOW
    return api


def annual(api: Api, renewal_type: str, ends_at: datetime | None = TERM_END) -> None:
    """ACME's Starter: ANNUAL_YEARLY_PAY, 20 seats paid for, 5 assigned."""
    observe(
        api.store,
        customer_id=ACME,
        domain="acme.example",
        sku_id=STARTER,
        plan="ANNUAL_YEARLY_PAY",
        total=20,
        assigned=5,
        subscription_id="sub-2",
        renewal_type=renewal_type,
        commitment_ends_at=ends_at,
    )


def seed(api: Api, status: HoldersStatus = HoldersStatus.OK) -> None:
    """Standard (flexible, 10 seats, 8 assigned) grows towards its cap; Starter has a month of
    history too few; one of Starter's holders is suspended."""
    records = [holder_record(ACME, STARTER, "gone@acme.example", ReclaimReason.SUSPENDED)]
    forecasts = {
        STANDARD: growing_forecast(10, 8, 0.1, AS_OF),
        STARTER: growing_forecast(20, 5, 0.0, AS_OF, days=12),
    }
    api.store.save_licence_insights(insights_of(ACME, records, status, forecasts=forecasts))


def rows(api: Api) -> dict[str, dict]:
    found = check(api, "GET", f"{C}/licences", f"{T}/licences").get_json()
    return {r["skuId"]: r for r in found}


def test_before_the_holder_sync_there_is_no_forecast_and_no_term_no_renewal() -> None:
    api = clocked()
    for row in rows(api).values():
        assert row["forecast"] is None and row["renewal"] is None


def test_each_row_carries_its_stored_forecast() -> None:
    api = clocked()
    seed(api)
    stored = growing_forecast(10, 8, 0.1, AS_OF)
    standard, starter = rows(api)[STANDARD], rows(api)[STARTER]
    assert standard["forecast"] == {
        "enoughHistory": True,
        "words": stored.words(),
        "asOf": "2026-12-04",
        "runsOutOn": stored.runs_out_on.isoformat() if stored.runs_out_on else None,
        "mayRunOutOn": stored.may_run_out_on.isoformat() if stored.may_run_out_on else None,
        "seatsNeededByThen": stored.seats_needed_by_then,
        "historyDays": 56,
    }
    assert standard["forecast"]["words"].startswith("At this rate vacant seats reach 0 around")
    assert standard["forecast"]["runsOutOn"] is not None
    assert "points" not in standard["forecast"]  # My Licences does not draw the band
    assert starter["forecast"]["enoughHistory"] is False
    assert starter["forecast"]["words"] == (
        "Not enough history yet (12 of 28 days) for a run-out forecast"
    )
    assert starter["forecast"]["runsOutOn"] is None
    assert starter["forecast"]["seatsNeededByThen"] is None


def test_a_forecast_from_before_the_vacant_seats_ran_out_says_there_are_none_now() -> None:
    """The holder sync forecast with 2 vacant; since then all 10 of Standard's seats were
    assigned: the row and the report tell the stored forecast with the live count."""
    api = clocked()
    seed(api)
    observe(
        api.store, customer_id=ACME, domain="acme.example", sku_id=STANDARD, total=10, assigned=10
    )
    words = rows(api)[STANDARD]["forecast"]["words"]
    assert words.startswith("No vacant seats now: at this rate") and "reach 0" not in words
    assert report(api, STANDARD)["forecast"]["words"] == words


def test_a_sku_the_sync_made_no_forecast_for_has_null() -> None:
    api = clocked()
    api.store.save_licence_insights(insights_of(ACME, []))
    assert {r["forecast"] is None for r in rows(api).values()} == {True}


def test_no_access_still_has_a_forecast_and_the_renewal_says_reclaimable_is_unknown() -> None:
    api = clocked()
    annual(api, "RENEW_CURRENT_USERS_YEARLY_PAY")
    seed(api, HoldersStatus.NO_ACCESS)
    found = rows(api)
    assert found[STANDARD]["reclaim"]["count"] is None
    assert found[STANDARD]["forecast"]["enoughHistory"] is True
    recommendation = found[STARTER]["renewal"]["recommendation"]
    assert recommendation["seats"] == 5
    assert recommendation["words"] == (
        "Renew 5 seats: 5 assigned (reclaimable seats unknown), not enough history for a forecast"
    )


def test_an_annual_plan_that_re_commits_every_seat_is_warned_with_the_yearly_cost() -> None:
    api = clocked()
    annual(api, "AUTO_RENEW_YEARLY_PAY")
    seed(api)
    price = lookup_from(demo_prices())(STARTER, "ANNUAL_YEARLY_PAY")
    assert price is not None
    renewal = rows(api)[STARTER]["renewal"]
    # 5 assigned, 1 reclaimable, no forecast to add growth: renew 4 of the 20 paid for.
    assert renewal == {
        "renewalType": "AUTO_RENEW_YEARLY_PAY",
        "label": "Renew every seat (annual plan, yearly payment)",
        "renewsOn": "2027-01-14",
        "daysLeft": 40,
        "recommendation": {
            "seats": 4,
            "words": "Renew 4 seats: 5 assigned, 1 reclaimable, not enough history for a forecast",
        },
        "warning": {
            "unusedSeats": 16,
            "yearlyCostMinor": 16 * price.per_seat_monthly_minor * 12,
            "currency": price.currency,
            "words": renewal["warning"]["words"],
        },
    }
    assert renewal["warning"]["words"].startswith(
        "The renewal setting re-commits all 20 seats for another year: 16 seats more than"
    )
    assert "before 14 Jan 2027" in renewal["warning"]["words"]
    assert rows(api)[STANDARD]["renewal"] is None  # flexible: nothing renews


def test_renewing_only_the_seats_in_use_has_no_warning_and_an_unknown_type_shows_as_is() -> None:
    api = clocked()
    annual(api, "RENEW_CURRENT_USERS_YEARLY_PAY")
    renewal = rows(api)[STARTER]["renewal"]
    assert renewal["warning"] is None
    assert renewal["label"] == "Renew only the seats in use (annual plan, yearly payment)"
    # Before the holder sync: no reclaimable seats known, no forecast.
    assert renewal["recommendation"]["seats"] == 5
    annual(api, "RENEW_SOMEHOW_NEW")
    assert rows(api)[STARTER]["renewal"]["label"] == "RENEW_SOMEHOW_NEW"
    annual(api, "")
    renewal = rows(api)[STARTER]["renewal"]
    assert renewal["renewalType"] is None and renewal["label"] == "Not reported by Google"


def test_an_annual_plan_without_a_known_term_end_has_no_renewal() -> None:
    api = clocked()
    annual(api, "AUTO_RENEW_YEARLY_PAY", ends_at=None)
    assert rows(api)[STARTER]["renewal"] is None


def report(api: Api, sku: str) -> dict:
    path = f"{C}/licences/{sku}/report?from=2026-11-01&to=2026-12-05&granularity=day"
    return check(api, "GET", path, f"{T}/licences/{{skuId}}/report").get_json()


def test_the_report_carries_the_forecast_with_its_band_for_one_more_read() -> None:
    api = clocked()
    before = report(api, STANDARD)
    assert before["forecast"] is None
    seed(api)
    body = report(api, STANDARD)
    assert body["documentsRead"] == before["documentsRead"]  # the read is counted either way
    forecast = body["forecast"]
    stored = growing_forecast(10, 8, 0.1, AS_OF)
    assert forecast["words"] == stored.words() and forecast["seatsTotal"] == 10
    assert forecast["horizonDays"] == 90 and len(forecast["points"]) == 90
    first = forecast["points"][0]
    assert first["day"] == "2026-12-05"
    assert first["low"] <= first["expected"] <= first["high"]
    assert {"enoughHistory", "asOf", "runsOutOn", "mayRunOutOn"} <= forecast.keys()
    starter = report(api, STARTER)["forecast"]
    assert starter["enoughHistory"] is False and starter["points"] == []


def test_the_report_read_count_includes_the_insights_document() -> None:
    api = clocked()
    body = report(api, STANDARD)
    from licence_manager.domain.model import LicenceKey
    from licence_manager.services.reports import parse_range

    counted = api.app.config["REPORTS"]().usage(
        LicenceKey(ACME, STANDARD), parse_range("2026-11-01", "2026-12-05", "day")
    )
    assert body["documentsRead"] == counted.reads + 1
