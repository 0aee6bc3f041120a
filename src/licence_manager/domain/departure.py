"""When a departed customer's data is deleted, and what is kept (issue 15, "Data that outlives
mistakes").

**Departed**: every licence the usage sync stored for the customer is REMOVED (the customer's
subscriptions are gone from the reseller: the sync marks each missing licence REMOVED, with a
LICENCE_REMOVED audit entry, after checking the customer's own listing). The customer departed
when the last of them was removed (the licences' latest `updatedAt`). A customer with a licence
in any other state, or with none stored, has not departed.

**Due**: `after_days` (default 400, Terraform `retention.departed_after_days`) after departing.
A customer who comes back before then (a licence seen again) is no longer departed.

**Kept**: invoicing records, those an invoice or a dispute about one may need (`INVOICING`:
seat-change requests, monthly usage and additions, the audit trail and its heads), are never
deleted while younger than `invoicing_days` (default 2557, 7 years) by their own date; a later
run deletes them once they are older. Everything else of the customer (licences, daily usage,
settings, seat holders and their addresses, recipients, notifications, insights, policies,
limits) is deleted when due; the removed licences and the customer document last, once no
invoicing record is kept (until then they are how a later run finds the customer again)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

REMOVED = "REMOVED"
DEPARTED_AFTER_DAYS = 400
INVOICING_DAYS = 2557  # 7 years

# Collections whose documents are `{customerId}_...`.
BY_PREFIX = (
    "usage_daily",
    "licence_settings",
    "licence_automation",
    "seat_holders",
    "notifications",
    "recipients",
)
# Collections holding one document `{customerId}`.
BY_ID = (
    "holder_digests",
    "licence_insights",
    "reclaim_policies",
    "spending_limits",
    "price_discounts",
    "audit_checkpoints",
)
# Invoicing records (`{customerId}_...`) and the field that dates each: kept while younger than
# the invoicing retention. A month field ("YYYY-MM") counts from the month's first day.
INVOICING = {
    "topup_requests": "createdAt",
    "usage_monthly": "month",
    "monthly_additions": "month",
    "audit_events": "at",
}
# Deleted only once no audit entry of the customer is left (they end its chains).
AUDIT_HEADS = "audit_heads"
# Kept while any invoicing record is: the removed licences say the customer departed, and when,
# so a later run finds it again and deletes the records as they age out (company names and SKU
# figures only, no personal data).
LAST = {"licences": "prefix", "customers": "id"}


def departed_since(licences: Iterable[tuple[str, datetime]]) -> datetime | None:
    """(status, updatedAt) of each stored licence → when the customer departed, or None."""
    seen = list(licences)
    if not seen or any(status != REMOVED for status, _ in seen):
        return None
    return max(at for _, at in seen)


@dataclass(frozen=True, slots=True)
class Retention:
    after_days: int = DEPARTED_AFTER_DAYS
    invoicing_days: int = INVOICING_DAYS

    def __post_init__(self) -> None:
        if self.after_days < 30:
            raise ValueError("a departed customer's data is kept at least 30 days")
        if self.invoicing_days < 365:
            raise ValueError("invoicing records are kept at least a year")

    def due_at(self, departed: datetime) -> datetime:
        return departed + timedelta(days=self.after_days)

    def invoicing_cutoff(self, now: datetime) -> datetime:
        """Invoicing records dated before this may be deleted; the rest are kept."""
        return now - timedelta(days=self.invoicing_days)


def month_before(month: str, cutoff: datetime) -> bool:
    """A "YYYY-MM" month lies wholly before the cutoff's month."""
    return month < f"{cutoff:%Y-%m}"


def dated_before(dated: object, cutoff: datetime) -> bool:
    """An invoicing record's date (a time, or a "YYYY-MM" month) lies before the cutoff; a
    record without a readable date is kept."""
    if isinstance(dated, str):
        return month_before(dated, cutoff)
    return isinstance(dated, datetime) and dated < cutoff
