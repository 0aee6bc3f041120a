"""`savings` and `saving_totals` documents: one codec for the unit of work that writes them and
the dashboard that reads them. Flat, camelCase, amounts in minor units, so account managers can
export them from the console as they are."""

from __future__ import annotations

from typing import Any

from licence_manager.adapters.firestore_codec import plain_datetime
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.saving_totals import SavingTotals
from licence_manager.domain.savings import Saving, SavingKind

SAVINGS = "savings"
SAVING_TOTALS = "saving_totals"


def saving_to_doc(saving: Saving) -> dict[str, Any]:
    return {
        "savingId": saving.saving_id,
        "customerId": saving.key.customer_id,
        "skuId": saving.key.sku_id,
        "licenceId": saving.key.doc_id,
        "skuName": saving.sku_name,
        "planName": saving.plan_name,
        "kind": saving.kind.value,
        "seats": saving.seats,
        "months": saving.months,
        "perSeatMonthlyMinor": saving.per_seat_monthly_minor,
        "amountMinor": saving.amount_minor,
        "currency": saving.currency,
        "month": saving.month,
        "at": saving.at,
        "detail": saving.detail,
    }


def saving_from_doc(doc: dict[str, Any]) -> Saving:
    per_seat = doc.get("perSeatMonthlyMinor")
    return Saving(
        saving_id=doc["savingId"],
        key=LicenceKey(doc["customerId"], doc["skuId"]),
        kind=SavingKind(doc["kind"]),
        seats=int(doc["seats"]),
        months=int(doc["months"]),
        per_seat_monthly_minor=None if per_seat is None else int(per_seat),
        currency=doc.get("currency"),
        month=doc["month"],
        at=plain_datetime(doc["at"]),
        sku_name=doc.get("skuName", ""),
        plan_name=doc.get("planName", ""),
        detail=doc.get("detail", ""),
    )


def totals_to_doc(totals: SavingTotals) -> dict[str, Any]:
    return {
        "customerId": totals.customer_id,
        "months": {m: {c: dict(k) for c, k in by.items()} for m, by in totals.months.items()},
        "counts": dict(totals.counts),
        "updatedAt": totals.updated_at,
    }


def totals_from_doc(doc: dict[str, Any]) -> SavingTotals:
    at = doc.get("updatedAt")
    months = {
        month: {c: {k: int(v) for k, v in kinds.items()} for c, kinds in by.items()}
        for month, by in (doc.get("months") or {}).items()
    }
    return SavingTotals(
        customer_id=doc["customerId"],
        months=months,
        counts={m: int(n) for m, n in (doc.get("counts") or {}).items()},
        updated_at=plain_datetime(at) if at else None,
    )
