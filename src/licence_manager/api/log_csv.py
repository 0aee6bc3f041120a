"""The audit log as CSV, for auditors and spreadsheets: the same labels as the Logs page
(api.log_wording), times in the customer's time zone, written a page at a time as it is read."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from licence_manager.api.log_wording import action_label, humanise, source_label
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.spreadsheet import safe_text
from licence_manager.ports.dashboard import MAX_PAGE, AuditPage

HEADER = (
    "When",
    "Time zone",
    "Licence",
    "Event",
    "Source",
    "Who",
    "Seats before",
    "Seats after",
    "Details",
)


def row(entry: AuditEntry, sku_name: str, zone: ZoneInfo) -> list[str]:
    def seats(value: int | None) -> str:
        return "" if value is None else str(value)

    return [
        entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
        zone.key,
        safe_text(sku_name),
        action_label(entry.action, entry.source),
        source_label(entry.source),
        safe_text(entry.actor),
        seats(entry.seats_before),
        seats(entry.seats_after),
        safe_text(humanise(entry.message)),
    ]


def stream(
    read_page: Callable[[int, str | None], AuditPage],
    names: dict[str, str],
    zone: ZoneInfo,
) -> Iterator[str]:
    """The header, then each page's rows as it is read (newest first), until the last page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(HEADER)
    yield flush()
    cursor: str | None = None
    while True:
        page = read_page(MAX_PAGE, cursor)
        for entry in page.entries:
            writer.writerow(row(entry, names.get(entry.key.sku_id, entry.key.sku_id), zone))
        yield flush()
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def filename(customer_domain: str, today: datetime) -> str:
    """licence-log-acme.example-2026-12-05.csv: whose log, and when it was taken."""
    safe = "".join(c if c.isalnum() or c in ".-" else "-" for c in customer_domain) or "customer"
    return f"licence-log-{safe}-{today:%Y-%m-%d}.csv"
