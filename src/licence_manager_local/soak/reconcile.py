"""Reconciliation after a soak, pure: Google's own record of every seat change (the simulator's
change log) against what Licence Manager recorded (the audit log) and invoiced (the month-end
additions). Money is right only when all three tell the same story, licence by licence.

Licence Manager's changes are compared change by change (before → after), not only in sum: a
recorded purchase that Google never made, or a change Google made twice, cancels out in no sum
that matters to a customer. Changes made outside (the Admin console) are compared in sum: the
sync sees them only at its next listing, so two quick ones may be recorded as one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

LM_SOURCES = frozenset({"automatic", "manual", "purchase"})
APPLIED = "TOP_UP_APPLIED"
OUTSIDE = "SEATS_CHANGED_OUTSIDE"
# Only apply_topup may change seats at Google; anything else calling the API is a difference.
SEAT_CHANGER = "function:apply_topup"


@dataclass(frozen=True, slots=True)
class GoogleChange:
    """One entry of the simulator's change log."""

    licence: str  # {customerId}_{skuId}, as Licence Manager keys its documents
    seq: int
    at: datetime
    method: str
    caller: str
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before

    @property
    def by(self) -> str:
        """licence-manager, outside (god-mode control edits: the Admin console), or unknown."""
        if self.caller.split(" ", 1)[0] == SEAT_CHANGER:
            return "licence-manager"
        if self.caller.startswith("control:"):
            return "outside"
        return "unknown"


@dataclass(frozen=True, slots=True)
class AuditRecord:
    licence: str
    seq: int
    at: datetime
    action: str
    source: str
    actor: str
    before: int | None
    after: int | None
    message: str = ""

    @property
    def delta(self) -> int:
        return (self.after or 0) - (self.before or 0)


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    """One row of a month-end additions report."""

    licence: str
    source: str
    seats: int
    before: int
    after: int


@dataclass(slots=True)
class LicenceRow:
    licence: str
    google_lm: int = 0  # seats Google changed at Licence Manager's request
    applied: int = 0  # seats recorded TOP_UP_APPLIED
    invoiced_lm: int = 0  # seats on the month-end additions from automatic/manual/purchase
    google_outside: int = 0  # seats changed outside (net)
    recorded_outside: int = 0  # seats the sync recorded as changed outside (net)
    invoiced_outside: int = 0
    google_unknown: int = 0  # seats changed by a caller that is neither
    google_total: int | None = None  # at the end, at Google
    recorded_total: int | None = None  # at the end, in the licence document
    differences: list[str] = field(default_factory=list)


def reconcile(
    changes: Iterable[GoogleChange],
    audit: Iterable[AuditRecord],
    invoiced: Iterable[InvoiceRow],
    google_totals: Mapping[str, int],
    recorded_totals: Mapping[str, int],
) -> list[LicenceRow]:
    """One row per licence seen anywhere, with its figures and what does not agree."""
    changes, audit, invoiced = list(changes), list(audit), list(invoiced)
    keys = sorted(
        {c.licence for c in changes}
        | {a.licence for a in audit if a.action in (APPLIED, OUTSIDE)}
        | {r.licence for r in invoiced}
        | set(google_totals)
        | set(recorded_totals)
    )
    rows = []
    for key in keys:
        mine = [c for c in changes if c.licence == key and c.delta != 0]
        entries = [a for a in audit if a.licence == key]
        bills = [r for r in invoiced if r.licence == key]
        rows.append(
            _row(key, mine, entries, bills, google_totals.get(key), recorded_totals.get(key))
        )
    return rows


def _row(
    key: str,
    changes: list[GoogleChange],
    audit: list[AuditRecord],
    invoiced: list[InvoiceRow],
    google_total: int | None,
    recorded_total: int | None,
) -> LicenceRow:
    lm = [c for c in changes if c.by == "licence-manager"]
    outside = [c for c in changes if c.by == "outside"]
    unknown = [c for c in changes if c.by == "unknown"]
    applied = [a for a in audit if a.action == APPLIED and a.delta != 0]
    seen_outside = [a for a in audit if a.action == OUTSIDE]
    row = LicenceRow(
        key,
        google_lm=sum(c.delta for c in lm),
        applied=sum(a.delta for a in applied),
        invoiced_lm=sum(r.seats for r in invoiced if r.source in LM_SOURCES),
        google_outside=sum(c.delta for c in outside),
        recorded_outside=sum(a.delta for a in seen_outside),
        invoiced_outside=sum(r.seats for r in invoiced if r.source == "outside"),
        google_unknown=sum(c.delta for c in unknown),
        google_total=google_total,
        recorded_total=recorded_total,
    )
    diff = row.differences
    for c in unknown:
        diff.append(f"Google change #{c.seq} {c.before}→{c.after} by unknown caller {c.caller!r}")
    google_pairs = Counter((c.before, c.after) for c in lm)
    applied_pairs = Counter((a.before or 0, a.after or 0) for a in applied)
    for (before, after), n in (google_pairs - applied_pairs).items():
        diff.append(f"Google changed {before}→{after} for Licence Manager {n}x with no APPLIED")
    for (before, after), n in (applied_pairs - google_pairs).items():
        diff.append(f"APPLIED {before}→{after} recorded {n}x with no such change at Google")
    if row.google_lm != row.applied:
        diff.append(f"Google added {row.google_lm} for Licence Manager, APPLIED says {row.applied}")
    billable = Counter(
        (a.source, a.before or 0, a.after or 0)
        for a in audit
        if a.action in (APPLIED, OUTSIDE) and a.delta > 0
    )
    billed = Counter((r.source, r.before, r.after) for r in invoiced)
    if billable != billed:
        diff.append(
            f"invoiced {_pairs(billed - billable) or 'nothing extra'}, "
            f"not invoiced {_pairs(billable - billed) or 'nothing'}"
        )
    if row.applied != row.invoiced_lm:
        diff.append(f"APPLIED {row.applied} seats, invoiced {row.invoiced_lm}")
    if row.google_outside != row.recorded_outside:
        diff.append(
            f"changed outside by {row.google_outside} at Google, recorded {row.recorded_outside}"
        )
    if google_total is not None and recorded_total is not None and google_total != recorded_total:
        diff.append(f"Google holds {google_total} seats, the licence says {recorded_total}")
    if google_total is None and recorded_total is not None:
        diff.append(f"the licence says {recorded_total} seats, Google has no such subscription")
    return row


def _pairs(counter: Counter[tuple[str, int, int]]) -> str:
    return ", ".join(f"{s} {b}→{a}x{n}" for (s, b, a), n in sorted(counter.items()))


def differences(rows: Iterable[LicenceRow]) -> list[tuple[str, str]]:
    return [(row.licence, d) for row in rows for d in row.differences]
