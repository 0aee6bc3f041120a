"""The renewal planner's routes: what the Renewal page reads, and a renewal change asked for
once per client key (the request apply_topup then carries out), refused with the rule's words
per field when the plan may not be given that setting."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from licence_manager.domain.model import LicenceKey
from tests.api.conftest import ACME, ADMIN, MANAGER, STANDARD, STARTER, T0, Api, build_api

KEY = LicenceKey(ACME, STARTER)  # ANNUAL_YEARLY_PAY, 20 seats, 5 assigned
ROUTE = f"/api/v1/customers/{ACME}/licences/{STARTER}/renewal"
CLIENT_KEY = "6a1f0d2e-4b7c-4c1e-9f00-000000000042"


def annual_api(renewal_type: str = "AUTO_RENEW_YEARLY_PAY", days: int = 40) -> Api:
    api = build_api()
    licence = api.store.licences[KEY]
    usage = replace(
        licence.usage, renewal_type=renewal_type, commitment_ends_at=T0 + timedelta(days=days)
    )
    api.store.licences[KEY] = replace(licence, usage=usage)
    return api


def test_the_page_reads_the_date_setting_recommendation_warning_and_choices() -> None:
    api = annual_api(days=4000)  # far ahead, so today's date does not matter
    body = api.call("GET", ROUTE, ADMIN).get_json()
    assert body["renewalType"] == "AUTO_RENEW_YEARLY_PAY"
    assert body["renewalLabel"] == "Renew every seat (annual plan, yearly payment)"
    assert body["renewsOn"] and body["daysLeft"] > 3000
    assert body["recommendedSeats"] == 5
    assert body["recommendation"].startswith("Renew 5 seats: 5 assigned")
    assert "re-commits all 20 seats" in body["warning"]
    assert [c["renewalType"] for c in body["choices"]] == [
        "RENEW_CURRENT_USERS_YEARLY_PAY",
        "AUTO_RENEW_YEARLY_PAY",
        "SWITCH_TO_PAY_AS_YOU_GO",
        "CANCEL",
    ]
    assert body["inProgress"] is None


def test_a_flexible_licence_has_no_renewal_and_no_choices() -> None:
    api = build_api()
    path = f"/api/v1/customers/{ACME}/licences/{STANDARD}/renewal"
    body = api.call("GET", path, ADMIN).get_json()
    assert (body["renewsOn"], body["choices"], body["warning"]) == (None, [], "")


def test_a_change_is_asked_once_per_request_id_and_followed() -> None:
    api = annual_api()
    wanted = {"renewalType": "RENEW_CURRENT_USERS_YEARLY_PAY", "requestId": CLIENT_KEY}
    first = api.call("POST", ROUTE, ADMIN, json=wanted)
    assert first.status_code == 202
    change = first.get_json()
    assert change["id"] == f"{KEY.doc_id}-renewal-{CLIENT_KEY}"
    assert (change["status"], change["renewalTypeBefore"], change["requestedBy"]) == (
        "PENDING",
        "AUTO_RENEW_YEARLY_PAY",
        ADMIN,
    )
    again = api.call("POST", ROUTE, ADMIN, json=wanted)  # a double click, a retried POST
    assert again.status_code == 200 and again.get_json()["id"] == change["id"]
    assert len([r for r in api.store.requests_of(KEY)]) == 1
    followed = api.call("GET", f"{ROUTE}/{change['id']}", ADMIN).get_json()
    assert followed["status"] == "PENDING"
    assert api.call("GET", ROUTE, ADMIN).get_json()["inProgress"]["id"] == change["id"]
    other = api.call("POST", ROUTE, ADMIN, json={**wanted, "renewalType": "CANCEL"})
    assert other.status_code == 409
    assert "requestId" in other.get_json()["errors"]


def test_a_setting_the_rules_refuse_is_422_problem_json_with_the_field() -> None:
    api = annual_api()
    refused = api.call(
        "POST",
        ROUTE,
        ADMIN,
        json={"renewalType": "RENEW_ON_PROPOSED_OFFER", "requestId": CLIENT_KEY},
    )
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert "Partner Sales Console" in refused.get_json()["errors"]["renewalType"]
    same = api.call(
        "POST", ROUTE, ADMIN, json={"renewalType": "AUTO_RENEW_YEARLY_PAY", "requestId": CLIENT_KEY}
    )
    assert same.status_code == 422 and "already" in same.get_json()["errors"]["renewalType"]
    bad = api.call("POST", ROUTE, ADMIN, json={"renewalType": "CANCEL", "extra": 1})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"requestId", "extra"}
    assert api.store.requests_of(KEY) == [] and api.publisher.top_ups == []


def test_an_account_manager_reads_but_cannot_change() -> None:
    api = annual_api()
    assert api.call("GET", ROUTE, MANAGER).status_code == 200
    response = api.call(
        "POST", ROUTE, MANAGER, json={"renewalType": "CANCEL", "requestId": CLIENT_KEY}
    )
    assert response.status_code == 403
    assert api.store.requests_of(KEY) == []


def test_a_request_of_another_kind_is_not_a_renewal_change() -> None:
    api = annual_api()
    added = api.call(
        "POST", f"/api/v1/customers/{ACME}/licences/{STARTER}/additions", ADMIN, json={"seats": 1}
    ).get_json()
    assert api.call("GET", f"{ROUTE}/{added['id']}", ADMIN).status_code == 404
