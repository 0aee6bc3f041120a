"""The savings export: one row per saving, for account managers (`licence-manager export
savings`). Amounts in the currency's major unit; cells a spreadsheet would run as a formula made
harmless (domain.spreadsheet)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Final

from licence_manager.domain.savings import Saving
from licence_manager.domain.spreadsheet import safe_text

SAVINGS_CSV_COLUMNS: Final = (
    "customerId",
    "skuId",
    "skuName",
    "planName",
    "kind",
    "seats",
    "months",
    "perSeatMonthly",
    "amount",
    "currency",
    "month",
    "at",
    "detail",
    "savingId",
)


def _major(minor: int | None) -> str:
    return "" if minor is None else f"{minor / 100:.2f}"


def savings_csv(lines: Iterable[Saving]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SAVINGS_CSV_COLUMNS)
    for s in lines:
        writer.writerow(
            [
                safe_text(s.key.customer_id),
                safe_text(s.key.sku_id),
                safe_text(s.sku_name),
                safe_text(s.plan_name),
                s.kind.value,
                s.seats,
                s.months,
                _major(s.per_seat_monthly_minor),
                _major(s.amount_minor),
                s.currency or "",
                s.month,
                s.at.isoformat(),
                safe_text(s.detail),
                safe_text(s.saving_id),
            ]
        )
    return out.getvalue()
