"""The spending controls through the API (security review #11, #14): requests above a
customer's limit answer 202 AWAITING_APPROVAL, reseller ops list, approve and decline them,
set the limits, and pause or resume buying."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.topup import RequestStatus
from tests.api.conftest import ACME, ADMIN, OPS, STANDARD, Api

ADDITIONS = f"/api/v1/customers/{ACME}/licences/{STANDARD}/additions"
LIMIT = f"/api/v1/customers/{ACME}/spending-limit"


def add(api: Api, seats: int) -> Any:
    response = api.call("POST", ADDITIONS, ADMIN, json={"seats": seats})
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def test_an_addition_above_the_limit_answers_202_awaiting_approval(api: Api) -> None:
    assert add(api, 3)["status"] == "PENDING"
    held = add(api, 51)
    assert held["status"] == "AWAITING_APPROVAL"
    assert "reseller" in held["message"]
    assert api.publisher.top_ups == [api.publisher.top_ups[0]]  # only the first was sent on


def test_ops_list_approve_and_cannot_decide_twice(api: Api) -> None:
    held = add(api, 60)
    listed = api.call("GET", "/api/v1/approvals", OPS).get_json()["approvals"]
    assert [a["id"] for a in listed] == [held["id"]]
    assert listed[0]["customerDomain"] == "acme.example"
    assert listed[0]["estimatedMonthlyCostMinor"] == 60 * 1416
    approved = api.call(
        "POST", f"/api/v1/approvals/{held['id']}", OPS, json={"decision": "approve"}
    )
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "PENDING"
    assert api.publisher.top_ups == [held["id"]]
    again = api.call("POST", f"/api/v1/approvals/{held['id']}", OPS, json={"decision": "decline"})
    assert again.status_code == 409
    assert api.call("GET", "/api/v1/approvals", OPS).get_json()["approvals"] == []
    request = api.store.request(held["id"])
    assert request is not None and request.approved_by == OPS


def test_ops_decline_with_a_note(api: Api) -> None:
    held = add(api, 60)
    declined = api.call(
        "POST",
        f"/api/v1/approvals/{held['id']}",
        OPS,
        json={"decision": "decline", "note": "call us first"},
    )
    assert declined.status_code == 200
    assert declined.get_json()["status"] == RequestStatus.FAILED.value
    assert "declined by the reseller" in declined.get_json()["message"]
    assert api.publisher.top_ups == []
    assert any(n.endswith("-failed") for n in api.publisher.notifications)


def test_a_bad_decision_or_unknown_request(api: Api) -> None:
    held = add(api, 60)
    bad = api.call("POST", f"/api/v1/approvals/{held['id']}", OPS, json={"decision": "maybe"})
    assert bad.status_code == 422 and "decision" in bad.get_json()["errors"]
    missing = api.call("POST", "/api/v1/approvals/nope", OPS, json={"decision": "approve"})
    assert missing.status_code == 404


def test_limits_are_read_by_the_customers_users_and_set_by_ops(api: Api) -> None:
    shown = api.call("GET", LIMIT, ADMIN).get_json()
    assert shown["maxSeatsPerRequest"] == 50 and shown["maxMonthlyCostMinor"] == 200_000
    assert shown["updatedBy"] is None
    changed = api.call(
        "PUT", LIMIT, OPS, json={"maxSeatsPerRequest": 100, "maxMonthlyPounds": 5000}
    )
    assert changed.status_code == 200
    assert changed.get_json()["maxMonthlyCostMinor"] == 500_000
    assert changed.get_json()["updatedBy"] == OPS
    assert add(api, 60)["status"] == "PENDING"
    assert api.call("GET", LIMIT, ADMIN).get_json()["spentThisMonthMinor"] == 60 * 1416


def test_invalid_limits_answer_422_naming_the_field(api: Api) -> None:
    for body, field in (
        ({"maxSeatsPerRequest": 0, "maxMonthlyPounds": 10}, "maxSeatsPerRequest"),
        ({"maxSeatsPerRequest": 5, "maxMonthlyPounds": 1_000_001}, "maxMonthlyPounds"),
        ({"maxSeatsPerRequest": 5, "maxMonthlyPounds": "10"}, "maxMonthlyPounds"),
        ({"maxSeatsPerRequest": 5}, "maxMonthlyPounds"),
        ({"maxSeatsPerRequest": 5, "maxMonthlyPounds": 10, "x": 1}, "x"),
    ):
        response = api.call("PUT", LIMIT, OPS, json=body)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"], (body, response.get_json())


def test_ops_pause_and_resume_buying_and_everyone_sees_it(api: Api) -> None:
    assert api.call("GET", "/api/v1/buying", ADMIN).get_json()["paused"] is False
    no_reason = api.call("PUT", "/api/v1/buying", OPS, json={"paused": True})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    paused = api.call("PUT", "/api/v1/buying", OPS, json={"paused": True, "reason": "incident 7"})
    assert paused.status_code == 200
    shown = api.call("GET", "/api/v1/buying", ADMIN).get_json()
    assert (shown["paused"], shown["reason"], shown["changedBy"]) == (True, "incident 7", OPS)
    refused = api.call("POST", ADDITIONS, ADMIN, json={"seats": 1})
    assert refused.status_code == 422 and "paused" in refused.get_json()["detail"]
    api.call("PUT", "/api/v1/buying", OPS, json={"paused": False})
    assert add(api, 1)["status"] == "PENDING"
    assert [c.paused for c in api.store.buying_changes.values()] == [True, False]
