"""What each dashboard route answers, and that every change made through the API is in the audit
log with the user who made it."""

from __future__ import annotations

from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction, Source, verify_chain
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.topup import RequestKind, RequestStatus
from tests.api.conftest import (
    ACME,
    ADMIN,
    MANAGER,
    OPS,
    SETTINGS_OFF,
    STANDARD,
    STARTER,
    Api,
    build_api,
)

BASE = f"/api/v1/customers/{ACME}"


def last_entry(api: Api, sku_id: str) -> object:
    return api.store.audit_entries(LicenceKey(ACME, sku_id))[-1]


def test_sign_in_and_me(api: Api) -> None:
    me = api.call("GET", "/api/v1/me").get_json()
    assert me["email"] == ADMIN and me["role"] == "customer_admin"
    assert me["customers"] == [
        {
            "customerId": ACME,
            "customerDomain": "acme.example",
            "name": "Acme Ltd",
            "timeZone": "Europe/London",
            "canChange": True,
        }
    ]
    manager = api.call("GET", "/api/v1/me", MANAGER).get_json()
    assert manager["customers"][0]["canChange"] is False
    info = api.client().get("/api/v1/session").get_json()
    assert info["mode"] == "local"
    assert {u["email"] for u in info["demoUsers"]} >= {ADMIN, OPS}


def test_sign_in_refuses_unknown_people_and_bad_tokens(api: Api) -> None:
    response = api.client().post("/api/v1/session", json={"email": "someone@else.example"})
    assert response.status_code == 403
    assert "email" in response.get_json()["errors"]
    bad = api.client().get("/api/v1/me", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401
    tampered = api.token(ADMIN)[:-2] + "xx"
    assert (
        api.client().get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"}).status_code
        == 401
    )


def test_a_user_removed_since_signing_in_is_shut_out(api: Api) -> None:
    headers = api.headers(ADMIN)
    api.store.remove_user(ADMIN)
    assert api.client().get("/api/v1/me", headers=headers).status_code == 403


def test_the_dev_sign_in_does_not_exist_outside_local_mode() -> None:
    api = build_api(local_mode=False)
    assert api.client().post("/api/v1/session", json={"email": ADMIN}).status_code in (404, 405)
    assert api.client().get("/api/v1/session").get_json()["mode"] == "firebase"
    # and no token of any kind gets in without a verifier
    assert api.client().get("/api/v1/me", headers={"Authorization": "Bearer x"}).status_code == 401
    paths = api.client().get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" not in paths["/api/v1/session"]


def test_licences_carry_settings_alert_state_and_price(api: Api) -> None:
    rows = api.call("GET", f"{BASE}/licences").get_json()
    assert [r["skuId"] for r in rows] == sorted([STANDARD, STARTER])
    row = next(r for r in rows if r["skuId"] == STANDARD)
    assert (row["total"], row["assigned"], row["vacant"]) == (10, 8, 2)
    assert row["settings"]["description"] == "No alerts or automatic top-ups."
    assert row["lowLicenceAlert"] is False and row["topUpInProgress"] is False
    assert row["price"] == {
        "currency": "GBP",
        "perSeatMonthlyMinor": 1416,
        "planExplanation": "Pay monthly for the seats you have; add or remove seats at any time.",
    }
    annual = next(r for r in rows if r["skuId"] == STARTER)
    assert "until the plan renews" in annual["price"]["planExplanation"]


def test_saving_settings_is_audited_with_the_user_and_before_and_after(api: Api) -> None:
    response = api.call(
        "PUT",
        f"{BASE}/licences/{STANDARD}/settings",
        json={
            **SETTINGS_OFF,
            "autoTopUp": True,
            "topUpWhenVacantBelow": 3,
            "topUpTargetVacant": 5,
            "maxSeatsPerMonth": 50,
        },
    )
    assert response.status_code == 200
    assert response.get_json()["description"] == (
        "When vacant seats fall below 3, add seats to get back to 5 vacant, at most 50 a month."
    )
    entry = last_entry(api, STANDARD)
    assert entry.action is AuditAction.SETTINGS_CHANGED  # type: ignore[attr-defined]
    assert entry.actor == ADMIN  # type: ignore[attr-defined]
    assert entry.source is Source.DASHBOARD  # type: ignore[attr-defined]
    assert "Before: No alerts or automatic top-ups. After: When vacant seats fall below 3" in (
        entry.message  # type: ignore[attr-defined]
    )
    assert verify_chain(api.store.audit_entries(LicenceKey(ACME, STANDARD))) == []


def test_invalid_settings_change_nothing(api: Api) -> None:
    before = len(api.store.audit_entries(LicenceKey(ACME, STANDARD)))
    response = api.call(
        "PUT",
        f"{BASE}/licences/{STANDARD}/settings",
        json={
            **SETTINGS_OFF,
            "autoTopUp": True,
            "topUpWhenVacantBelow": 5,
            "topUpTargetVacant": 2,
            "maxSeatsPerMonth": 50,
        },
    )
    assert response.status_code == 422
    assert "topUpTargetVacant" in response.get_json()["errors"]
    assert len(api.store.audit_entries(LicenceKey(ACME, STANDARD))) == before


def test_an_addition_is_requested_audited_and_published(api: Api) -> None:
    response = api.call("POST", f"{BASE}/licences/{STANDARD}/additions", json={"seats": 3})
    assert response.status_code == 202
    body = response.get_json()
    assert (body["status"], body["totalBefore"], body["totalAfter"]) == ("PENDING", 10, 13)
    assert api.publisher.top_ups == [body["id"]]
    request = api.store.request(body["id"])
    assert request is not None and request.requested_by == ADMIN
    entry = last_entry(api, STANDARD)
    assert entry.action is AuditAction.TOP_UP_REQUESTED  # type: ignore[attr-defined]
    assert entry.actor == ADMIN and entry.source is Source.MANUAL  # type: ignore[attr-defined]
    progress = api.call("GET", f"{BASE}/licences/{STANDARD}/additions/{body['id']}").get_json()
    assert progress["id"] == body["id"]


def test_catalogue_and_a_purchase_request(api: Api) -> None:
    catalogue = api.call("GET", f"{BASE}/catalogue").get_json()
    owned = {s["skuId"] for s in catalogue["skus"] if s["owned"]}
    assert owned == {STANDARD, STARTER}
    plus = next(s for s in catalogue["skus"] if s["skuId"] == "1010020025")
    flexible = {"perSeatMonthlyMinor": 2160, "currency": "GBP"}
    assert plus["prices"]["FLEXIBLE"] == flexible
    assert plus["prices"]["TRIAL"] == {"perSeatMonthlyMinor": 0, "currency": "GBP"}
    response = api.call(
        "POST",
        f"{BASE}/purchases",
        json={"skuId": "1010020025", "planName": "FLEXIBLE", "seats": 4},
    )
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    request = api.store.request(body["id"])
    assert request is not None
    assert (request.kind, request.source, request.total_before, request.total_after) == (
        RequestKind.INSERT,
        Source.PURCHASE,
        0,
        4,
    )
    assert api.publisher.top_ups == [body["id"]]
    entry = api.store.audit_entries(LicenceKey(ACME, "1010020025"))[-1]
    assert (entry.action, entry.actor) == (AuditAction.TOP_UP_REQUESTED, ADMIN)
    progress = api.call("GET", f"{BASE}/purchases/{body['id']}").get_json()
    assert (progress["skuId"], progress["status"]) == ("1010020025", "PENDING")
    again = api.call(
        "POST",
        f"{BASE}/purchases",
        json={"skuId": "1010020025", "planName": "FLEXIBLE", "seats": 4},
    )
    assert again.status_code == 422 and "in progress" in again.get_json()["detail"]


def test_purchases_are_validated(api: Api) -> None:
    cases = [
        ({"skuId": STANDARD, "planName": "FLEXIBLE", "seats": 1}, "skuId"),  # already owned
        ({"skuId": "999", "planName": "FLEXIBLE", "seats": 1}, "skuId"),
        ({"skuId": "1010020025", "planName": "GOLD", "seats": 1}, "planName"),
        ({"skuId": "1010020025", "planName": "TRIAL", "seats": 11}, "seats"),
        ({"skuId": "1010020025", "planName": "FLEXIBLE", "seats": 0}, "seats"),
        ({"skuId": "1010020025", "planName": "FLEXIBLE", "seats": "2"}, "seats"),
    ]
    for body, field in cases:
        response = api.call("POST", f"{BASE}/purchases", json=body)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"], body
    assert api.publisher.top_ups == []


def test_logs_page_newest_first_with_a_cursor(api: Api) -> None:
    for seats in (1, 2, 3):
        api.call("POST", f"{BASE}/licences/{STANDARD}/additions", json={"seats": seats})
    first = api.call("GET", f"{BASE}/logs?skuId={STANDARD}&limit=2").get_json()
    assert [e["message"] for e in first["entries"]] == [
        f"{ADMIN} asked to add 3 seats: 10 → 13",
        f"{ADMIN} asked to add 2 seats: 10 → 12",
    ]
    assert first["entries"][0]["actor"] == ADMIN
    second = api.call(
        "GET", f"{BASE}/logs?skuId={STANDARD}&limit=2&cursor={first['nextCursor']}"
    ).get_json()
    assert [e["action"] for e in second["entries"]] == ["TOP_UP_REQUESTED", "LICENCE_DISCOVERED"]
    assert second["nextCursor"] is None
    everything = api.call("GET", f"{BASE}/logs?limit=100").get_json()
    assert {e["skuId"] for e in everything["entries"]} == {STANDARD, STARTER}
    times = [e["at"] for e in everything["entries"]]
    assert times == sorted(times, reverse=True)
    assert api.call("GET", f"{BASE}/logs?limit=0").status_code == 400
    assert api.call("GET", f"{BASE}/logs?cursor=nonsense").status_code == 400
    assert api.call("GET", f"{BASE}/logs?skuId=999").status_code == 404


def test_notifications_newest_first(api: Api) -> None:
    rows = api.call("GET", f"{BASE}/notifications").get_json()["notifications"]
    assert [(r["type"], r["skuId"], r["recipients"]) for r in rows] == [
        (NotificationType.LOW_LICENCES.value, STANDARD, ["it@C01acme.example"])
    ]


def test_recipients_can_be_added_edited_and_removed_and_each_change_is_audited(api: Api) -> None:
    url = f"{BASE}/recipients"
    added = api.call(
        "POST",
        url,
        json={
            "email": "Finance@Acme.example",
            "name": "Finance",
            "notifications": {"lowLicences": False},
        },
    )
    assert added.status_code == 201
    assert added.get_json()["email"] == "finance@acme.example"
    assert added.get_json()["notifications"]["lowLicences"] is False
    assert added.get_json()["notifications"]["topUpApplied"] is True
    assert api.call("POST", url, json={"email": "finance@acme.example"}).status_code == 409
    changed = api.call(
        "PUT",
        f"{url}/finance@acme.example",
        json={
            "name": "Finance team",
            "notifications": {"lowLicences": True, "monthEndReport": False},
        },
    )
    assert changed.status_code == 200
    assert changed.get_json()["notifications"]["monthEndReport"] is False
    assert api.call("DELETE", f"{url}/finance@acme.example").status_code == 204
    assert api.call("DELETE", f"{url}/finance@acme.example").status_code == 404
    assert api.call("PUT", f"{url}/nobody@acme.example", json={}).status_code == 404
    assert [r["email"] for r in api.call("GET", url).get_json()] == ["it@acme.example"]
    chain = api.store.audit_entries(LicenceKey(ACME, CUSTOMER_SCOPE))
    assert [(e.action, e.actor) for e in chain] == [
        (AuditAction.RECIPIENT_ADDED, ADMIN),
        (AuditAction.RECIPIENT_CHANGED, ADMIN),
        (AuditAction.RECIPIENT_REMOVED, ADMIN),
    ]
    assert "Before: finance@acme.example (Finance)" in chain[1].message
    assert verify_chain(chain) == []
    account = api.call("GET", f"{BASE}/logs?skuId={CUSTOMER_SCOPE}").get_json()["entries"]
    assert account[0]["skuName"] == "Account"


def test_recipient_input_is_validated(api: Api) -> None:
    url = f"{BASE}/recipients"
    for body in (
        {"email": "not an email"},
        {"email": "a@b.example", "notifications": {"lowLicences": "yes"}},
        {"email": "a@b.example", "notifications": {"sms": True}},
        {"email": "a@b.example", "colour": "red"},
        [],
    ):
        assert api.call("POST", url, json=body).status_code == 422, body


def test_request_statuses_are_those_of_the_domain() -> None:
    assert {s.value for s in RequestStatus} >= {"PENDING", "APPLIED"}
