"""GET/PUT /customers/{id}/time-zone: customer admins and reseller ops move a customer to another
time zone (audited, licences follow), account managers only read it, other tenants get 404, and
anything but an IANA name is a 422 naming the field; /me and /customers carry each zone."""

from __future__ import annotations

from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction
from tests.api.conftest import ACME, ADMIN, GLOBEX, MANAGER, OPS, OTHER_ADMIN, TZ, Api

ZONE = f"/api/v1/customers/{ACME}/time-zone"


def test_every_reader_sees_the_zone_and_whether_they_may_change_it(api: Api) -> None:
    for email, may_change in ((ADMIN, True), (MANAGER, False), (OPS, True)):
        response = api.call("GET", ZONE, email)
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == {
            "customerId": ACME,
            "timeZone": TZ,
            "canChange": may_change,
        }


def test_an_admin_moves_the_customer_and_its_licences_audited(api: Api) -> None:
    response = api.call("PUT", ZONE, ADMIN, json={"timeZone": "America/New_York"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["timeZone"] == "America/New_York"
    assert api.call("GET", ZONE, MANAGER).get_json()["timeZone"] == "America/New_York"
    assert {lic.time_zone for lic in api.store.licences_of(ACME)} == {"America/New_York"}
    assert {lic.time_zone for lic in api.store.licences_of(GLOBEX)} == {TZ}
    (entry,) = api.store.audit_page(ACME, CUSTOMER_SCOPE, 5, None).entries
    assert (entry.action, entry.actor) == (AuditAction.TIME_ZONE_CHANGED, ADMIN)
    assert "Before: Europe/London. After: America/New_York." in entry.message
    logged = api.call("GET", f"/api/v1/customers/{ACME}/logs", ADMIN).get_json()
    assert any("America/New_York" in e["message"] for e in logged["entries"])


def test_reseller_ops_may_change_it_too(api: Api) -> None:
    response = api.call("PUT", ZONE, OPS, json={"timeZone": "Asia/Tokyo"})
    assert response.status_code == 200
    customer = api.store.customer(ACME)
    assert customer is not None and customer.time_zone == "Asia/Tokyo"


def test_an_account_manager_may_not_change_it_and_other_tenants_cannot_see_it(api: Api) -> None:
    refused = api.call("PUT", ZONE, MANAGER, json={"timeZone": "Asia/Tokyo"})
    assert refused.status_code == 403
    assert api.call("GET", ZONE, OTHER_ADMIN).status_code == 404
    assert api.call("PUT", ZONE, OTHER_ADMIN, json={"timeZone": "UTC"}).status_code == 404
    customer = api.store.customer(ACME)
    assert customer is not None and customer.time_zone == TZ


def test_a_name_that_is_not_a_time_zone_is_a_422_that_says_why(api: Api) -> None:
    for body in (
        {"timeZone": "Europe/Londres"},
        {"timeZone": ""},
        {"timeZone": 3},
        {"timeZone": "UTC", "colour": "red"},
        ["UTC"],
    ):
        response = api.call("PUT", ZONE, ADMIN, json=body)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
        errors = response.get_json()["errors"]
        assert set(errors) <= {"timeZone", "colour"} and errors, body
    bad = api.call("PUT", ZONE, ADMIN, json={"timeZone": "Europe/Londres"}).get_json()
    assert "Europe/Londres is not a time zone we know" in bad["errors"]["timeZone"]
    customer = api.store.customer(ACME)
    assert customer is not None and customer.time_zone == TZ
    assert api.store.audit_page(ACME, CUSTOMER_SCOPE, 5, None).entries == []


def test_the_shell_learns_each_customers_zone_from_me_and_the_customer_list(api: Api) -> None:
    api.call("PUT", ZONE, ADMIN, json={"timeZone": "Australia/Sydney"})
    me = api.call("GET", "/api/v1/me", OPS).get_json()
    zones = {c["customerId"]: c["timeZone"] for c in me["customers"]}
    assert zones == {ACME: "Australia/Sydney", GLOBEX: TZ}
    listed = api.call("GET", "/api/v1/customers", OPS).get_json()["customers"]
    assert {c["customerId"]: c["timeZone"] for c in listed} == zones
