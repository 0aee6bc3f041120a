"""The My Licences summary line: counts over the licences Google holds, spend as an estimate."""

from __future__ import annotations

from licence_manager.domain.licence_figures import summarise
from licence_manager.domain.model import Licence, Usage
from tests.builders import T0, subscription

STANDARD, STARTER, PLUS, UNKNOWN = "1010020028", "1010020027", "1010020025", "9999"


def licence(sku_id: str, plan: str = "FLEXIBLE", total: int = 10, assigned: int = 5, **kw: str):
    sub = subscription(sku_id=sku_id, plan=plan, total=total, assigned=assigned, **kw)
    return Licence(sub.key, sub.customer_domain, Usage.of(sub), "Europe/London", T0)


def flat(pence: dict[tuple[str, str], int | None]):
    asked: list[tuple[str, str]] = []

    def lookup(sku_id: str, plan_name: str) -> int | None:
        asked.append((sku_id, plan_name))
        return pence.get((sku_id, plan_name))

    return lookup, asked


def test_annual_plans_bill_their_total_and_flexible_plans_their_assigned_seats() -> None:
    lookup, asked = flat({(STANDARD, "FLEXIBLE"): 1000, (STARTER, "ANNUAL"): 500})
    figures = summarise(
        [
            licence(STANDARD, "FLEXIBLE", total=10, assigned=4),
            licence(STARTER, "ANNUAL", total=20, assigned=5),
        ],
        lookup,
    )
    assert (figures.skus, figures.seats, figures.assigned, figures.vacant) == (2, 30, 9, 21)
    assert figures.utilisation == 9 / 30
    assert figures.monthly_spend_minor == 4 * 1000 + 20 * 500
    assert not figures.prices_missing
    assert asked == [(STANDARD, "FLEXIBLE"), (STARTER, "ANNUAL")]


def test_a_missing_price_is_named_and_the_rest_still_summed() -> None:
    lookup, _ = flat({(STANDARD, "FLEXIBLE"): 1000})
    figures = summarise([licence(STANDARD, assigned=3), licence(UNKNOWN, assigned=7)], lookup)
    assert figures.monthly_spend_minor == 3000
    assert figures.prices_missing and figures.unpriced_skus == (UNKNOWN,)


def test_trials_cost_nothing_and_need_no_price() -> None:
    lookup, asked = flat({})
    figures = summarise([licence(PLUS, "TRIAL", total=10, assigned=10)], lookup)
    assert (figures.monthly_spend_minor, figures.prices_missing, asked) == (0, False, [])
    assert summarise([], lookup).utilisation == 0.0


def test_removed_licences_are_left_out_and_suspended_ones_not_billed() -> None:
    lookup, _ = flat({(STANDARD, "FLEXIBLE"): 1000, (STARTER, "FLEXIBLE"): 100})
    figures = summarise(
        [
            licence(STANDARD, status="REMOVED", total=50, assigned=50),
            licence(STARTER, status="SUSPENDED", total=8, assigned=6),
        ],
        lookup,
    )
    assert (figures.skus, figures.seats, figures.assigned, figures.vacant) == (1, 8, 6, 2)
    assert figures.monthly_spend_minor == 0
    assert figures.not_billed_skus == ("Google Workspace Business Starter",)


def test_a_flexible_plan_is_billed_for_its_assigned_users() -> None:
    figures = summarise([licence(STANDARD, "FLEXIBLE", assigned=2)], lambda _sku, _plan: 1416)
    assert figures.monthly_spend_minor == 2 * 1416
