"""Savings valued per plan (domain.savings): annual seats at price times whole months left in the
term, seats not renewed at price times the new term's months, a flexible user removed at one
month's price; a flexible cap raise never counts; totals by month, currency and kind."""

from datetime import UTC, datetime

import pytest

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.prices import Price
from licence_manager.domain.saving_totals import (
    SavingTotals,
    month_totals,
    since_joined,
    totals_for_month,
    with_saving,
)
from licence_manager.domain.savings import (
    SavingKind,
    flexible_user_removed,
    held_top_up,
    months_left,
    not_recommitted,
    saving_words,
    whole_months_between,
)

KEY = LicenceKey("C01", "1010020028")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
TERM_END = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # 2 whole months and a bit from NOW
GBP = Price("1010020028", "Business Standard", "ANNUAL_MONTHLY_PAY", "GBP", 1_000)
FLEX = Price("1010020028", "Business Standard", "FLEXIBLE", "GBP", 1_200)


def held(plan: str = "ANNUAL", term_ends_at: datetime | None = TERM_END, seats: int = 3):
    return held_top_up(
        KEY,
        blocked_alerts=2,
        plan_name=plan,
        sku_name="Business Standard",
        seats_wanted=seats,
        term_ends_at=term_ends_at,
        price=GBP,
        at=NOW,
        time_zone="Europe/London",
    )


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ((2026, 12, 6), (2027, 3, 1), 2),
        ((2026, 12, 6), (2027, 3, 6), 3),
        ((2026, 12, 6), (2027, 12, 6), 12),
        ((2026, 12, 6), (2026, 12, 31), 0),
        ((2026, 12, 6), (2026, 11, 1), 0),
        ((2027, 1, 31), (2027, 2, 28), 0),
    ],
)
def test_whole_months_leave_a_part_month_out(
    start: tuple[int, int, int], end: tuple[int, int, int], months: int
) -> None:
    from datetime import date

    assert whole_months_between(date(*start), date(*end)) == months


def test_months_left_are_counted_on_the_customers_calendar() -> None:
    # 23:30 UTC on 5 Jan is already 6 Jan in Tokyo: one whole month to 6 Feb there, none in London.
    now = datetime(2027, 1, 5, 23, 30, tzinfo=UTC)
    ends = datetime(2027, 2, 5, 23, 0, tzinfo=UTC)
    assert months_left(now, ends, "Asia/Tokyo") == 1
    assert months_left(now, ends, "America/New_York") == 1
    assert months_left(now, datetime(2027, 2, 4, 12, 0, tzinfo=UTC), "Europe/London") == 0


def test_an_annual_top_up_held_saves_price_times_seats_times_months_left() -> None:
    saving = held()
    assert saving is not None
    assert saving.saving_id == "C01_1010020028-held-2"
    assert (saving.kind, saving.seats, saving.months) == (SavingKind.HELD_TOP_UP, 3, 2)
    assert saving.amount_minor == 1_000 * 3 * 2
    assert (saving.currency, saving.month) == ("GBP", "2026-12")
    assert "£60.00" in saving_words(saving)


@pytest.mark.parametrize("plan", ["FLEXIBLE", "TRIAL", "FREE", "SOMETHING_NEW"])
def test_a_held_top_up_on_any_other_plan_is_never_a_saving(plan: str) -> None:
    # A flexible top-up raises maximumNumberOfSeats, which costs nothing until someone is
    # assigned: holding it saves nothing.
    assert held(plan) is None


def test_a_held_top_up_with_no_term_end_or_under_a_month_left_saves_nothing() -> None:
    assert held(term_ends_at=None) is None
    assert held(term_ends_at=datetime(2026, 12, 31, tzinfo=UTC)) is None


def test_a_saving_with_no_price_counts_its_seats_but_no_money() -> None:
    saving = held_top_up(
        KEY,
        blocked_alerts=1,
        plan_name="ANNUAL",
        sku_name="",
        seats_wanted=2,
        term_ends_at=TERM_END,
        price=None,
        at=NOW,
        time_zone="UTC",
    )
    assert saving is not None and saving.amount_minor is None
    totals = with_saving(SavingTotals("C01"), saving)
    assert totals.counts == {"2026-12": 1} and totals_for_month(totals, "2026-12") == []
    assert "no price set" in saving_words(saving)


def renewed(**changes: object):
    args: dict[str, object] = {
        "plan_before": "ANNUAL",
        "plan_after": "ANNUAL",
        "seats_before": 20,
        "seats_after": 15,
        "term_ended_at": datetime(2026, 12, 1, tzinfo=UTC),
        "new_term_ends_at": datetime(2027, 12, 1, tzinfo=UTC),
        "sku_name": "Business Standard",
        "price": GBP,
        "at": NOW,
        "time_zone": "Europe/London",
    }
    args.update(changes)
    return not_recommitted(KEY, **args)  # type: ignore[arg-type]


def test_seats_not_renewed_save_price_times_seats_times_the_new_terms_months() -> None:
    saving = renewed()
    assert saving is not None
    assert saving.saving_id == "C01_1010020028-renewal-2026-12-01"
    assert (saving.kind, saving.seats, saving.months) == (SavingKind.NOT_RECOMMITTED, 5, 12)
    assert saving.amount_minor == 1_000 * 5 * 12


@pytest.mark.parametrize(
    "changes",
    [
        {"seats_after": 20},  # renewed every seat
        {"seats_after": 25},  # renewed with more
        {"plan_after": "FLEXIBLE"},  # switched to pay as you go: billed per user from now
        {"new_term_ends_at": datetime(2026, 12, 1, tzinfo=UTC)},  # no rollover
        {"term_ended_at": None},
        {"plan_before": "FLEXIBLE"},
    ],
)
def test_anything_but_an_annual_term_renewed_with_fewer_seats_is_no_saving(
    changes: dict[str, object],
) -> None:
    assert renewed(**changes) is None


def test_a_flexible_user_removed_saves_one_months_price_once_per_request() -> None:
    saving = flexible_user_removed(
        KEY,
        request_id="C01_1010020028-unassign-7",
        plan_name="FLEXIBLE",
        sku_name="Business Standard",
        user="ann@acme.example",
        price=FLEX,
        at=NOW,
        time_zone="Europe/London",
    )
    assert saving is not None
    assert saving.saving_id == "C01_1010020028-removed-C01_1010020028-unassign-7"
    assert (saving.kind, saving.seats, saving.months, saving.amount_minor) == (
        SavingKind.FLEXIBLE_USER_REMOVED,
        1,
        1,
        1_200,
    )


@pytest.mark.parametrize("plan", ["ANNUAL", "ANNUAL_YEARLY_PAY", "TRIAL"])
def test_removing_a_user_from_any_other_plan_saves_nothing_now(plan: str) -> None:
    assert (
        flexible_user_removed(
            KEY,
            request_id="r",
            plan_name=plan,
            sku_name="",
            user="",
            price=GBP,
            at=NOW,
            time_zone="UTC",
        )
        is None
    )


def test_totals_by_month_currency_and_kind_and_since_joined() -> None:
    first = renewed()
    second = held()
    later = renewed(
        at=datetime(2027, 1, 10, tzinfo=UTC),
        term_ended_at=datetime(2027, 1, 1, tzinfo=UTC),
        new_term_ends_at=datetime(2028, 1, 1, tzinfo=UTC),
        price=Price("x", "", "ANNUAL", "EUR", 500),
    )
    assert first and second and later
    totals = SavingTotals("C01")
    for saving in (first, second, later):
        totals = with_saving(totals, saving)
    december = totals_for_month(totals, "2026-12")
    assert [(t.currency, t.total_minor) for t in december] == [("GBP", 60_000 + 6_000)]
    assert december[0].by_kind[SavingKind.HELD_TOP_UP] == 6_000
    assert december[0].by_kind[SavingKind.FLEXIBLE_USER_REMOVED] == 0
    # The same figures from the month's lines as from the totals document.
    assert month_totals([first, second, later], "2026-12") == december
    assert [(t.currency, t.total_minor) for t in since_joined(totals)] == [
        ("EUR", 30_000),
        ("GBP", 66_000),
    ]
    assert [t.currency for t in since_joined(totals, "2026-12")] == ["GBP"]
    assert totals.counts == {"2026-12": 2, "2027-01": 1}
