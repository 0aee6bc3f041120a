"""Every implemented method, called through the real Google client, answers in Google's shape."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError

from licence_manager_local.simulator import (
    DiscoverySchemas,
    RunningSimulator,
    SchemaViolation,
    World,
    error_body,
    generated_world,
    reseller_service,
    start_simulator,
)
from licence_manager_local.simulator import api as api_module
from licence_manager_local.simulator.demo import PLUS, STANDARD, STARTER
from licence_manager_local.simulator.wire import customer_json

pytestmark = pytest.mark.timeout(30)


def test_list_pages_through_to_a_last_page_without_token(
    service: Any, schemas: DiscoverySchemas
) -> None:
    seen: list[tuple[str, str]] = []
    token = None
    pages = 0
    while True:
        page = service.subscriptions().list(maxResults=5, pageToken=token).execute()
        schemas.validate("Subscriptions", page)
        assert page["kind"] == "reseller#subscriptions"
        seen += [(s["customerDomain"], s["skuId"]) for s in page["subscriptions"]]
        pages += 1
        token = page.get("nextPageToken")
        if token is None:
            break
    assert pages == 3
    assert len(seen) == 11 == len(set(seen))
    assert seen == sorted(seen)


def test_default_page_size_is_twenty() -> None:
    with start_simulator(generated_world(45, seed=1), strict=True) as big:
        page = reseller_service(big.url).subscriptions().list().execute()
    assert len(page["subscriptions"]) == 20
    assert "nextPageToken" in page


def test_list_filters_by_customer_id_or_domain(
    service: Any, world: World, schemas: DiscoverySchemas
) -> None:
    acme = world.get_customer("acme-widgets.example")
    by_id = service.subscriptions().list(customerId=acme.customer_id).execute()
    by_domain = service.subscriptions().list(customerId="acme-widgets.example").execute()
    schemas.validate("Subscriptions", by_id)
    assert by_id == by_domain
    assert {s["customerId"] for s in by_id["subscriptions"]} == {acme.customer_id}
    assert len(by_id["subscriptions"]) == 3


def test_get_returns_one_subscription(
    service: Any, world: World, schemas: DiscoverySchemas
) -> None:
    sub = world.find_subscription("northwind.example", PLUS)
    body = (
        service.subscriptions()
        .get(customerId=sub.customer_id, subscriptionId=sub.subscription_id)
        .execute()
    )
    schemas.validate("Subscription", body)
    assert body["kind"] == "reseller#subscription"
    assert body["skuName"] == "Google Workspace Business Plus"
    assert body["plan"] == {
        "planName": "ANNUAL_YEARLY_PAY",
        "isCommitmentPlan": True,
        "commitmentInterval": body["plan"]["commitmentInterval"],
    }
    interval = body["plan"]["commitmentInterval"]
    assert int(interval["endTime"]) > int(interval["startTime"]) > 0
    assert body["renewalSettings"]["renewalType"] == "RENEW_CURRENT_USERS_YEARLY_PAY"
    assert body["seats"] == {
        "kind": "subscriptions#seats",
        "numberOfSeats": 50,
        "licensedNumberOfSeats": 48,
    }


def test_change_seats_annual_and_flexible(
    service: Any, world: World, schemas: DiscoverySchemas
) -> None:
    annual = world.find_subscription("acme-widgets.example", STANDARD)
    body = (
        service.subscriptions()
        .changeSeats(
            customerId=annual.customer_id,
            subscriptionId=annual.subscription_id,
            body={"numberOfSeats": 30},
        )
        .execute()
    )
    schemas.validate("Subscription", body)
    assert body["seats"]["numberOfSeats"] == 30
    assert "maximumNumberOfSeats" not in body["seats"]

    flexible = world.find_subscription("acme-widgets.example", STARTER)
    body = (
        service.subscriptions()
        .changeSeats(
            customerId="acme-widgets.example",
            subscriptionId=flexible.subscription_id,
            body={"kind": "subscriptions#seats", "maximumNumberOfSeats": 12},
        )
        .execute()
    )
    schemas.validate("Subscription", body)
    assert body["seats"]["maximumNumberOfSeats"] == 12
    assert body["plan"] == {"planName": "FLEXIBLE", "isCommitmentPlan": False}


def test_insert_creates_a_subscription(
    service: Any, world: World, schemas: DiscoverySchemas
) -> None:
    body = (
        service.subscriptions()
        .insert(
            customerId="initech.example",
            body={
                "customerId": "initech.example",
                "skuId": PLUS,
                "plan": {"planName": "ANNUAL_MONTHLY_PAY"},
                "seats": {"numberOfSeats": 15},
                "purchaseOrderId": "PO-1234",
            },
        )
        .execute()
    )
    schemas.validate("Subscription", body)
    assert body["plan"]["planName"] == "ANNUAL"
    assert body["seats"] == {
        "kind": "subscriptions#seats",
        "numberOfSeats": 15,
        "licensedNumberOfSeats": 0,
    }
    assert body["purchaseOrderId"] == "PO-1234"
    assert body["status"] == "ACTIVE"
    assert body["customerId"] == world.get_customer("initech.example").customer_id
    listed = service.subscriptions().list(customerId="initech.example").execute()
    assert body in listed["subscriptions"]


def test_insert_trial_has_trial_settings(service: Any, schemas: DiscoverySchemas) -> None:
    body = (
        service.subscriptions()
        .insert(
            customerId="initech.example",
            body={
                "skuId": PLUS,
                "plan": {"planName": "TRIAL"},
                "seats": {"maximumNumberOfSeats": 5},
            },
        )
        .execute()
    )
    schemas.validate("Subscription", body)
    assert body["trialSettings"]["isInTrial"] is True
    assert int(body["trialSettings"]["trialEndTime"]) > int(body["creationTime"])


def test_customers_get_by_id_and_domain(
    service: Any, world: World, schemas: DiscoverySchemas
) -> None:
    globex = world.get_customer("globex.example")
    body = service.customers().get(customerId=globex.customer_id).execute()
    schemas.validate("Customer", body)
    assert body == service.customers().get(customerId="globex.example").execute()
    assert body["kind"] == "reseller#customer"
    assert body["customerDomain"] == "globex.example"
    assert body["customerType"] == "domain"
    assert body["postalAddress"]["organizationName"] == "Globex Corporation"
    assert body["alternateEmail"] and body["resourceUiUrl"]


def test_fields_parameter_trims_the_response(service: Any) -> None:
    body = (
        service.subscriptions()
        .list(maxResults=2, fields="nextPageToken,subscriptions(skuId,seats/licensedNumberOfSeats)")
        .execute()
    )
    assert set(body) == {"nextPageToken", "subscriptions"}
    assert set(body["subscriptions"][0]) == {"skuId", "seats"}
    assert set(body["subscriptions"][0]["seats"]) == {"licensedNumberOfSeats"}


def test_unimplemented_discovery_method_is_501(service: Any, world: World) -> None:
    sub = world.find_subscription("acme-widgets.example", STARTER)
    with pytest.raises(HttpError) as caught:
        service.subscriptions().suspend(
            customerId=sub.customer_id, subscriptionId=sub.subscription_id
        ).execute()
    assert caught.value.resp.status == 501


def test_error_body_has_googles_shape(service: Any) -> None:
    with pytest.raises(HttpError) as caught:
        service.customers().get(customerId="nobody.example").execute()
    assert caught.value.resp.status == 404
    assert caught.value.resp["content-type"] == "application/json; charset=UTF-8"
    error = error_body(caught.value)
    assert set(error) == {"code", "message", "errors", "status"}
    assert error["code"] == 404 and error["status"] == "NOT_FOUND"
    assert error["errors"] == [
        {"message": error["message"], "domain": "global", "reason": "notFound"}
    ]


# ----- the validator itself must be able to fail -----


def _valid_subscription(service: Any) -> dict[str, Any]:
    body: dict[str, Any] = service.subscriptions().list(maxResults=1).execute()
    return dict(body["subscriptions"][0])


def test_validator_rejects_unknown_field(service: Any, schemas: DiscoverySchemas) -> None:
    body = _valid_subscription(service)
    schemas.validate("Subscription", body)
    body["invented"] = 1
    with pytest.raises(SchemaViolation, match="invented"):
        schemas.validate("Subscription", body)


def test_validator_rejects_unknown_nested_field(service: Any, schemas: DiscoverySchemas) -> None:
    body = _valid_subscription(service)
    body["seats"] = {**body["seats"], "assigned": 3}
    assert schemas.problems("Subscription", body)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("creationTime", 1700000000000),  # int64 must be a string on the wire
        ("creationTime", "soon"),
        ("status", 3),
        ("seats", {"numberOfSeats": "5"}),
        ("plan", {"isCommitmentPlan": "yes"}),
    ],
)
def test_validator_rejects_wrong_types(
    service: Any, schemas: DiscoverySchemas, field: str, value: Any
) -> None:
    body = _valid_subscription(service)
    body[field] = value
    assert schemas.problems("Subscription", body)


def test_strict_mode_turns_a_bad_response_into_500(
    sim: RunningSimulator, service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_module, "customer_json", lambda c: {**customer_json(c), "extra": True})
    with pytest.raises(HttpError) as caught:
        service.customers().get(customerId="globex.example").execute()
    assert caught.value.resp.status == 500
    assert "violates discovery schema Customer" in error_body(caught.value)["message"]
