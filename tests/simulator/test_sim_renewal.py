"""subscriptions.changeRenewalSettings, called through the real Google client, answers in
Google's shape (the discovery document's Subscription) and keeps Google's rules: annual plans
only (google-apis.md §3.2), a new subscription id as on every update, and RENEW_CURRENT_USERS_*
as the default of a new annual subscription."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError

from licence_manager_local.simulator import DiscoverySchemas, World, error_body
from licence_manager_local.simulator.demo import PLUS, STANDARD, STARTER

pytestmark = pytest.mark.timeout(30)


def change(service: Any, customer_id: str, subscription_id: str, renewal_type: str) -> Any:
    return (
        service.subscriptions()
        .changeRenewalSettings(
            customerId=customer_id,
            subscriptionId=subscription_id,
            body={"kind": "subscriptions#renewalSettings", "renewalType": renewal_type},
        )
        .execute()
    )


def test_new_annual_subscriptions_renew_at_the_users_assigned(service: Any, world: World) -> None:
    monthly = world.find_subscription("acme-widgets.example", STANDARD)
    yearly = world.find_subscription("northwind.example", PLUS)
    answers = [
        service.subscriptions()
        .get(customerId=s.customer_id, subscriptionId=s.subscription_id)
        .execute()["renewalSettings"]
        for s in (monthly, yearly)
    ]
    assert answers == [
        {"kind": "subscriptions#renewalSettings", "renewalType": t}
        for t in ("RENEW_CURRENT_USERS_MONTHLY_PAY", "RENEW_CURRENT_USERS_YEARLY_PAY")
    ]


def test_change_renewal_settings_sets_the_type_under_a_new_id(
    service: Any, world: World, schemas: DiscoverySchemas
) -> None:
    sub = world.find_subscription("northwind.example", PLUS)
    body = change(service, sub.customer_id, sub.subscription_id, "AUTO_RENEW_YEARLY_PAY")
    schemas.validate("Subscription", body)
    assert body["kind"] == "reseller#subscription"
    assert body["renewalSettings"] == {
        "kind": "subscriptions#renewalSettings",
        "renewalType": "AUTO_RENEW_YEARLY_PAY",
    }
    assert body["subscriptionId"] != sub.subscription_id
    assert body["seats"]["numberOfSeats"] == sub.seats  # no seat moves
    listed = service.subscriptions().list(customerId=sub.customer_id).execute()
    mine = next(s for s in listed["subscriptions"] if s["skuId"] == PLUS)
    assert mine["renewalSettings"]["renewalType"] == "AUTO_RENEW_YEARLY_PAY"
    assert world.changes() == []  # not a seat change


def test_setting_the_same_type_again_changes_nothing_but_the_id(service: Any, world: World) -> None:
    sub = world.find_subscription("acme-widgets.example", STANDARD)
    first = change(service, sub.customer_id, sub.subscription_id, "CANCEL")
    again = change(service, sub.customer_id, first["subscriptionId"], "CANCEL")
    assert again["renewalSettings"]["renewalType"] == "CANCEL"
    assert again["seats"] == first["seats"]


def test_a_flexible_plan_has_no_renewal_settings_400(service: Any, world: World) -> None:
    sub = world.find_subscription("acme-widgets.example", STARTER)
    with pytest.raises(HttpError) as caught:
        change(service, sub.customer_id, sub.subscription_id, "AUTO_RENEW_MONTHLY_PAY")
    assert caught.value.resp.status == 400
    error = error_body(caught.value)
    assert error["status"] == "FAILED_PRECONDITION"
    assert "annual plans" in error["message"]
    assert world.find_subscription("acme-widgets.example", STARTER).renewal_type is None


@pytest.mark.parametrize("renewal_type", ["", "RENEW_BY_MAGIC"])
def test_an_unknown_renewal_type_is_400_invalid(
    service: Any, world: World, renewal_type: str
) -> None:
    sub = world.find_subscription("northwind.example", PLUS)
    with pytest.raises(HttpError) as caught:
        change(service, sub.customer_id, sub.subscription_id, renewal_type)
    assert caught.value.resp.status == 400
    assert error_body(caught.value)["errors"][0]["reason"] == "invalid"


def test_an_old_subscription_id_is_404_and_an_unknown_field_400(service: Any, world: World) -> None:
    sub = world.find_subscription("northwind.example", PLUS)
    change(service, sub.customer_id, sub.subscription_id, "CANCEL")
    with pytest.raises(HttpError) as caught:
        change(service, sub.customer_id, sub.subscription_id, "CANCEL")
    assert caught.value.resp.status == 404
    fresh = world.find_subscription("northwind.example", PLUS)
    with pytest.raises(HttpError) as caught:
        service.subscriptions().changeRenewalSettings(
            customerId=fresh.customer_id,
            subscriptionId=fresh.subscription_id,
            body={"renewalType": "CANCEL", "seats": 3},
        ).execute()
    assert caught.value.resp.status == 400


def test_the_control_api_sets_a_type_as_the_admin_console_would(control: Any, world: World) -> None:
    state = control.update_subscription(
        "northwind.example", PLUS, renewal_type="AUTO_RENEW_YEARLY_PAY"
    )
    assert state["renewalType"] == "AUTO_RENEW_YEARLY_PAY"
    assert world.find_subscription("northwind.example", PLUS).renewal_type == (
        "AUTO_RENEW_YEARLY_PAY"
    )
