"""The Google Workspace SKUs and payment plans the simulator knows.

SKU ids and names are the real ones from Google's "Product and SKU IDs" table, so that
code under test sees exactly the strings it will meet in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PRODUCT_ID: Final = "Google-Apps"


@dataclass(frozen=True, slots=True)
class Sku:
    sku_id: str
    name: str
    product_id: str = PRODUCT_ID

    @property
    def auto_licensed(self) -> bool:
        """Workspace editions are assigned to every user automatically (Licensing answers 412
        to un-assigning one); add-ons are assigned user by user."""
        return self.product_id == PRODUCT_ID


SKUS: Final[dict[str, Sku]] = {
    s.sku_id: s
    for s in (
        Sku("1010020027", "Google Workspace Business Starter"),
        Sku("1010020028", "Google Workspace Business Standard"),
        Sku("1010020025", "Google Workspace Business Plus"),
        Sku("1010020026", "Google Workspace Enterprise Standard"),
        Sku("1010020020", "Google Workspace Enterprise Plus"),
        Sku("1010060003", "Google Workspace Enterprise Essentials"),
        Sku("1010020030", "Google Workspace Frontline Starter"),
    )
}

# Add-ons the Reseller API sells besides the editions, assigned user by user (Google's "Product
# and SKU IDs" table). Kept apart from SKUS so generated worlds stay what they were.
ADD_ON_SKUS: Final[dict[str, Sku]] = {
    s.sku_id: s for s in (Sku("Google-Vault", "Google Vault", product_id="Google-Vault"),)
}
ALL_SKUS: Final[dict[str, Sku]] = {**SKUS, **ADD_ON_SKUS}
PRODUCT_NAMES: Final[dict[str, str]] = {
    PRODUCT_ID: "Google Workspace",
    "Google-Vault": "Google Vault",
}

# Plan names as a request carries them. ANNUAL_MONTHLY_PAY is reported back as "ANNUAL".
ANNUAL_MONTHLY_PAY: Final = "ANNUAL_MONTHLY_PAY"
ANNUAL_YEARLY_PAY: Final = "ANNUAL_YEARLY_PAY"
FLEXIBLE: Final = "FLEXIBLE"
TRIAL: Final = "TRIAL"
REQUEST_PLANS: Final = frozenset({ANNUAL_MONTHLY_PAY, ANNUAL_YEARLY_PAY, FLEXIBLE, TRIAL})
ANNUAL_PLANS: Final = frozenset({ANNUAL_MONTHLY_PAY, ANNUAL_YEARLY_PAY})

TRIAL_MAX_SEATS: Final = 10
# Stands in for the per-reseller contract limit Google enforces on any one subscription.
CONTRACT_MAX_SEATS: Final = 50_000

TRIAL_DAYS: Final = 30
DAY_MS: Final = 86_400_000
YEAR_MS: Final = 365 * DAY_MS

ACTIVE: Final = "ACTIVE"
SUSPENDED: Final = "SUSPENDED"
PENDING: Final = "PENDING"
STATUSES: Final = frozenset({ACTIVE, SUSPENDED, PENDING})

ONLINE: Final = "ONLINE"
OFFLINE: Final = "OFFLINE"
BILLING_METHODS: Final = frozenset({ONLINE, OFFLINE})


def wire_plan_name(plan_name: str) -> str:
    """The plan name as Google reports it in responses."""
    return "ANNUAL" if plan_name == ANNUAL_MONTHLY_PAY else plan_name


# The renewal types Google documents for changeRenewalSettings (the discovery document gives
# no enum; the manage_subscriptions page lists these: ../shared/research/google-apis.md §3.2).
RENEWAL_TYPES = frozenset(
    {
        "AUTO_RENEW_MONTHLY_PAY",
        "AUTO_RENEW_YEARLY_PAY",
        "RENEW_CURRENT_USERS_MONTHLY_PAY",
        "RENEW_CURRENT_USERS_YEARLY_PAY",
        "SWITCH_TO_PAY_AS_YOU_GO",
        "CANCEL",
        "RENEW_ON_PROPOSED_OFFER",
    }
)


def default_renewal_type(plan_name: str) -> str:
    """Google's default for an active annual plan: renew at the users assigned then,
    RENEW_CURRENT_USERS_MONTHLY_PAY / _YEARLY_PAY "respectively" (manage_subscriptions page,
    ../shared/research/google-apis.md §3.2). Not AUTO_RENEW_*, which re-commits every seat."""
    if plan_name == ANNUAL_MONTHLY_PAY:
        return "RENEW_CURRENT_USERS_MONTHLY_PAY"
    return "RENEW_CURRENT_USERS_YEARLY_PAY"
