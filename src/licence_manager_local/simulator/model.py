"""The simulator's own records of customers and subscriptions (not the wire format)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .catalogue import (
    ANNUAL_PLANS,
    DAY_MS,
    SUSPENDED,
    TRIAL,
    TRIAL_DAYS,
    YEAR_MS,
    default_renewal_type,
)


@dataclass(slots=True)
class Customer:
    customer_id: str
    domain: str
    organization_name: str
    alternate_email: str
    country_code: str = "GB"
    # False models a customer that exists at Google but is managed by another reseller.
    ours: bool = True

    def snapshot(self) -> dict[str, Any]:
        return {
            "customerId": self.customer_id,
            "customerDomain": self.domain,
            "organizationName": self.organization_name,
            "alternateEmail": self.alternate_email,
            "countryCode": self.country_code,
            "ours": self.ours,
        }


@dataclass(slots=True)
class Subscription:
    customer_id: str
    customer_domain: str
    sku_id: str
    subscription_id: str
    plan_name: str
    # numberOfSeats for annual plans, maximumNumberOfSeats for FLEXIBLE and TRIAL.
    seats: int
    # Users in the domain who want this SKU. Google auto-assigns licences up to the cap,
    # so the licensed count is derived from this rather than stored.
    users: int
    status: str
    billing_method: str
    creation_time_ms: int
    commitment_start_ms: int | None = None
    commitment_end_ms: int | None = None
    trial_end_ms: int | None = None
    renewal_type: str | None = None
    purchase_order_id: str | None = None
    suspension_reasons: list[str] = field(default_factory=list)

    @property
    def is_annual(self) -> bool:
        return self.plan_name in ANNUAL_PLANS

    @property
    def is_trial(self) -> bool:
        return self.plan_name == TRIAL

    @property
    def licensed(self) -> int:
        return min(self.users, self.seats)

    def put_on_plan(self, plan_name: str, start_ms: int, now_ms: int) -> None:
        """Switch to a plan that began at start_ms, with the dates that plan carries."""
        self.plan_name = plan_name
        annual = plan_name in ANNUAL_PLANS
        # An annual plan auto-renews, so the interval is the commitment year running now.
        start = start_ms + max(0, (now_ms - start_ms) // YEAR_MS) * YEAR_MS
        self.commitment_start_ms = start if annual else None
        self.commitment_end_ms = start + YEAR_MS if annual else None
        self.renewal_type = default_renewal_type(plan_name) if annual else None
        self.trial_end_ms = start_ms + TRIAL_DAYS * DAY_MS if plan_name == TRIAL else None

    def set_status(self, status: str) -> None:
        self.status = status
        if status != SUSPENDED:
            self.suspension_reasons = []
        elif not self.suspension_reasons:
            self.suspension_reasons = ["RESELLER_INITIATED"]

    def copy(self) -> Subscription:
        return replace(self, suspension_reasons=list(self.suspension_reasons))

    def snapshot(self) -> dict[str, Any]:
        return {
            "customerId": self.customer_id,
            "customerDomain": self.customer_domain,
            "skuId": self.sku_id,
            "subscriptionId": self.subscription_id,
            "planName": self.plan_name,
            "seats": self.seats,
            "users": self.users,
            "licensedNumberOfSeats": self.licensed,
            "status": self.status,
            "billingMethod": self.billing_method,
            "purchaseOrderId": self.purchase_order_id,
            "renewalType": self.renewal_type,
        }


@dataclass(frozen=True, slots=True)
class SeatChange:
    """One change of a subscription's seats the world accepted: Google's own history, which the
    soak reconciles with what Licence Manager recorded and invoiced."""

    seq: int
    at_ms: int
    method: str  # subscriptions.changeSeats, subscriptions.insert, or control.update (god mode)
    customer_id: str
    customer_domain: str
    sku_id: str
    plan_name: str
    subscription_id_before: str | None
    subscription_id_after: str
    seats_before: int  # 0 for an insert
    seats_after: int
    caller: str  # who asked: see callers.identify; control edits say `control:<actor>`
    purchase_order_id: str | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "atMs": self.at_ms,
            "method": self.method,
            "customerId": self.customer_id,
            "customerDomain": self.customer_domain,
            "skuId": self.sku_id,
            "planName": self.plan_name,
            "subscriptionIdBefore": self.subscription_id_before,
            "subscriptionIdAfter": self.subscription_id_after,
            "seatsBefore": self.seats_before,
            "seatsAfter": self.seats_after,
            "caller": self.caller,
            "purchaseOrderId": self.purchase_order_id,
        }
