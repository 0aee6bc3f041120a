"""A customer's savings added up (domain.savings): by month, currency and kind in one document
a customer (`SavingTotals`, updated in the transaction of every saving, so My Licences reads one
document for the month's figure), and the same figures from a month's lines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from licence_manager.domain.prices import money
from licence_manager.domain.savings import Saving, SavingKind


@dataclass(frozen=True, slots=True)
class SavingTotals:
    """A customer's savings by month, currency and kind (amounts in minor units), and how many
    savings each month has; updated with every saving, in its transaction."""

    customer_id: str
    months: Mapping[str, Mapping[str, Mapping[str, int]]] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)  # savings a month, priced or not
    updated_at: datetime | None = None


def with_saving(totals: SavingTotals, saving: Saving) -> SavingTotals:
    """`totals` with `saving` added (an unpriced saving counts, but adds no money)."""
    months = {m: {c: dict(k) for c, k in by.items()} for m, by in totals.months.items()}
    counts = dict(totals.counts)
    counts[saving.month] = counts.get(saving.month, 0) + 1
    amount, currency = saving.amount_minor, saving.currency
    if amount is not None and currency is not None:
        kinds = months.setdefault(saving.month, {}).setdefault(currency, {})
        kinds[saving.kind.value] = kinds.get(saving.kind.value, 0) + amount
    return SavingTotals(totals.customer_id, months, counts, saving.at)


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    currency: str
    total_minor: int
    by_kind: Mapping[SavingKind, int]  # every kind, 0 included


def _currency_totals(amounts: Mapping[str, Mapping[str, int]]) -> list[CurrencyTotal]:
    found = []
    for currency in sorted(amounts):
        by_kind = {kind: int(amounts[currency].get(kind.value, 0)) for kind in SavingKind}
        found.append(CurrencyTotal(currency, sum(by_kind.values()), by_kind))
    return found


def month_totals(lines: Iterable[Saving], month: str) -> list[CurrencyTotal]:
    """The month's savings by currency and kind, from its lines (unpriced lines add nothing)."""
    amounts: dict[str, dict[str, int]] = {}
    for line in lines:
        amount, currency = line.amount_minor, line.currency
        if line.month != month or amount is None or currency is None:
            continue
        kinds = amounts.setdefault(currency, {})
        kinds[line.kind.value] = kinds.get(line.kind.value, 0) + amount
    return _currency_totals(amounts)


def totals_for_month(totals: SavingTotals | None, month: str) -> list[CurrencyTotal]:
    """The month's figure from the totals document alone (My Licences' one read)."""
    if totals is None:
        return []
    return _currency_totals(totals.months.get(month, {}))


def since_joined(
    totals: SavingTotals | None, up_to_month: str | None = None
) -> list[CurrencyTotal]:
    """Every saving since the customer joined, by currency (up to and including `up_to_month`
    when given; months compare as YYYY-MM text)."""
    if totals is None:
        return []
    amounts: dict[str, dict[str, int]] = {}
    for month, by_currency in totals.months.items():
        if up_to_month is not None and month > up_to_month:
            continue
        for currency, kinds in by_currency.items():
            into = amounts.setdefault(currency, {})
            for kind, amount in kinds.items():
                into[kind] = into.get(kind, 0) + int(amount)
    return _currency_totals(amounts)


def totals_words(found: list[CurrencyTotal]) -> str:
    """ "£70.80" or "£70.80 and €12.00"; "nothing yet" when there is none."""
    shown = [money(t.total_minor, t.currency) for t in found if t.total_minor]
    return " and ".join(shown) if shown else "nothing yet"
