"""Licences as Licence Manager sees them: one per (customer, SKU), whatever the subscription id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class PlanKind(StrEnum):
    ANNUAL = "ANNUAL"
    FLEXIBLE = "FLEXIBLE"
    TRIAL = "TRIAL"
    FREE = "FREE"


# The Reseller API returns ANNUAL_MONTHLY_PAY as "ANNUAL"; both annual plans share one seat rule.
_PLAN_KINDS = {
    "ANNUAL": PlanKind.ANNUAL,
    "ANNUAL_MONTHLY_PAY": PlanKind.ANNUAL,
    "ANNUAL_YEARLY_PAY": PlanKind.ANNUAL,
    "FLEXIBLE": PlanKind.FLEXIBLE,
    "TRIAL": PlanKind.TRIAL,
    "FREE": PlanKind.FREE,
}

TRIAL_SEAT_CAP = 10


def seats(count: int | str, noun: str = "seat") -> str:
    """'1 seat', '3 seats': figures in messages people read."""
    return f"{count} {noun}" if str(count) == "1" else f"{count} {noun}s"


def plan_kind(plan_name: str) -> PlanKind:
    """The seat rule family of a Reseller plan name; unknown plans are treated as flexible."""
    return _PLAN_KINDS.get(plan_name.upper(), PlanKind.FLEXIBLE)


def known_plan_kind(plan_name: str) -> PlanKind | None:
    """The seat rule family of a plan Google has documented; None for any other name, where a
    claim about money (what reclaiming a seat saves, say) would be a guess."""
    return _PLAN_KINDS.get(plan_name.upper())


@dataclass(frozen=True, slots=True)
class LicenceKey:
    """Subscription ids change on every update, so licences are keyed by customer and SKU."""

    customer_id: str
    sku_id: str

    @property
    def doc_id(self) -> str:
        return f"{self.customer_id}_{self.sku_id}"


@dataclass(frozen=True, slots=True)
class Subscription:
    """One online subscription as the Reseller API reported it, normalised."""

    customer_id: str
    customer_domain: str
    sku_id: str
    sku_name: str
    plan_name: str
    subscription_id: str
    status: str
    number_of_seats: int | None
    maximum_number_of_seats: int | None
    licensed_number_of_seats: int
    # What the reseller's order said (subscriptions.insert carries our request id here), so a
    # purchase can recognise its own subscription; empty when none was given.
    purchase_order_id: str = ""
    # Annual plans only (empty otherwise): renewalSettings.renewalType, an open string ("" when
    # Google sends none), and the end of plan.commitmentInterval, when the term renews.
    renewal_type: str = ""
    commitment_ends_at: datetime | None = None
    # trialSettings.trialEndTime while trialSettings.isInTrial (None otherwise), and the
    # suspensionReasons Google lists while SUSPENDED: what subscription alerts are told from.
    trial_ends_at: datetime | None = None
    suspension_reasons: tuple[str, ...] = ()

    @property
    def key(self) -> LicenceKey:
        return LicenceKey(self.customer_id, self.sku_id)

    @property
    def plan(self) -> PlanKind:
        return plan_kind(self.plan_name)

    @property
    def total_seats(self) -> int:
        """Seats paid for: numberOfSeats on annual plans, maximumNumberOfSeats otherwise."""
        if self.plan is PlanKind.ANNUAL:
            return self.number_of_seats or 0
        return self.maximum_number_of_seats or 0


@dataclass(frozen=True, slots=True)
class Usage:
    """The part of a licence that a sync observes and compares."""

    sku_name: str
    plan_name: str
    subscription_id: str
    status: str
    total: int
    assigned: int
    # What an annual plan does at the end of its term, and when that is (domain.renewal). Part
    # of what the sync compares, so a renewal type changed in the Admin console is noticed.
    renewal_type: str = ""
    commitment_ends_at: datetime | None = None
    # Subscription alerts (domain.subscription_events): see Subscription.
    trial_ends_at: datetime | None = None
    suspension_reasons: tuple[str, ...] = ()

    @property
    def vacant(self) -> int:
        return max(self.total - self.assigned, 0)

    @property
    def utilisation(self) -> float:
        """Assigned over total, in 0..1; an empty or over-assigned licence reads as full."""
        if self.total <= 0:
            return 1.0 if self.assigned > 0 else 0.0
        return min(self.assigned / self.total, 1.0)

    @classmethod
    def of(cls, subscription: Subscription) -> Usage:
        return cls(
            sku_name=subscription.sku_name,
            plan_name=subscription.plan_name,
            subscription_id=subscription.subscription_id,
            status=subscription.status,
            total=subscription.total_seats,
            assigned=subscription.licensed_number_of_seats,
            renewal_type=subscription.renewal_type,
            commitment_ends_at=subscription.commitment_ends_at,
            trial_ends_at=subscription.trial_ends_at,
            suspension_reasons=subscription.suspension_reasons,
        )


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The end of a licence's audit hash chain: the next event links to it."""

    seq: int
    hash: str


GENESIS = AuditHead(seq=0, hash="0" * 64)


@dataclass(frozen=True, slots=True)
class Licence:
    """The stored record of one (customer, SKU): latest usage plus bookkeeping."""

    key: LicenceKey
    customer_domain: str
    usage: Usage
    time_zone: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Customer:
    customer_id: str
    customer_domain: str
    name: str
    time_zone: str
