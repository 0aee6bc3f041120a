"""The demo world's price list: illustrative list prices in pence (GBP) per seat per month,
excluding VAT, seeded by `make run` and by the tests that need prices. A real deployment's
prices are the reseller's, set with `licence-manager prices set` or the dashboard's Prices page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from licence_manager.domain.catalogue import PLANS, SKUS
from licence_manager.domain.prices import Price
from licence_manager.ports.prices import PriceList

DEMO_CURRENCY: Final = "GBP"
SEEDED_BY: Final = "demo-seed"
SEEDED_AT: Final = datetime(2026, 1, 1, tzinfo=UTC)

# SKU id → (flexible, annual) pence per seat per month.
DEMO_LIST_PRICES: Final[dict[str, tuple[int, int]]] = {
    "1010020027": (708, 590),  # Business Starter
    "1010020028": (1416, 1180),  # Business Standard
    "1010020025": (2160, 1800),  # Business Plus
    "1010020026": (2640, 2200),  # Enterprise Standard
    "1010020020": (3540, 2950),  # Enterprise Plus
    "1010060003": (1200, 1000),  # Enterprise Essentials
    "1010020030": (240, 200),  # Frontline Starter
}


def demo_prices() -> list[Price]:
    prices = []
    for sku_id, (flexible, annual) in DEMO_LIST_PRICES.items():
        for plan in PLANS:
            minor = {"FLEXIBLE": flexible, "TRIAL": 0}.get(plan, annual)
            prices.append(
                Price(
                    sku_id,
                    SKUS[sku_id].sku_name,
                    plan,
                    DEMO_CURRENCY,
                    minor,
                    SEEDED_AT,
                    SEEDED_BY,
                )
            )
    return prices


def seed_demo_prices(prices: PriceList) -> None:
    """Seed only an empty price list: prices ops changed in a running demo are kept."""
    if prices.prices():
        return
    for price in demo_prices():
        prices.save_price(price)


def seed_firestore_prices(project: str) -> None:
    """`make run`'s start-up: the demo price list in the emulator's Firestore."""
    from google.cloud import firestore

    from licence_manager.adapters.firestore_prices import FirestorePriceList

    seed_demo_prices(FirestorePriceList(firestore.Client(project=project)))
