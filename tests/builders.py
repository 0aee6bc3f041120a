"""Small builders for test data, with sensible defaults so each test states only what matters."""

from __future__ import annotations

from datetime import UTC, datetime

from licence_manager.domain.model import Subscription

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

SKU_NAMES = {
    "1010020027": "Google Workspace Business Starter",
    "1010020028": "Google Workspace Business Standard",
    "1010020025": "Google Workspace Business Plus",
}


def subscription(
    customer_id: str = "C01",
    domain: str = "acme.example",
    sku_id: str = "1010020028",
    plan: str = "FLEXIBLE",
    total: int = 10,
    assigned: int = 5,
    status: str = "ACTIVE",
    subscription_id: str = "sub-1",
    renewal_type: str = "",
    commitment_ends_at: datetime | None = None,
) -> Subscription:
    annual = plan.startswith("ANNUAL")
    return Subscription(
        customer_id=customer_id,
        customer_domain=domain,
        sku_id=sku_id,
        sku_name=SKU_NAMES.get(sku_id, sku_id),
        plan_name=plan,
        subscription_id=subscription_id,
        status=status,
        number_of_seats=total if annual else None,
        maximum_number_of_seats=None if annual else total,
        licensed_number_of_seats=assigned,
        renewal_type=renewal_type,
        commitment_ends_at=commitment_ends_at,
    )
