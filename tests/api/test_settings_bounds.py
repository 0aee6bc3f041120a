"""The settings routes after review finding 4 and issue 10 item 13: a PUT names every field,
out-of-range values answer 422 naming the field and the limit, automatic top-ups need a cap,
and both routes say what the worst case would cost a month."""

from __future__ import annotations

from typing import Any

import pytest

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.settings import LicenceSettings
from tests.api.conftest import ACME, SETTINGS_OFF, STANDARD, STARTER, Api

BASE = f"/api/v1/customers/{ACME}/licences"
# Acme's Business Standard: FLEXIBLE, 10 seats, 8 assigned, £14.16 a seat a month
OFF = SETTINGS_OFF
ON = {**OFF, "autoTopUp": True, "topUpWhenVacantBelow": 2, "topUpTargetVacant": 4}


def put(api: Api, body: Any, sku: str = STANDARD) -> Any:
    return api.call("PUT", f"{BASE}/{sku}/settings", json=body)


def test_a_complete_body_is_saved(api: Api) -> None:
    response = put(api, {**ON, "maxSeatsPerMonth": 20})
    assert response.status_code == 200, response.get_json()


def test_an_empty_body_turns_nothing_off_and_names_every_missing_field(api: Api) -> None:
    put(api, {**ON, "maxSeatsPerMonth": 20})
    response = put(api, {})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert set(response.get_json()["errors"]) == set(OFF)
    assert api.store.settings(LicenceKey(ACME, STANDARD)).auto_top_up is True


def test_a_partial_body_names_only_the_missing_fields(api: Api) -> None:
    body = {k: v for k, v in OFF.items() if k not in ("topUpStep", "maxTotalSeats")}
    response = put(api, body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "topUpStep": "Required.",
        "maxTotalSeats": "Required (null when not set).",
    }


def test_the_description_and_worst_case_sent_back_are_ignored(api: Api) -> None:
    saved = put(api, {**ON, "maxSeatsPerMonth": 20}).get_json()
    again = put(api, saved)
    assert again.status_code == 200, again.get_json()


def test_the_reviews_runaway_target_is_refused(api: Api) -> None:
    response = put(api, {**ON, "topUpWhenVacantBelow": 1, "topUpTargetVacant": 1_000_000})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "topUpTargetVacant" in errors and "10" in errors["topUpTargetVacant"]
    assert api.store.settings(LicenceKey(ACME, STANDARD)) == LicenceSettings()


def test_a_target_above_the_licences_total_is_refused_and_at_it_allowed(api: Api) -> None:
    capped = {**ON, "maxSeatsPerMonth": 20}
    assert put(api, {**capped, "topUpTargetVacant": 11}).status_code == 422
    assert put(api, {**capped, "topUpTargetVacant": 10}).status_code == 200
    # Starter has 20 seats: its own total is the limit there
    assert put(api, {**capped, "topUpTargetVacant": 20}, STARTER).status_code == 200


def test_an_int64_overflowing_step_is_a_422_not_a_500(api: Api) -> None:
    body = {**ON, "topUpMode": "fixed_step", "topUpStep": 10**30, "maxTotalSeats": 40}
    response = put(api, body)
    assert response.status_code == 422
    assert response.get_json()["errors"]["topUpStep"].startswith("At most 10:")
    response = put(api, {**OFF, "topUpStep": 10**30})  # even where it would buy nothing
    assert response.status_code == 422
    assert response.get_json()["errors"]["topUpStep"] == "At most 1,000,000."


@pytest.mark.parametrize(
    "field", ["alertVacantAtOrBelow", "topUpWhenVacantBelow", "maxTotalSeats", "maxSeatsPerMonth"]
)
def test_every_whole_number_is_at_most_a_million(api: Api, field: str) -> None:
    response = put(api, {**OFF, field: 2**63})
    assert response.status_code == 422
    assert "1,000,000" in response.get_json()["errors"][field]


def test_automatic_top_ups_without_a_cap_are_refused(api: Api) -> None:
    response = put(api, ON)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"maxTotalSeats", "maxSeatsPerMonth"}


def test_both_routes_say_what_the_worst_case_costs_a_month(api: Api) -> None:
    saved = put(api, {**ON, "maxSeatsPerMonth": 20, "maxTotalSeats": 25}).get_json()
    expected = {"seats": 15, "estimatedCostMinor": 15 * 1416, "currency": "GBP"}
    assert saved["worstCaseMonthly"] == expected
    read = api.call("GET", f"{BASE}/{STANDARD}/settings").get_json()
    assert read["worstCaseMonthly"] == expected


def test_with_automatic_top_ups_off_the_worst_case_is_nothing(api: Api) -> None:
    read = api.call("GET", f"{BASE}/{STANDARD}/settings").get_json()
    assert read["worstCaseMonthly"] == {"seats": 0, "estimatedCostMinor": 0, "currency": "GBP"}


def test_the_reclaim_hold_is_saved_read_back_and_described(api: Api) -> None:
    body = {**ON, "maxSeatsPerMonth": 20, "holdTopUpsWhenReclaimable": 5}
    saved = put(api, body).get_json()
    assert saved["holdTopUpsWhenReclaimable"] == 5
    assert "while 5 seats or more can be reclaimed" in saved["description"]
    read = api.call("GET", f"{BASE}/{STANDARD}/settings").get_json()
    assert read["holdTopUpsWhenReclaimable"] == 5
    stored = api.store.settings(LicenceKey(ACME, STANDARD))
    assert stored.hold_top_ups_when_reclaimable == 5


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (0, "Hold top-ups from 1 reclaimable seat or more, or switch it off."),
        (10**7, "At most 1,000,000."),
        ("five", "Must be a whole number, or empty for not set."),
    ],
)
def test_a_reclaim_hold_out_of_range_names_the_field(api: Api, value: object, error: str) -> None:
    response = put(api, {**ON, "maxSeatsPerMonth": 20, "holdTopUpsWhenReclaimable": value})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"holdTopUpsWhenReclaimable": error}
