"""Google's JSON representation of the simulator's records, and parsing of request bodies.

Request bodies must already have passed the discovery schema check, so the parsers here
only pick fields out; int64 values go out as strings, as Google sends them.
"""

from __future__ import annotations

from typing import Any

from .catalogue import ALL_SKUS, OFFLINE, wire_plan_name
from .errors import invalid
from .model import Customer, Subscription
from .rules import SeatsRequest
from .world import NewSubscription


def subscription_json(sub: Subscription) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "planName": wire_plan_name(sub.plan_name),
        "isCommitmentPlan": sub.is_annual,
    }
    # Google omits the commitment interval for offline-billed subscriptions.
    if sub.commitment_start_ms is not None and sub.billing_method != OFFLINE:
        plan["commitmentInterval"] = {
            "startTime": str(sub.commitment_start_ms),
            "endTime": str(sub.commitment_end_ms),
        }
    seats: dict[str, Any] = {"kind": "subscriptions#seats"}
    seats["numberOfSeats" if sub.is_annual else "maximumNumberOfSeats"] = sub.seats
    seats["licensedNumberOfSeats"] = sub.licensed
    trial: dict[str, Any] = {"isInTrial": sub.is_trial}
    if sub.trial_end_ms is not None:
        trial["trialEndTime"] = str(sub.trial_end_ms)
    body: dict[str, Any] = {
        "kind": "reseller#subscription",
        "customerId": sub.customer_id,
        "customerDomain": sub.customer_domain,
        "subscriptionId": sub.subscription_id,
        "skuId": sub.sku_id,
        "skuName": ALL_SKUS[sub.sku_id].name,
        "plan": plan,
        "seats": seats,
        "trialSettings": trial,
        "status": sub.status,
        "creationTime": str(sub.creation_time_ms),
        "billingMethod": sub.billing_method,
        "resourceUiUrl": (
            f"https://admin.google.com/ac/billing/subscriptions?hl=en&domain={sub.customer_domain}"
            f"&productId={ALL_SKUS[sub.sku_id].product_id}&skuId={sub.sku_id}"
        ),
    }
    if sub.renewal_type is not None:
        body["renewalSettings"] = {
            "kind": "subscriptions#renewalSettings",
            "renewalType": sub.renewal_type,
        }
    if sub.suspension_reasons:
        body["suspensionReasons"] = list(sub.suspension_reasons)
    if sub.purchase_order_id:
        body["purchaseOrderId"] = sub.purchase_order_id
    return body


def subscriptions_json(page: list[Subscription], next_page_token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "reseller#subscriptions",
        "subscriptions": [subscription_json(sub) for sub in page],
    }
    if next_page_token:
        body["nextPageToken"] = next_page_token
    return body


def customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "kind": "reseller#customer",
        "customerId": customer.customer_id,
        "customerDomain": customer.domain,
        "customerDomainVerified": True,
        "customerType": "domain",
        "alternateEmail": customer.alternate_email,
        "postalAddress": {
            "kind": "customers#address",
            "organizationName": customer.organization_name,
            "contactName": f"{customer.organization_name} IT",
            "countryCode": customer.country_code,
        },
        "resourceUiUrl": f"https://admin.google.com/{customer.domain}/AdminHome",
    }


def parse_seats(body: dict[str, Any]) -> SeatsRequest:
    # licensedNumberOfSeats is read-only: accepted in the body and ignored, like Google.
    return SeatsRequest(
        number_of_seats=body.get("numberOfSeats"),
        maximum_number_of_seats=body.get("maximumNumberOfSeats"),
    )


def parse_new_subscription(body: dict[str, Any]) -> NewSubscription:
    plan = body.get("plan") or {}
    if not body.get("skuId"):
        raise invalid("skuId is required.")
    if not plan.get("planName"):
        raise invalid("plan.planName is required.")
    if "seats" not in body:
        raise invalid("seats is required.")
    purchase_order_id = body.get("purchaseOrderId")
    if purchase_order_id is not None and len(purchase_order_id) > 80:
        raise invalid("purchaseOrderId is limited to 80 characters.")
    return NewSubscription(
        sku_id=body["skuId"],
        plan_name=plan["planName"],
        seats=parse_seats(body["seats"]),
        purchase_order_id=purchase_order_id,
        customer_id=body.get("customerId"),
    )
