"""The catalogue: the Workspace SKUs a customer can buy through the reseller and the plans each
is sold on. What they cost is the reseller's price list (domain.prices), kept in Firestore and
maintained by reseller ops; the demo's prices are seed data in licence_manager_local.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from licence_manager.domain.model import TRIAL_SEAT_CAP, PlanKind, plan_kind


@dataclass(frozen=True, slots=True)
class Plan:
    """A plan as a purchase request names it (what subscriptions.insert takes)."""

    plan_name: str
    label: str
    explanation: str


PLANS: Final[dict[str, Plan]] = {
    p.plan_name: p
    for p in (
        Plan(
            "FLEXIBLE",
            "Flexible (monthly)",
            "Pay monthly for the seats you have; add or remove seats at any time.",
        ),
        Plan(
            "ANNUAL_MONTHLY_PAY",
            "Annual, paid monthly",
            "A one-year commitment: seats added are paid for until the plan renews, even if "
            "fewer are used.",
        ),
        Plan(
            "ANNUAL_YEARLY_PAY",
            "Annual, paid yearly",
            "A one-year commitment paid up front: seats added are paid for until the plan "
            "renews, even if fewer are used.",
        ),
        Plan(
            "TRIAL",
            "Free trial (30 days)",
            f"Free for 30 days, at most {TRIAL_SEAT_CAP} seats; choose a paid plan before it ends.",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class CatalogueSku:
    sku_id: str
    sku_name: str


# Google's real SKU ids and names ("Product and SKU IDs").
SKUS: Final[dict[str, CatalogueSku]] = {
    s.sku_id: s
    for s in (
        CatalogueSku("1010020027", "Google Workspace Business Starter"),
        CatalogueSku("1010020028", "Google Workspace Business Standard"),
        CatalogueSku("1010020025", "Google Workspace Business Plus"),
        CatalogueSku("1010020026", "Google Workspace Enterprise Standard"),
        CatalogueSku("1010020020", "Google Workspace Enterprise Plus"),
        CatalogueSku("1010060003", "Google Workspace Enterprise Essentials"),
        CatalogueSku("1010020030", "Google Workspace Frontline Starter"),
    )
}


def plan_explanation(plan_name: str) -> str:
    """What the plan means for seats added, in words for the admin."""
    if plan_name in PLANS:
        return PLANS[plan_name].explanation
    kind = plan_kind(plan_name)
    if kind is PlanKind.ANNUAL:
        return PLANS["ANNUAL_MONTHLY_PAY"].explanation
    if kind is PlanKind.TRIAL:
        return PLANS["TRIAL"].explanation
    if kind is PlanKind.FREE:
        return "A free plan: seats cannot be added."
    return PLANS["FLEXIBLE"].explanation
