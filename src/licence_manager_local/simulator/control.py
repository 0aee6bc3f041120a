"""A typed client for the simulator's /_control/ routes (standard library only).

sim = SimulatorControl("http://127.0.0.1:8085/")
sim.set_users("acme-widgets.example", "1010020027", 10)
sim.fail_next(503, count=2, method="subscriptions.list")
"""

from __future__ import annotations

import urllib.parse
from typing import Any, TypedDict, cast

from ..serving import ControlCallError, ControlClient
from .control_users import UsersControl


class CustomerState(TypedDict):
    customerId: str
    customerDomain: str
    organizationName: str
    alternateEmail: str
    countryCode: str
    ours: bool


class SubscriptionState(TypedDict):
    customerId: str
    customerDomain: str
    skuId: str
    subscriptionId: str
    planName: str  # as requested: ANNUAL_MONTHLY_PAY stays ANNUAL_MONTHLY_PAY here
    seats: int  # numberOfSeats (annual) or maximumNumberOfSeats (FLEXIBLE, TRIAL)
    users: int  # users wanting a licence; licensedNumberOfSeats = min(users, seats)
    licensedNumberOfSeats: int
    status: str
    billingMethod: str
    purchaseOrderId: str | None
    renewalType: str | None


class WorldSnapshot(TypedDict):
    customers: list[CustomerState]
    subscriptions: list[SubscriptionState]


class QueuedFaultState(TypedDict):
    kind: str
    code: int
    seconds: float
    method: str | None
    before: bool


class SeatChangeState(TypedDict):
    """One seat change the simulator accepted (see World.changes)."""

    seq: int
    atMs: int
    method: str  # subscriptions.changeSeats, subscriptions.insert, control.update
    customerId: str
    customerDomain: str
    skuId: str
    planName: str
    subscriptionIdBefore: str | None
    subscriptionIdAfter: str
    seatsBefore: int
    seatsAfter: int
    caller: str  # function:<name> pid=N for Licence Manager; control:<actor> for god mode
    purchaseOrderId: str | None


class FaultState(TypedDict):
    latency_ms: float
    rate_429: float
    rate_503: float
    queued: list[QueuedFaultState]
    injected: dict[str, int]  # faults injected so far, by kind: "429", "503", "hang", "delay"


class ControlError(ControlCallError):
    server_name = "simulator"


class SimulatorControl(ControlClient, UsersControl):
    error_type = ControlError

    # world
    def snapshot(self) -> WorldSnapshot:
        return cast(WorldSnapshot, self._call("GET", "world"))

    def reset(self) -> None:
        """Restore the world the server started with; clears faults and counters too."""
        self._call("POST", "reset")

    def add_customer(
        self,
        domain: str,
        organization_name: str,
        *,
        customer_id: str | None = None,
        alternate_email: str | None = None,
        country_code: str = "GB",
        forbidden: bool = False,
    ) -> CustomerState:
        body = {
            "customerDomain": domain,
            "organizationName": organization_name,
            "customerId": customer_id,
            "alternateEmail": alternate_email,
            "countryCode": country_code,
            "forbidden": forbidden,
        }
        return cast(CustomerState, self._call("POST", "customers", body))

    def set_forbidden(self, customer: str, forbidden: bool = True) -> CustomerState:
        """Make a customer someone else's (403 everywhere, hidden from lists) or ours again."""
        path = f"customers/{_seg(customer)}/forbidden"
        return cast(CustomerState, self._call("POST", path, {"forbidden": forbidden}))

    def add_subscription(
        self,
        customer: str,
        sku_id: str,
        plan_name: str,
        seats: int,
        *,
        users: int = 0,
        status: str = "ACTIVE",
        billing_method: str = "ONLINE",
        purchase_order_id: str | None = None,
    ) -> SubscriptionState:
        body = {
            "customerId": customer,
            "skuId": sku_id,
            "planName": plan_name,
            "seats": seats,
            "users": users,
            "status": status,
            "billingMethod": billing_method,
            "purchaseOrderId": purchase_order_id,
        }
        return cast(SubscriptionState, self._call("POST", "subscriptions", body))

    def update_subscription(
        self,
        customer: str,
        sku_id: str,
        *,
        users: int | None = None,
        seats: int | None = None,
        status: str | None = None,
        plan_name: str | None = None,
        billing_method: str | None = None,
        actor: str | None = None,
        new_id: bool = False,
        renewal_type: str | None = None,
    ) -> SubscriptionState:
        """Edit behind the API's back: no seat rules, and the subscriptionId is kept unless
        `new_id`. A seat change is logged as made by `control:<actor>` (see `changes`)."""
        body = {
            "users": users,
            "seats": seats,
            "status": status,
            "planName": plan_name,
            "billingMethod": billing_method,
            "actor": actor,
            "newId": new_id,
            "renewalType": renewal_type,
        }
        path = f"subscriptions/{_seg(customer)}/{_seg(sku_id)}"
        return cast(SubscriptionState, self._call("PATCH", path, body))

    def set_users(self, customer: str, sku_id: str, users: int) -> SubscriptionState:
        """Set how many users want the SKU; Google assigns licences up to the seat cap."""
        return self.update_subscription(customer, sku_id, users=users)

    def drift(self, steps: int = 1, probability: float | None = None) -> int:
        body = {"steps": steps, "probability": probability}
        return int(self._call("POST", "drift", body)["changed"])

    def changes(self) -> list[SeatChangeState]:
        """Every seat change accepted (changeSeats, insert, control edits), oldest first."""
        return cast(list[SeatChangeState], self._call("GET", "changes"))

    # call counters
    def stats(self) -> dict[str, int]:
        return cast(dict[str, int], self._call("GET", "stats"))

    def reset_stats(self) -> None:
        self._call("POST", "stats/reset")

    # faults
    def faults(self) -> FaultState:
        return cast(FaultState, self._call("GET", "faults"))

    def set_faults(
        self,
        *,
        latency_ms: float | None = None,
        rate_429: float | None = None,
        rate_503: float | None = None,
        seed: int | None = None,
    ) -> FaultState:
        body = {"latency_ms": latency_ms, "rate_429": rate_429, "rate_503": rate_503, "seed": seed}
        return cast(FaultState, self._call("PUT", "faults", body))

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def notifications(self) -> dict[str, Any]:
        """The Reseller notifications' topic, registered accounts, faults and counts."""
        return cast(dict[str, Any], self._call("GET", "notifications"))

    def set_notifications(self, **faults: Any) -> dict[str, Any]:
        """duplicate / drop (probabilities), delay_ms, reorder: how unreliably they arrive."""
        return cast(dict[str, Any], self._call("POST", "notifications", faults))

    def fail_next(self, code: int, count: int = 1, method: str | None = None) -> FaultState:
        """The next `count` calls (to `method`, e.g. "subscriptions.list") fail with 429/500/503."""
        body = {"code": code, "count": count, "method": method}
        return cast(FaultState, self._call("POST", "faults/fail_next", body))

    def hang_next(
        self, seconds: float, count: int = 1, method: str | None = None, before: bool = False
    ) -> FaultState:
        """The next `count` calls are carried out but answered only after `seconds`; with
        `before`, held for `seconds` first and only then carried out (a call landing late)."""
        body = {"seconds": seconds, "count": count, "method": method, "before": before}
        return cast(FaultState, self._call("POST", "faults/hang_next", body))


def _seg(value: str) -> str:
    return urllib.parse.quote(value, safe="")
