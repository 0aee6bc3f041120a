"""The price list over HTTP: who may read and change it, validation as RFC 9457 problems, and
every estimate following a change (the licence's quote, the catalogue, the worst case)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ACME, ADMIN, GLOBEX, MANAGER, OPS, OTHER_ADMIN, STANDARD, Api

PRICE = f"/api/v1/prices/{STANDARD}/FLEXIBLE"
DISCOUNT = f"/api/v1/customers/{ACME}/price-discount"


def quote(api: Api, email: str = ADMIN, customer: str = ACME) -> dict[str, Any]:
    rows = api.call("GET", f"/api/v1/customers/{customer}/licences", email).get_json()
    price: dict[str, Any] = next(r for r in rows if r["skuId"] == STANDARD)["price"]
    return price


def test_everyone_signed_in_reads_list_prices_and_only_ops_see_the_changes(api: Api) -> None:
    for email in (ADMIN, MANAGER, OPS):
        body = api.call("GET", "/api/v1/prices", email).get_json()
        row = next(p for p in body["prices"] if p["skuId"] == STANDARD)
        assert row["skuName"] == "Google Workspace Business Standard"
        assert ("changes" in body) is (email == OPS)
    assert api.call("GET", "/api/v1/prices", None).status_code == 401


def test_a_discount_is_seen_by_ops_and_that_customers_users_only(api: Api) -> None:
    assert api.call("PUT", DISCOUNT, OPS, json={"percent": 12.5}).status_code == 200
    for email, sees in ((OPS, True), (ADMIN, True), (MANAGER, True), (OTHER_ADMIN, False)):
        discounts = api.call("GET", "/api/v1/prices", email).get_json()["discounts"]
        expected = [(ACME, 12.5)] if sees else []
        assert [(d["customerId"], d["percent"]) for d in discounts] == expected


def test_ops_change_a_price_and_the_quote_follows_with_the_discount(api: Api) -> None:
    assert quote(api) == {**quote(api), "perSeatMonthlyMinor": 1416, "currency": "GBP"}
    response = api.call("PUT", PRICE, OPS, json={"currency": "EUR", "perSeatMonthlyMinor": 2000})
    assert response.status_code == 200 and response.get_json()["updatedBy"] == OPS
    assert (quote(api)["perSeatMonthlyMinor"], quote(api)["currency"]) == (2000, "EUR")
    api.call("PUT", DISCOUNT, OPS, json={"percent": 10})
    assert quote(api)["perSeatMonthlyMinor"] == 1800
    assert quote(api, OTHER_ADMIN, GLOBEX)["perSeatMonthlyMinor"] == 2000  # not theirs
    catalogue = api.call("GET", f"/api/v1/customers/{ACME}/catalogue").get_json()
    standard = next(s for s in catalogue["skus"] if s["skuId"] == STANDARD)
    assert standard["prices"]["FLEXIBLE"] == {"perSeatMonthlyMinor": 1800, "currency": "EUR"}
    assert api.call("DELETE", DISCOUNT, OPS).status_code == 204
    assert quote(api)["perSeatMonthlyMinor"] == 2000
    changes = api.call("GET", "/api/v1/prices", OPS).get_json()["changes"]
    assert [c["after"] for c in changes[:3]] == ["no discount", "10% off", "€20.00 a seat a month"]


def test_a_removed_price_says_no_price_never_zero(api: Api) -> None:
    assert api.call("DELETE", PRICE, OPS).status_code == 204
    assert quote(api)["perSeatMonthlyMinor"] is None and quote(api)["currency"] is None
    settings = api.call("GET", f"/api/v1/customers/{ACME}/licences/{STANDARD}/settings")
    assert settings.get_json()["worstCaseMonthly"]["estimatedCostMinor"] is None
    missing = api.call("DELETE", PRICE, OPS)
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"


def test_invalid_prices_and_discounts_are_problems_naming_each_field(api: Api) -> None:
    bad = api.call(
        "PUT",
        "/api/v1/prices/999/MONTHLY",
        OPS,
        json={"currency": "pounds", "perSeatMonthlyMinor": -1, "colour": "red"},
    )
    assert bad.status_code == 422 and bad.headers["Content-Type"] == "application/problem+json"
    assert set(bad.get_json()["errors"]) == {"colour"}
    bad = api.call(
        "PUT",
        "/api/v1/prices/999/MONTHLY",
        OPS,
        json={"currency": "pounds", "perSeatMonthlyMinor": 1.5},
    )
    assert set(bad.get_json()["errors"]) == {
        "planName",
        "currency",
        "perSeatMonthlyMinor",
        "skuName",  # 999 is not in the catalogue, so it needs a name
    }
    named = api.call(
        "PUT",
        "/api/v1/prices/999/FLEXIBLE",
        OPS,
        json={"currency": "GBP", "perSeatMonthlyMinor": 100, "skuName": "Vault"},
    )
    assert named.status_code == 200 and named.get_json()["skuName"] == "Vault"
    for body in ({"percent": 100}, {"percent": "x"}, {}, {"percent": 5, "extra": 1}, []):
        response = api.call("PUT", DISCOUNT, OPS, json=body)
        assert response.status_code == 422 and "percent" in response.get_json()["errors"]


def test_only_reseller_ops_change_prices(api: Api) -> None:
    body = {"currency": "GBP", "perSeatMonthlyMinor": 1}
    for email in (ADMIN, MANAGER):
        assert api.call("PUT", PRICE, email, json=body).status_code == 403
        assert api.call("DELETE", PRICE, email).status_code == 403
        assert api.call("PUT", DISCOUNT, email, json={"percent": 50}).status_code == 403
    assert quote(api)["perSeatMonthlyMinor"] == 1416
