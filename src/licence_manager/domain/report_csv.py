"""One SKU's report over a range as CSV: a row per period, the figures the page shows.

Quoting is the csv module's (commas, quotes and line breaks in a cell stay inside it); text is
never a formula (domain.spreadsheet).
"""

from __future__ import annotations

import csv
import io

from licence_manager.domain.reports import SOURCES, UsageReport, automatic_top_ups
from licence_manager.domain.spreadsheet import safe_text

RANGE_CSV_COLUMNS = (
    "period",
    "from",
    "to",
    "skuId",
    "skuName",
    "assignedAtEnd",
    "totalAtEnd",
    "averageAssigned",
    "averageTotal",
    "averageUtilisation",
    "automaticTopUps",
    "licencesAdded",
    *(f"licencesAdded_{source}" for source in SOURCES),
    "timeZone",
)


def _number(value: float | int | None, places: int = 4) -> str:
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else f"{round(value, places)}"


def range_csv(report: UsageReport, sku_id: str, sku_name: str, time_zone: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RANGE_CSV_COLUMNS)
    for period in report.periods:
        figures = period.figures
        by_source = {
            source: sum(a.seats for a in period.additions if a.source == source)
            for source in SOURCES
        }
        writer.writerow(
            [
                period.label,
                period.first.isoformat(),
                period.last.isoformat(),
                safe_text(sku_id),
                safe_text(sku_name),
                _number(figures.last_assigned),
                _number(figures.last_total),
                _number(figures.average_assigned, 2),
                _number(figures.average_total, 2),
                _number(figures.average_utilisation),
                str(automatic_top_ups(period.additions)),
                str(sum(by_source.values())),
                *(str(by_source[source]) for source in SOURCES),
                time_zone,
            ]
        )
    return out.getvalue()
