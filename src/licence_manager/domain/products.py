"""Which Licensing API product a SKU belongs to. `licenseAssignments.listForProduct` takes a
product id, the Reseller API only ever tells us SKU ids, and neither API maps one to the other:
the table is Google's ("Product and SKU IDs", research google-apis.md §1.5)."""

from __future__ import annotations

from typing import Final

from licence_manager.domain.catalogue import SKUS
from licence_manager.domain.reclaim import WORKSPACE_PRODUCT

# Every Workspace edition Google lists under the product "Google-Apps", beyond what we sell
# (domain.catalogue): a customer may hold one bought before, and its holders are still ours
# to report.
WORKSPACE_SKUS: Final = frozenset(
    {
        *SKUS,
        "1010020027",  # Business Starter
        "1010020028",  # Business Standard
        "1010020025",  # Business Plus
        "1010060003",  # Enterprise Essentials
        "1010020029",  # Enterprise Starter
        "1010020026",  # Enterprise Standard
        "1010020020",  # Enterprise Plus
        "1010060001",  # Essentials
        "1010060005",  # Enterprise Essentials Plus
        "1010020030",  # Frontline Starter
        "1010020031",  # Frontline Standard
        "1010020034",  # Frontline Plus
        "1010020035",  # Business Continuity
        "1010020036",  # Business Continuity Plus
        # Legacy editions, still held by old customers under the same product.
        "Google-Apps-Unlimited",
        "Google-Apps-For-Business",
        "Google-Apps-Lite",
        "Google-Apps-For-Postini",
    }
)

# Add-on products whose SKU ids are the product id followed by four digits (1010340001 is
# Business Plus Archived User, product 101034).
NUMBERED_PRODUCTS: Final = {
    "101034": "Archived User",
    "101068": "Gemini Business",
    "101047": "Gemini",
    "101043": "Workspace Additional Storage",
    "101033": "Voice",
    "101038": "AppSheet",
    "101031": "Education",
    "101037": "Education",
}

# Add-on products whose SKU ids are names: the product id is the name's stem.
NAMED_PRODUCTS: Final = ("Google-Vault", "Google-Drive-storage")


def product_of(sku_id: str) -> str | None:
    """The Licensing API product id of `sku_id`; None when Google's table does not have it (the
    holder sync skips that SKU and says why rather than guess a product)."""
    if sku_id in WORKSPACE_SKUS:
        return WORKSPACE_PRODUCT
    if len(sku_id) == 10 and sku_id.isdigit() and sku_id[:6] in NUMBERED_PRODUCTS:
        return sku_id[:6]
    for product in NAMED_PRODUCTS:
        if sku_id == product or sku_id.startswith(product + "-"):
            return product
    return None
