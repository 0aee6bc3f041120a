"""The reclaimable seats routes on the in-memory store: the page's summary and list (paged, by
SKU, the action Google allows), the CSV export (formula injection made safe), the policy
(validated, audit-logged, role-checked), tenant isolation, and My Licences' `reclaim` member."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from licence_manager.domain.audit import AuditAction
from licence_manager.domain.changes import customer_key
from licence_manager.domain.insights import HoldersStatus
from licence_manager.domain.reclaim import ReclaimReason
from licence_manager.domain.reclaim_summary import NO_ACCESS_NOTICE
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
from tests.reclaim_seed import holder_record, insights_of

C = f"/api/v1/customers/{ACME}"
ADDON = "1010470001"
NOW = datetime.now(UTC).replace(microsecond=0)


def seed(api: Api, standard: int = 3) -> None:
    records = [
        holder_record(
            ACME,
            STANDARD,
            f"user{n:02d}@acme.example",
            ReclaimReason.INACTIVE,
            user_id=f"10{n:04d}",
            last_login=NOW - timedelta(days=70 + n),
        )
        for n in range(standard)
    ]
    records += [
        holder_record(ACME, STANDARD, "busy@acme.example", None, last_login=NOW),
        holder_record(ACME, STARTER, "gone@acme.example", ReclaimReason.SUSPENDED),
        holder_record(
            ACME,
            ADDON,
            '=HYPERLINK("http://evil.example")@acme.example',
            ReclaimReason.NEVER_SIGNED_IN,
            product_id="Google-Vault",
            user_id="",
        ),
        holder_record(GLOBEX, STANDARD, "secret@globex.example", ReclaimReason.SUSPENDED),
    ]
    api.store.save_seat_holders(records)
    api.store.save_licence_insights(
        insights_of(ACME, [r for r in records if r.customer_id == ACME])
    )
    api.store.save_licence_insights(insights_of(GLOBEX, [], HoldersStatus.NO_ACCESS))


@pytest.fixture
def seeded() -> Api:
    api = build_api()
    seed(api)
    return api


def test_the_page_lists_reclaimable_holders_with_reasons_and_actions(seeded: Api) -> None:
    body = seeded.call("GET", f"{C}/reclaim").get_json()
    assert body["holdersStatus"] == "OK" and body["notice"] is None
    assert body["countedWithInactiveDays"] == 60 and body["inactiveDays"] == 60
    emails = [h["email"] for h in body["holders"]]
    assert len(emails) == 5 and "busy@acme.example" not in emails
    assert "secret@globex.example" not in emails
    first = next(h for h in body["holders"] if h["email"] == "user00@acme.example")
    assert first["reason"] == "INACTIVE" and first["reasonLabel"] == "No recent activity"
    assert first["daysWithoutActivity"] == 70
    assert first["action"]["kind"] == "ADMIN_CONSOLE"
    assert first["action"]["link"] == "https://admin.google.com/ac/users/100000"
    addon = next(h for h in body["holders"] if h["skuId"] == ADDON)
    assert addon["lastSeen"] is None and addon["daysWithoutActivity"] is None
    # Google allows unassigning an add-on: the page offers it (tests/api/test_unassign_routes.py).
    assert addon["action"]["kind"] == "UNASSIGN"
    assert "after you confirm" in addon["action"]["instruction"]
    assert addon["action"]["link"] == ""
    summaries = {s["skuId"]: s for s in body["summaries"]}
    standard = summaries[STANDARD]
    assert standard["count"] == 3 and standard["effect"] == "SAVES_MONEY"
    assert standard["monthlyCostMinor"] == 3 * standard["perSeatMonthlyMinor"]
    assert standard["words"].startswith("3 seats can be reclaimed: removing them saves")
    starter = summaries[STARTER]  # ANNUAL_YEARLY_PAY in the fixture
    assert starter["effect"] == "FREES_SEAT" and starter["freesSeats"] == 1
    assert starter["savesPerMonthMinor"] == 0


def test_the_list_pages_and_filters_by_sku(seeded: Api) -> None:
    seed(seeded, standard=7)
    seen: list[str] = []
    cursor = ""
    for _ in range(10):
        page = seeded.call("GET", f"{C}/reclaim?limit=3&cursor={cursor}").get_json()
        assert len(page["holders"]) <= 3
        seen += [h["email"] for h in page["holders"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 9
    only = seeded.call("GET", f"{C}/reclaim?skuId={STANDARD}").get_json()
    assert {h["skuId"] for h in only["holders"]} == {STANDARD} and len(only["holders"]) == 7
    # Summaries stay whole under a filter: the cards show every SKU.
    assert {s["skuId"] for s in only["summaries"]} >= {STANDARD, STARTER, ADDON}


def test_bad_paging_is_a_400(seeded: Api) -> None:
    for query in ("limit=0", "limit=101", "limit=x", f"cursor={GLOBEX}_x", "skuId=" + "9" * 65):
        response = seeded.call("GET", f"{C}/reclaim?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == "application/problem+json"


def test_no_access_shows_the_generic_notice_and_no_list() -> None:
    api = build_api()
    seed(api)
    body = api.call("GET", f"/api/v1/customers/{GLOBEX}/reclaim", OTHER_ADMIN).get_json()
    assert body["holdersStatus"] == "NO_ACCESS" and body["notice"] == NO_ACCESS_NOTICE
    assert body["holders"] == [] and body["summaries"] == []
    assert "domainCannotUseApis" not in str(body)
    rows = api.call("GET", f"/api/v1/customers/{GLOBEX}/licences", OTHER_ADMIN).get_json()
    assert rows[0]["reclaim"]["status"] == "NO_ACCESS"
    assert rows[0]["reclaim"]["notice"] == NO_ACCESS_NOTICE
    assert rows[0]["reclaim"]["count"] is None


def test_my_licences_rows_carry_their_reclaimable_seats(seeded: Api) -> None:
    rows = {r["skuId"]: r for r in seeded.call("GET", f"{C}/licences").get_json()}
    standard = rows[STANDARD]["reclaim"]
    assert standard["count"] == 3 and standard["status"] == "OK"
    assert standard["monthlyCostMinor"] == 3 * rows[STANDARD]["price"]["perSeatMonthlyMinor"]
    assert rows[STARTER]["reclaim"]["effect"] == "FREES_SEAT"
    # Before the holder sync ever ran: nothing at all.
    fresh = build_api()
    assert all(r["reclaim"] is None for r in fresh.call("GET", f"{C}/licences").get_json())


def test_the_csv_is_every_reclaimable_seat_with_formulas_made_safe(seeded: Api) -> None:
    response = seeded.call("GET", f"{C}/reclaim.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="reclaimable-seats-acme.example-')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 5
    evil = next(r for r in rows if "HYPERLINK" in r["user"])
    assert not evil["user"].startswith("=")  # safe_text: never read as a formula
    assert all(r["user"][:1] not in "=+-@" for r in rows)
    assert {r["reason"] for r in rows} == {"No recent activity", "Suspended", "Never signed in"}
    only = seeded.call("GET", f"{C}/reclaim.csv?skuId={STARTER}").get_data(as_text=True)
    assert only.count("\n") == 2  # header and one seat
    blocked = seeded.call("GET", f"/api/v1/customers/{GLOBEX}/reclaim.csv", OPS)
    assert blocked.get_data(as_text=True).count("\n") == 1  # the header only


def test_the_policy_is_validated_saved_and_audited(seeded: Api) -> None:
    got = seeded.call("GET", f"{C}/reclaim-policy").get_json()
    assert (got["inactiveDays"], got["changedBy"], got["canChange"]) == (60, None, True)
    for bad, why in (
        ({"inactiveDays": 6}, "from 7 to 365"),
        ({"inactiveDays": 366}, "from 7 to 365"),
        ({"inactiveDays": "30"}, "whole number"),
        ({"inactiveDays": 30.5}, "whole number"),
        ({"inactiveDays": True}, "whole number"),
        ({}, "whole number"),
    ):
        response = seeded.call("PUT", f"{C}/reclaim-policy", json=bad)
        assert response.status_code == 422, bad
        assert response.mimetype == "application/problem+json"
        assert why in response.get_json()["errors"]["inactiveDays"], bad
    extra = seeded.call("PUT", f"{C}/reclaim-policy", json={"inactiveDays": 30, "x": 1})
    assert extra.status_code == 422 and extra.get_json()["errors"] == {"x": "Unknown field."}
    assert seeded.call("PUT", f"{C}/reclaim-policy", data="nope").status_code == 422
    assert seeded.store.audit_entries(customer_key(ACME)) == []

    saved = seeded.call("PUT", f"{C}/reclaim-policy", json={"inactiveDays": 30}).get_json()
    assert (saved["inactiveDays"], saved["changedBy"]) == (30, ADMIN)
    assert saved["countedWithInactiveDays"] == 60  # the list follows at the next daily check
    (entry,) = seeded.store.audit_entries(customer_key(ACME))
    assert (entry.action, entry.actor) == (AuditAction.RECLAIM_POLICY_CHANGED, ADMIN)
    log = seeded.call("GET", f"{C}/logs?skuId=customer").get_json()["entries"]
    assert log[0]["actionLabel"] == "Reclaim policy changed"
    assert seeded.call("GET", f"{C}/reclaim").get_json()["inactiveDays"] == 30


def test_roles_and_tenants(seeded: Api) -> None:
    # An account manager reads but cannot change; another customer's admin sees a 404.
    assert seeded.call("GET", f"{C}/reclaim", MANAGER).status_code == 200
    assert seeded.call("GET", f"{C}/reclaim-policy", MANAGER).get_json()["canChange"] is False
    refused = seeded.call("PUT", f"{C}/reclaim-policy", MANAGER, json={"inactiveDays": 30})
    assert refused.status_code == 403
    for path in ("reclaim", "reclaim.csv", "reclaim-policy"):
        assert seeded.call("GET", f"{C}/{path}", OTHER_ADMIN).status_code == 404
    hidden = seeded.call("PUT", f"{C}/reclaim-policy", OTHER_ADMIN, json={"inactiveDays": 30})
    assert hidden.status_code == 404
    assert (
        seeded.call("PUT", f"{C}/reclaim-policy", OPS, json={"inactiveDays": 90}).status_code == 200
    )
    assert seeded.store.reclaim_policy(GLOBEX).changed_by is None
