"""Directory, Licensing and Reports through the real Google clients: shapes checked against the
discovery documents google-api-python-client ships, paging, and the refusals Google gives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError

from licence_manager_local.simulator import (
    RunningSimulator,
    SimulatorControl,
    World,
    error_body,
    reseller_service,
    schemas_for,
)
from licence_manager_local.simulator.control_users import NEVER
from licence_manager_local.simulator.demo import ENTERPRISE_STANDARD, STANDARD, STARTER

pytestmark = pytest.mark.timeout(60)

DIRECTORY = schemas_for("admin", "directory_v1")
LICENSING = schemas_for("licensing", "v1")
REPORTS = schemas_for("admin", "reports_v1")
ACME = "acme-widgets.example"
REPORT_DAY = "2025-12-30"  # the latest day with data at the fixture's clock (conftest)


def _id(world: World, domain: str) -> str:
    return world.get_customer(domain).customer_id


def _all_pages(call: Any, key: str, schemas: Any, schema: str, **params: Any) -> list[Any]:
    items: list[Any] = []
    token = None
    while True:
        page = call(**params, pageToken=token).execute() if token else call(**params).execute()
        schemas.validate(schema, page)
        items += page.get(key, [])
        token = page.get("nextPageToken")
        if token is None:
            return items


def _error(call: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value.resp.status, error_body(caught.value)


def _method_parameters(api: str, version: str, resource: str, method: str) -> set[str]:
    doc = json.loads(get_static_doc(api, version) or "{}")
    return set(doc["resources"][resource]["methods"][method]["parameters"])


# ----- Directory users.list -----


def test_users_list_pages_through_every_user(
    directory: Any, admin_world: World, admin_control: SimulatorControl
) -> None:
    users = _all_pages(
        directory.users().list,
        "users",
        DIRECTORY,
        "Users",
        customer=_id(admin_world, ACME),
        maxResults=7,
        projection="basic",
    )
    emails = [u["primaryEmail"] for u in users]
    expected = sorted(u["primaryEmail"] for u in admin_control.users(ACME)["users"])
    assert emails == expected and len(set(emails)) == len(emails) > 7
    first = users[0]
    assert first["kind"] == "admin#directory#user"
    assert {"id", "suspended", "archived", "creationTime", "lastLoginTime", "isAdmin"} <= set(first)
    assert first["orgUnitPath"] == "/" and first["customerId"] == _id(admin_world, ACME)


def test_users_list_default_page_is_a_hundred(directory: Any, admin_world: World) -> None:
    page = directory.users().list(customer=_id(admin_world, "globex.example")).execute()
    DIRECTORY.validate("Users", page)
    assert page["kind"] == "admin#directory#users"
    assert len(page["users"]) == 100 and "nextPageToken" in page


def test_users_list_by_domain_and_order(directory: Any, admin_world: World) -> None:
    by_domain = directory.users().list(domain=ACME, maxResults=500).execute()
    by_id = directory.users().list(customer=_id(admin_world, ACME), maxResults=500).execute()
    assert [u["id"] for u in by_domain["users"]] == [u["id"] for u in by_id["users"]]
    backwards = (
        directory.users()
        .list(domain=ACME, maxResults=500, orderBy="email", sortOrder="DESCENDING")
        .execute()
    )
    assert backwards["users"] == by_id["users"][::-1]


def test_users_list_accepts_every_documented_parameter(directory: Any, admin_world: World) -> None:
    params = {
        "customer": _id(admin_world, ACME),
        "customFieldMask": "",
        "event": "add",
        "maxResults": 500,
        "orderBy": "familyName",
        "projection": "full",
        "query": "isSuspended=false",
        "showDeleted": "false",
        "sortOrder": "ASCENDING",
        "viewType": "admin_view",
    }
    documented = _method_parameters("admin", "directory_v1", "users", "list")
    assert set(params) | {"domain", "pageToken"} == documented
    page = directory.users().list(**params).execute()
    DIRECTORY.validate("Users", page)
    assert page["users"] and not any(u["suspended"] for u in page["users"])
    names = [u["name"]["familyName"].lower() for u in page["users"]]
    assert names == sorted(names)


def test_users_list_refusals(directory: Any) -> None:
    status, error = _error(directory.users().list(customer=ACME))
    assert status == 400  # `customer` takes Google's id, not the domain
    status, error = _error(directory.users().list(domain=ACME, maxResults=501))
    assert status == 400
    status, error = _error(directory.users().list(domain="hooli.example"))
    assert (status, error["errors"][0]["reason"]) == (403, "forbidden")


def test_never_signed_in_suspended_and_archived_users(
    directory: Any, admin_control: SimulatorControl
) -> None:
    admin_control.add_user(
        ACME, sku_id=STARTER, email="new.joiner@acme-widgets.example", last_login=NEVER
    )
    admin_control.add_user(
        ACME,
        sku_id=STARTER,
        email="gone@acme-widgets.example",
        suspended=True,
        last_login="2025-09-01T08:00:00.000Z",
    )
    admin_control.add_user(ACME, email="old@acme-widgets.example", archived=True)
    users = {
        u["primaryEmail"]: u
        for u in directory.users().list(domain=ACME, maxResults=500).execute()["users"]
    }
    assert users["new.joiner@acme-widgets.example"]["lastLoginTime"] == "1970-01-01T00:00:00.000Z"
    gone = users["gone@acme-widgets.example"]
    assert gone["suspended"] is True and gone["suspensionReason"] == "ADMIN"
    assert gone["lastLoginTime"] == "2025-09-01T08:00:00.000Z"
    assert users["old@acme-widgets.example"]["archived"] is True


# ----- Licensing -----


def test_list_for_product_and_sku_pages_and_matches_the_seat_count(
    licensing: Any, admin_sim: RunningSimulator, admin_world: World
) -> None:
    items = _all_pages(
        licensing.licenseAssignments().listForProductAndSku,
        "items",
        LICENSING,
        "LicenseAssignmentList",
        productId="Google-Apps",
        skuId=ENTERPRISE_STANDARD,
        customerId="globex.example",
        maxResults=10,
    )
    sub = admin_world.find_subscription("globex.example", ENTERPRISE_STANDARD)
    assert len(items) == sub.licensed > 10
    assert len({i["userId"] for i in items}) == len(items)
    assert items[0] == {
        "kind": "licensing#licenseAssignment",
        "etags": items[0]["etags"],
        "selfLink": items[0]["selfLink"],
        "userId": items[0]["userId"],
        "productId": "Google-Apps",
        "productName": "Google Workspace",
        "skuId": ENTERPRISE_STANDARD,
        "skuName": "Google Workspace Enterprise Standard",
    }


def test_list_for_product_covers_every_sku_by_id_or_domain(
    licensing: Any, admin_world: World
) -> None:
    call = licensing.licenseAssignments().listForProduct
    by_domain = _all_pages(
        call,
        "items",
        LICENSING,
        "LicenseAssignmentList",
        productId="Google-Apps",
        customerId=ACME,
        maxResults=1000,
    )
    by_id = _all_pages(
        call,
        "items",
        LICENSING,
        "LicenseAssignmentList",
        productId="Google-Apps",
        customerId=_id(admin_world, ACME),
    )
    assert by_domain == by_id
    licensed = {
        s.sku_id: s.licensed for s in admin_world.subscriptions() if s.customer_domain == ACME
    }
    assert {sku: sum(i["skuId"] == sku for i in by_id) for sku in licensed} == licensed
    documented = _method_parameters("licensing", "v1", "licenseAssignments", "listForProduct")
    assert documented == {"productId", "customerId", "maxResults", "pageToken"}


def test_users_past_the_seats_wait_without_a_licence(
    licensing: Any, admin_world: World, admin_control: SimulatorControl
) -> None:
    admin_control.update_subscription(ACME, STANDARD, users=30)  # 25 seats
    items = (
        licensing.licenseAssignments()
        .listForProductAndSku(
            productId="Google-Apps", skuId=STANDARD, customerId=ACME, maxResults=1000
        )
        .execute()["items"]
    )
    assert len(items) == 25 == admin_world.find_subscription(ACME, STANDARD).licensed
    assert len([u for u in admin_control.users(ACME)["users"] if u["edition"] == STANDARD]) == 30


def test_deleting_a_workspace_edition_is_412(licensing: Any) -> None:
    holder = (
        licensing.licenseAssignments()
        .listForProductAndSku(productId="Google-Apps", skuId=STARTER, customerId=ACME, maxResults=1)
        .execute()["items"][0]
    )
    status, error = _error(
        licensing.licenseAssignments().delete(
            productId="Google-Apps", skuId=STARTER, userId=holder["userId"]
        )
    )
    assert status == 412
    assert error["message"] == "Auto License un-assignment is not allowed."
    assert error["errors"][0]["reason"] == "conditionNotMet"
    status, _ = _error(
        licensing.licenseAssignments().delete(
            productId="Google-Apps", skuId=STANDARD, userId=holder["userId"]
        )
    )
    assert status == 404  # holds Starter, not Standard


def test_unassigning_an_add_on_lowers_licensed_seats(
    licensing: Any, admin_sim: RunningSimulator, admin_control: SimulatorControl
) -> None:
    admin_control.add_subscription(ACME, "Google-Vault", "FLEXIBLE", 4, users=3)
    assignments = licensing.licenseAssignments()
    items = assignments.listForProductAndSku(
        productId="Google-Vault", skuId="Google-Vault", customerId=ACME
    ).execute()["items"]
    assert len(items) == 3 and {i["productName"] for i in items} == {"Google Vault"}
    reseller = reseller_service(admin_sim.url)

    def licensed() -> int:
        subs = reseller.subscriptions().list(customerId=ACME).execute()["subscriptions"]
        return next(s for s in subs if s["skuId"] == "Google-Vault")["seats"][
            "licensedNumberOfSeats"
        ]

    body = assignments.delete(
        productId="Google-Vault", skuId="Google-Vault", userId=items[0]["userId"]
    ).execute()
    assert body in ({}, "") and licensed() == 2
    got = assignments.get(productId="Google-Vault", skuId="Google-Vault", userId=items[1]["userId"])
    LICENSING.validate("LicenseAssignment", got.execute())
    status, _ = _error(
        assignments.get(productId="Google-Vault", skuId="Google-Vault", userId=items[0]["userId"])
    )
    assert status == 404
    added = assignments.insert(
        productId="Google-Vault", skuId="Google-Vault", body={"userId": items[0]["userId"]}
    ).execute()
    LICENSING.validate("LicenseAssignment", added)
    assert licensed() == 3
    others = [
        u["primaryEmail"]
        for u in admin_control.users(ACME)["users"]
        if "Google-Vault" not in u["licences"]
    ]
    assignments.insert(
        productId="Google-Vault", skuId="Google-Vault", body={"userId": others[0]}
    ).execute()
    status, error = _error(
        assignments.insert(
            productId="Google-Vault", skuId="Google-Vault", body={"userId": others[1]}
        )
    )
    assert status == 412 and "enough available licenses" in error["message"]
    assert licensed() == 4


# ----- Reports userUsageReport.get -----


def test_usage_report_pages_with_last_login_and_sso(
    reports: Any, admin_world: World, admin_control: SimulatorControl
) -> None:
    customer_id = _id(admin_world, ACME)
    admin_control.add_user(
        ACME,
        email="never@acme-widgets.example",
        creation_time="2025-06-01T00:00:00.000Z",
        last_login=NEVER,
    )
    rows = _all_pages(
        reports.userUsageReport().get,
        "usageReports",
        REPORTS,
        "UsageReports",
        userKey="all",
        date=REPORT_DAY,
        customerId=customer_id,
        parameters="accounts:last_login_time,accounts:last_sso_time",
        maxResults=7,
    )
    emails = [r["entity"]["userEmail"] for r in rows]
    assert len(emails) == len(set(emails)) > 7 and emails == sorted(emails)
    never = next(r for r in rows if r["entity"]["userEmail"] == "never@acme-widgets.example")
    assert never["kind"] == "admin#reports#usageReport" and never["date"] == REPORT_DAY
    assert never["entity"]["type"] == "USER" and never["entity"]["customerId"] == customer_id
    assert never["parameters"] == [
        {"name": "accounts:last_login_time", "datetimeValue": "1970-01-01T00:00:00.000Z"},
        {"name": "accounts:last_sso_time", "datetimeValue": "1970-01-01T00:00:00.000Z"},
    ]
    signed_in = [r for r in rows if r["parameters"][0]["datetimeValue"] != NEVER]
    assert signed_in and all(
        p["datetimeValue"] < "2025-12-31T08:00" for p in signed_in[0]["parameters"]
    )


def test_usage_report_is_as_of_its_day(
    reports: Any, directory: Any, admin_world: World, admin_control: SimulatorControl
) -> None:
    email = "ada@acme-widgets.example"
    admin_control.add_user(
        ACME,
        email=email,
        creation_time="2025-01-01T00:00:00.000Z",
        last_login="2025-12-20T09:00:00.000Z",
    )
    admin_control.update_user(ACME, email, lastSsoTime="2025-12-31T10:00:00.000Z")
    report = (
        reports.userUsageReport()
        .get(
            userKey=email,
            date=REPORT_DAY,
            customerId=_id(admin_world, ACME),
            parameters="accounts:last_login_time,accounts:last_sso_time,gmail:unknown_thing",
        )
        .execute()
    )
    REPORTS.validate("UsageReports", report)
    assert [r["entity"]["userEmail"] for r in report["usageReports"]] == [email]
    assert report["usageReports"][0]["parameters"] == [
        {"name": "accounts:last_login_time", "datetimeValue": "2025-12-20T09:00:00.000Z"},
        {"name": "accounts:last_sso_time", "datetimeValue": "1970-01-01T00:00:00.000Z"},
    ]
    user = directory.users().get(userKey=email).execute()
    DIRECTORY.validate("User", user)
    assert user["lastLoginTime"] == "2025-12-31T10:00:00.000Z"


def test_usage_report_for_recent_days_is_not_available(reports: Any, admin_world: World) -> None:
    customer_id = _id(admin_world, ACME)
    status, error = _error(
        reports.userUsageReport().get(userKey="all", date="2025-12-31", customerId=customer_id)
    )
    assert status == 400 and error["errors"][0]["reason"] == "invalid"
    assert error["message"] == (
        "Data for dates later than 2025-12-30 is not yet available. Please check back later"
    )
    status, error = _error(
        reports.userUsageReport().get(userKey="all", date="2026-01-02", customerId=customer_id)
    )
    assert (status, error["message"]) == (400, "Start date can not be later than 2026-01-01")


def test_usage_report_accepts_every_documented_parameter(reports: Any, admin_world: World) -> None:
    params = {
        "userKey": "all",
        "date": REPORT_DAY,
        "customerId": _id(admin_world, ACME),
        "filters": "accounts:last_login_time>2025-01-01T00:00:00.000Z",
        "groupIdFilter": "id:abc123",
        "maxResults": 1000,
        "orgUnitID": "id:abc123",
        "parameters": "accounts:last_login_time",
    }
    documented = _method_parameters("admin", "reports_v1", "userUsageReport", "get")
    assert set(params) | {"pageToken"} == documented
    body = reports.userUsageReport().get(**params).execute()
    REPORTS.validate("UsageReports", body)
    assert body["usageReports"]


# ----- reseller access switched off -----


def test_admin_apis_off_is_403_domain_cannot_use_apis(
    admin_sim: RunningSimulator,
    directory: Any,
    licensing: Any,
    reports: Any,
    admin_world: World,
    admin_control: SimulatorControl,
) -> None:
    customer_id = _id(admin_world, ACME)
    state = admin_control.set_admin_api_access(ACME, "OFF")
    assert state["adminApiAccess"] == "OFF"
    calls = [
        directory.users().list(customer=customer_id),
        licensing.licenseAssignments().listForProduct(productId="Google-Apps", customerId=ACME),
        licensing.licenseAssignments().get(
            productId="Google-Apps", skuId=STARTER, userId=f"admin@{ACME}"
        ),
        reports.userUsageReport().get(userKey="all", date=REPORT_DAY, customerId=customer_id),
    ]
    for call in calls:
        status, error = _error(call)
        assert (status, error["errors"][0]["reason"]) == (403, "domainCannotUseApis")
        assert error["message"] == "Domain cannot use apis."
    # The Reseller API keeps answering: counts are what remains.
    subs = reseller_service(admin_sim.url).subscriptions().list(customerId=ACME).execute()
    assert all("licensedNumberOfSeats" in s["seats"] for s in subs["subscriptions"])

    admin_control.set_admin_api_access(ACME, "FORBIDDEN")
    status, error = _error(directory.users().list(customer=customer_id))
    assert (status, error["errors"][0]["reason"]) == (403, "forbidden")
    admin_control.set_admin_api_access(ACME, "ON")
    assert directory.users().list(customer=customer_id).execute()["users"]


# ----- consistency with the Reseller world as it drifts -----


def test_licence_lists_follow_licensed_seats_through_drift(
    admin_sim: RunningSimulator, licensing: Any, admin_world: World
) -> None:
    import random

    rng = random.Random(3)
    for _ in range(15):
        admin_world.drift(rng, probability=0.8)
    reseller = reseller_service(admin_sim.url)
    subs = _all_pages(
        reseller.subscriptions().list,
        "subscriptions",
        schemas_for("reseller", "v1"),
        "Subscriptions",
        maxResults=100,
    )
    for sub in subs:
        items = _all_pages(
            licensing.licenseAssignments().listForProductAndSku,
            "items",
            LICENSING,
            "LicenseAssignmentList",
            productId="Google-Apps",
            skuId=sub["skuId"],
            customerId=sub["customerId"],
            maxResults=1000,
        )
        assert len(items) == sub["seats"]["licensedNumberOfSeats"], sub["customerDomain"]
