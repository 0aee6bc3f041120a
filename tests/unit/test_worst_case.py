"""What the settings page says the worst case would cost a month: the most seats automation
could add in one calendar month under the caps, at the customer's price from the price list."""

from licence_manager.domain.model import Usage
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.worst_case import WorstCaseMonth, worst_case_month
from tests.pricing import DEMO_PRICE_OF

STANDARD = "1010020028"  # £14.16 flexible, £11.80 annual, per seat per month
ON = LicenceSettings(auto_top_up=True, top_up_when_vacant_below=2, top_up_target_vacant=4)


def usage(total: int, plan: str = "FLEXIBLE", assigned: int = 0) -> Usage:
    return Usage("Business Standard", plan, "sub-1", "ACTIVE", total, assigned)


def with_caps(total: int | None = None, month: int | None = None) -> LicenceSettings:
    return LicenceSettings(
        auto_top_up=True,
        top_up_when_vacant_below=2,
        top_up_target_vacant=4,
        max_total_seats=total,
        max_seats_per_month=month,
    )


def test_nothing_is_bought_while_automatic_top_ups_are_off() -> None:
    assert worst_case_month(
        LicenceSettings(), usage(10), STANDARD, DEMO_PRICE_OF
    ) == WorstCaseMonth(0, 0, "GBP")


def test_the_monthly_cap_bounds_a_month() -> None:
    assert worst_case_month(
        with_caps(month=20), usage(10), STANDARD, DEMO_PRICE_OF
    ) == WorstCaseMonth(20, 20 * 1416, "GBP")


def test_the_total_cap_bounds_it_by_the_room_left() -> None:
    assert worst_case_month(with_caps(total=60), usage(50), STANDARD, DEMO_PRICE_OF).seats == 10
    assert (
        worst_case_month(with_caps(total=60, month=20), usage(50), STANDARD, DEMO_PRICE_OF).seats
        == 10
    )
    assert (
        worst_case_month(with_caps(total=100, month=20), usage(50), STANDARD, DEMO_PRICE_OF).seats
        == 20
    )


def test_a_total_cap_already_reached_buys_nothing() -> None:
    assert worst_case_month(
        with_caps(total=40), usage(50), STANDARD, DEMO_PRICE_OF
    ) == WorstCaseMonth(0, 0, "GBP")


def test_annual_plans_are_priced_at_the_annual_price() -> None:
    found = worst_case_month(
        with_caps(month=10), usage(10, "ANNUAL_MONTHLY_PAY"), STANDARD, DEMO_PRICE_OF
    )
    assert found == WorstCaseMonth(10, 10 * 1180, "GBP")


def test_a_trial_is_bounded_by_its_seat_cap_and_costs_nothing() -> None:
    assert worst_case_month(
        with_caps(month=50), usage(8, "TRIAL"), STANDARD, DEMO_PRICE_OF
    ) == WorstCaseMonth(2, 0, "GBP")


def test_a_free_plan_buys_nothing() -> None:
    assert (
        worst_case_month(with_caps(month=50), usage(8, "FREE"), STANDARD, DEMO_PRICE_OF).seats == 0
    )


def test_a_sku_outside_the_catalogue_has_seats_but_no_price() -> None:
    assert worst_case_month(with_caps(month=5), usage(8), "999", DEMO_PRICE_OF) == WorstCaseMonth(
        5, None, None
    )


def test_settings_saved_before_caps_were_required_are_unbounded() -> None:
    assert worst_case_month(ON, usage(10), STANDARD, DEMO_PRICE_OF) == WorstCaseMonth(
        None, None, "GBP"
    )
