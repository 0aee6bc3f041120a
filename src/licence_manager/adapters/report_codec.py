"""Month summaries and month-end records as flat Firestore documents (the export contract)."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.month_end import MonthEndSummary
from licence_manager.domain.reports import SOURCES, Figures

Document = dict[str, Any]
_FIGURES = ("covered_seconds", "assigned_seconds", "total_seconds", "utilisation_seconds",
            "min_assigned", "max_assigned", "min_total", "max_total", "last_assigned",
            "last_total")  # fmt: skip


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def month_figures_to_doc(key: LicenceKey, month: str, figures: Figures) -> Document:
    return {
        "licenceId": key.doc_id,
        "customerId": key.customer_id,
        "skuId": key.sku_id,
        "month": month,
        **{_camel(name): getattr(figures, name) for name in _FIGURES},
    }


def month_figures_from_doc(doc: Document) -> Figures:
    return Figures(**{name: doc[_camel(name)] for name in _FIGURES})


def month_end_to_doc(s: MonthEndSummary) -> Document:
    return {
        "customerId": s.customer_id,
        "customerDomain": s.customer_domain,
        "customerName": s.customer_name,
        "month": s.month,
        "timeZone": s.time_zone,
        "seatsAdded": s.seats_added,
        **{f"seatsAdded{source.title()}": s.by_source.get(source, 0) for source in SOURCES},
        "additions": s.additions,
        "estimatedCost": round(s.estimated_cost_minor / 100, 2),
        "currency": s.currency or None,  # None: nothing was priced
        "skuSummary": s.sku_summary,
    }


def month_end_from_doc(doc: Document) -> MonthEndSummary:
    return MonthEndSummary(
        customer_id=doc["customerId"],
        customer_domain=doc["customerDomain"],
        customer_name=doc["customerName"],
        month=doc["month"],
        time_zone=doc["timeZone"],
        seats_added=doc["seatsAdded"],
        by_source={source: doc[f"seatsAdded{source.title()}"] for source in SOURCES},
        additions=doc["additions"],
        estimated_cost_minor=round(doc["estimatedCost"] * 100),
        sku_summary=doc["skuSummary"],
        currency=doc.get("currency") or "",
    )
