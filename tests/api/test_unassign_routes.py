"""Unassigning a reclaimable add-on seat through the api: asked once per requestId (202, then
200 for the same key, 409 for the key reused for another user), refused per field (404 for a
seat not stored, 422 for one in use or assigned automatically, bad fields), followed by GET,
role-checked (an account manager reads but cannot ask), and carried out by apply_topup on the
same in-memory store: the row is gone from the Reclaim page after it."""

from __future__ import annotations

from datetime import timedelta

from licence_manager.domain.reclaim import ReclaimReason
from licence_manager.services.topup import ApplyTopUp
from tests.api.conftest import (
    ACME,
    ADMIN,
    GLOBEX,
    MANAGER,
    OPS,
    OTHER_ADMIN,
    STANDARD,
    T0,
    TZ,
    Api,
    build_api,
    observe,
)
from tests.fakes.memory_automation import FakeSeatChanger
from tests.fakes.memory_licensing import FakeLicenceAssignments
from tests.fakes.unit_of_work import MemoryUnitOfWork
from tests.reclaim_seed import holder_record, insights_of

VAULT = "Google-Vault"
C = f"/api/v1/customers/{ACME}"
ROUTE = f"{C}/reclaim/unassign"
CLIENT_KEY = "6a1f0d2e-4b7c-4c1e-9f00-000000000077"
GONE = "gone@acme.example"


def seeded() -> Api:
    api = build_api()
    observe(api.store, customer_id=ACME, domain="acme.example", sku_id=VAULT, total=5, assigned=3)
    records = [
        holder_record(ACME, VAULT, GONE, ReclaimReason.SUSPENDED, product_id=VAULT, user_id=""),
        holder_record(ACME, VAULT, "busy@acme.example", None, product_id=VAULT, user_id="77"),
        holder_record(ACME, STANDARD, GONE, ReclaimReason.SUSPENDED, user_id=""),
        holder_record(GLOBEX, STANDARD, "x@globex.example", ReclaimReason.SUSPENDED),
    ]
    api.store.save_seat_holders(records)
    api.store.save_licence_insights(insights_of(ACME, records[:3]))
    return api


def body(**changes: str) -> dict[str, str]:
    return {"skuId": VAULT, "email": GONE, "userId": "", "requestId": CLIENT_KEY, **changes}


def test_an_unassign_is_asked_once_per_request_id_and_followed() -> None:
    api = seeded()
    first = api.call("POST", ROUTE, ADMIN, json=body())
    assert first.status_code == 202
    asked = first.get_json()
    assert asked["id"] == f"{ACME}_{VAULT}-unassign-{CLIENT_KEY}"
    assert (asked["status"], asked["email"], asked["skuId"], asked["requestedBy"]) == (
        "PENDING",
        GONE,
        VAULT,
        ADMIN,
    )
    assert asked["planName"] == "FLEXIBLE"
    assert api.publisher.top_ups == [asked["id"]]
    again = api.call("POST", ROUTE, ADMIN, json=body())  # a double click, a retried POST
    assert again.status_code == 200 and again.get_json()["id"] == asked["id"]
    assert len(api.store.requests) == 1
    followed = api.call("GET", f"{ROUTE}/{asked['id']}", ADMIN)
    assert followed.status_code == 200 and followed.get_json()["status"] == "PENDING"
    other = api.call("POST", ROUTE, ADMIN, json=body(email="busy@acme.example", userId="77"))
    assert other.status_code == 409
    assert "requestId" in other.get_json()["errors"]


def test_refusals_are_problem_json_with_the_field() -> None:
    api = seeded()
    in_use = api.call("POST", ROUTE, ADMIN, json=body(email="busy@acme.example", userId="77"))
    assert in_use.status_code == 422 and "in use" in in_use.get_json()["errors"]["email"]
    core = api.call("POST", ROUTE, ADMIN, json=body(skuId=STANDARD))
    assert core.status_code == 422
    assert "Admin console" in core.get_json()["errors"]["email"]
    unknown = api.call("POST", ROUTE, ADMIN, json=body(email="nobody@acme.example"))
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    theirs = api.call("POST", ROUTE, ADMIN, json=body(email="x@globex.example", skuId=STANDARD))
    assert theirs.status_code == 404
    bad = api.call("POST", ROUTE, ADMIN, json={"skuId": VAULT, "email": 3, "extra": 1})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"email", "requestId", "extra"}
    short = api.call("POST", ROUTE, ADMIN, json=body(requestId="short"))
    assert short.status_code == 422 and "requestId" in short.get_json()["errors"]
    assert api.store.requests == {} and api.publisher.top_ups == []


def test_an_account_manager_reads_but_cannot_ask_and_ops_can() -> None:
    api = seeded()
    assert api.call("POST", ROUTE, MANAGER, json=body()).status_code == 403
    assert api.store.requests == {}
    assert api.call("POST", ROUTE, OPS, json=body()).status_code == 202
    asked = next(iter(api.store.requests))
    assert api.call("GET", f"{ROUTE}/{asked}", MANAGER).status_code == 200


def test_another_customers_request_or_another_kind_is_not_found_here() -> None:
    api = seeded()
    asked = api.call("POST", ROUTE, ADMIN, json=body()).get_json()
    elsewhere = f"/api/v1/customers/{GLOBEX}/reclaim/unassign/{asked['id']}"
    assert api.call("GET", elsewhere, OTHER_ADMIN).status_code == 404
    added = api.call(
        "POST", f"{C}/licences/{STANDARD}/additions", ADMIN, json={"seats": 1}
    ).get_json()
    assert api.call("GET", f"{ROUTE}/{added['id']}", ADMIN).status_code == 404


def test_once_carried_out_the_seat_leaves_the_reclaim_page_and_the_log_names_it() -> None:
    api = seeded()
    asked = api.call("POST", ROUTE, ADMIN, json=body()).get_json()
    licensing = FakeLicenceAssignments()
    licensing.assign(VAULT, VAULT, GONE)
    apply = ApplyTopUp(
        MemoryUnitOfWork(api.store),
        FakeSeatChanger([]),
        api.publisher,
        lambda: T0 + timedelta(minutes=1),
        default_time_zone=TZ,
        licences=licensing,
    )
    apply(asked["id"])

    done = api.call("GET", f"{ROUTE}/{asked['id']}", ADMIN).get_json()
    assert done["status"] == "APPLIED" and done["finishedAt"]
    assert licensing.deletes == [(VAULT, VAULT, GONE)]
    page = api.call("GET", f"{C}/reclaim?skuId={VAULT}", ADMIN).get_json()
    assert [h["email"] for h in page["holders"]] == []
    # the card's count follows at once (the daily holder sync would recount it anyway)
    assert [s["count"] for s in page["summaries"] if s["skuId"] == VAULT] == [0]
    log = api.call("GET", f"{C}/logs?type=SEAT_UNASSIGNED", ADMIN).get_json()["entries"]
    assert len(log) == 1 and GONE in log[0]["message"] and log[0]["actor"] == ADMIN
