"""licence_insights/{customerId} documents to LicenceInsights and back. Field names are part of
the export contract (docs/architecture.md, "Firestore layout")."""

from __future__ import annotations

from licence_manager.adapters.firestore_codec import Document, plain_datetime
from licence_manager.adapters.forecast_codec import forecast_from_doc, forecast_to_doc
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight

INSIGHTS = "licence_insights"


def insights_to_doc(insights: LicenceInsights) -> Document:
    return {
        "customerId": insights.customer_id,
        "syncedAt": insights.synced_at,
        "holdersStatus": insights.holders_status.value,
        "holdersDetail": insights.holders_detail,
        "inactiveDays": insights.inactive_days,
        "skus": {
            sku_id: {
                "productId": s.product_id,
                "holders": s.holders,
                "reclaimable": s.reclaimable,
                "suspended": s.suspended,
                "neverSignedIn": s.never_signed_in,
                "inactive": s.inactive,
            }
            for sku_id, s in insights.skus.items()
        },
        "forecasts": {sku_id: forecast_to_doc(f) for sku_id, f in insights.forecasts.items()},
    }


def insights_from_doc(doc: Document) -> LicenceInsights:
    try:
        status = HoldersStatus(doc.get("holdersStatus", ""))
    except ValueError:  # a status a newer version wrote: judge nothing on it
        status = HoldersStatus.ERROR
    return LicenceInsights(
        customer_id=doc["customerId"],
        synced_at=plain_datetime(doc["syncedAt"]),
        holders_status=status,
        holders_detail=doc.get("holdersDetail", ""),
        inactive_days=doc.get("inactiveDays", 0),
        skus={
            sku_id: SkuInsight(
                product_id=s.get("productId", ""),
                holders=s.get("holders", 0),
                reclaimable=s.get("reclaimable", 0),
                suspended=s.get("suspended", 0),
                never_signed_in=s.get("neverSignedIn", 0),
                inactive=s.get("inactive", 0),
            )
            for sku_id, s in (doc.get("skus") or {}).items()
        },
        forecasts={
            sku_id: forecast_from_doc(f) for sku_id, f in (doc.get("forecasts") or {}).items()
        },
    )


def reclaimable_from_doc(doc: Document | None, sku_id: str) -> int | None:
    """The reclaimable seats of `sku_id` from a customer's insights document, None when there is
    none or its holders could not be read."""
    return insights_from_doc(doc).reclaimable(sku_id) if doc else None
