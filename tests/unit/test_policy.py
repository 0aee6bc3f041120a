import pytest

from licence_manager.domain.model import TRIAL_SEAT_CAP, Usage
from licence_manager.domain.policy import TopUpBlocked, TopUpPlan, is_low, plan_top_up
from licence_manager.domain.settings import LicenceSettings, TopUpMode
from tests.builders import subscription


def usage(
    total: int = 10, assigned: int = 5, plan: str = "FLEXIBLE", status: str = "ACTIVE"
) -> Usage:
    return Usage.of(subscription(plan=plan, total=total, assigned=assigned, status=status))


def vacant_alert(at_or_below: int) -> LicenceSettings:
    return LicenceSettings(low_licence_alert=True, alert_vacant_at_or_below=at_or_below)


def utilisation_alert(at_or_above: float) -> LicenceSettings:
    return LicenceSettings(low_licence_alert=True, alert_utilisation_at_or_above=at_or_above)


def top_up(below: int = 2, target: int = 4, **limits: int) -> LicenceSettings:
    return LicenceSettings(
        auto_top_up=True,
        top_up_when_vacant_below=below,
        top_up_target_vacant=target,
        **{"max_total_seats": 1_000, **limits},
    )


def fixed_step(step: int, below: int = 2, **limits: int) -> LicenceSettings:
    return LicenceSettings(
        auto_top_up=True,
        top_up_when_vacant_below=below,
        top_up_target_vacant=below,
        top_up_mode=TopUpMode.FIXED_STEP,
        top_up_step=step,
        **{"max_total_seats": 1_000, **limits},
    )


# is_low


def test_usage_is_low_with_exactly_the_vacant_threshold_left() -> None:
    assert is_low(usage(total=10, assigned=7), vacant_alert(3))  # 3 vacant


def test_usage_is_not_low_with_one_more_than_the_vacant_threshold() -> None:
    assert not is_low(usage(total=10, assigned=6), vacant_alert(3))  # 4 vacant


def test_usage_is_low_at_exactly_the_utilisation_threshold() -> None:
    assert is_low(usage(total=10, assigned=8), utilisation_alert(0.8))


def test_usage_is_not_low_just_under_the_utilisation_threshold() -> None:
    assert not is_low(usage(total=10, assigned=7), utilisation_alert(0.8))


def test_either_threshold_is_enough_when_both_are_set() -> None:
    both = LicenceSettings(
        low_licence_alert=True, alert_vacant_at_or_below=1, alert_utilisation_at_or_above=0.9
    )
    assert is_low(usage(total=100, assigned=90), both)  # 10 vacant, but 90% used
    assert is_low(usage(total=4, assigned=3), both)  # 75% used, but only 1 vacant
    assert not is_low(usage(total=10, assigned=8), both)  # 2 vacant, 80% used


def test_an_over_assigned_licence_is_low() -> None:
    assert is_low(usage(total=10, assigned=12), vacant_alert(0))
    assert is_low(usage(total=10, assigned=12), utilisation_alert(1.0))


def test_usage_is_never_low_with_alerts_off() -> None:
    thresholds_but_off = LicenceSettings(
        low_licence_alert=False, alert_vacant_at_or_below=5, alert_utilisation_at_or_above=0.1
    )
    assert not is_low(usage(total=10, assigned=10), thresholds_but_off)


@pytest.mark.parametrize("status", ["SUSPENDED", "REMOVED", "PENDING"])
def test_a_subscription_that_is_not_active_is_never_low(status: str) -> None:
    assert not is_low(usage(total=10, assigned=10, status=status), vacant_alert(3))


# plan_top_up: when a top-up is due


def test_no_top_up_with_exactly_the_trigger_vacant() -> None:
    assert plan_top_up(usage(total=10, assigned=8), top_up(below=2), 0) is None  # 2 vacant


def test_a_top_up_with_one_below_the_trigger_vacant() -> None:
    plan = plan_top_up(usage(total=10, assigned=9), top_up(below=2, target=4), 0)  # 1 vacant
    assert plan == TopUpPlan(seats_to_add=3, total_before=10, total_after=13)


def test_no_top_up_with_automatic_top_ups_off() -> None:
    settings = LicenceSettings(auto_top_up=False, top_up_when_vacant_below=5)
    assert plan_top_up(usage(total=10, assigned=10), settings, 0) is None


@pytest.mark.parametrize("status", ["SUSPENDED", "REMOVED", "PENDING"])
def test_no_top_up_for_a_subscription_that_is_not_active(status: str) -> None:
    assert plan_top_up(usage(total=10, assigned=10, status=status), top_up(), 0) is None


# plan_top_up: how many seats


def test_restore_mode_adds_the_target_less_the_vacant_seats() -> None:
    plan = plan_top_up(usage(total=20, assigned=18), top_up(below=3, target=5), 0)  # 2 vacant
    assert plan == TopUpPlan(seats_to_add=3, total_before=20, total_after=23)


def test_restore_mode_with_nothing_vacant_adds_the_whole_target() -> None:
    plan = plan_top_up(usage(total=20, assigned=20), top_up(below=3, target=5), 0)
    assert plan == TopUpPlan(seats_to_add=5, total_before=20, total_after=25)


def test_fixed_step_adds_the_step_whatever_is_vacant() -> None:
    settings = fixed_step(step=4, below=3)
    assert plan_top_up(usage(total=20, assigned=18), settings, 0) == TopUpPlan(4, 20, 24)
    assert plan_top_up(usage(total=20, assigned=20), settings, 0) == TopUpPlan(4, 20, 24)


def test_an_over_assigned_licence_is_topped_up_from_its_paid_total() -> None:
    plan = plan_top_up(usage(total=10, assigned=12), fixed_step(step=3), 0)
    assert plan == TopUpPlan(seats_to_add=3, total_before=10, total_after=13)


# plan_top_up: plans


def test_an_annual_plan_is_topped_up_from_its_number_of_seats() -> None:
    plan = plan_top_up(usage(total=25, assigned=25, plan="ANNUAL_YEARLY_PAY"), top_up(), 0)
    assert plan == TopUpPlan(seats_to_add=4, total_before=25, total_after=29)


def test_a_flexible_plan_is_topped_up() -> None:
    plan = plan_top_up(usage(total=25, assigned=25, plan="FLEXIBLE"), top_up(), 0)
    assert plan == TopUpPlan(seats_to_add=4, total_before=25, total_after=29)


def test_a_trial_may_reach_its_seat_cap() -> None:
    trial = usage(total=TRIAL_SEAT_CAP - 1, assigned=TRIAL_SEAT_CAP - 1, plan="TRIAL")
    plan = plan_top_up(trial, top_up(below=1, target=1), 0)
    assert plan == TopUpPlan(seats_to_add=1, total_before=9, total_after=10)


def test_a_trial_may_not_go_past_its_seat_cap() -> None:
    trial = usage(total=TRIAL_SEAT_CAP, assigned=TRIAL_SEAT_CAP, plan="TRIAL")
    blocked = plan_top_up(trial, top_up(below=1, target=1), 0)
    assert blocked == TopUpBlocked(
        seats_wanted=1, reason="Adding 1 would make 11: trials are capped at 10 seats."
    )


def test_a_free_plan_is_never_topped_up() -> None:
    free = usage(total=0, assigned=0, plan="FREE")
    assert plan_top_up(free, top_up(), 0) == TopUpBlocked(4, "Free plans have no seats to buy.")


# plan_top_up: caps


def test_a_top_up_may_reach_the_maximum_total_exactly() -> None:
    plan = plan_top_up(usage(total=10, assigned=10), fixed_step(step=2, max_total_seats=12), 0)
    assert plan == TopUpPlan(seats_to_add=2, total_before=10, total_after=12)


def test_a_top_up_one_over_the_maximum_total_is_blocked() -> None:
    blocked = plan_top_up(usage(total=10, assigned=10), fixed_step(step=2, max_total_seats=11), 0)
    assert blocked == TopUpBlocked(
        seats_wanted=2, reason="Adding 2 would make 12, above your maximum of 11 seats."
    )


def test_a_top_up_may_reach_the_monthly_maximum_exactly() -> None:
    settings = fixed_step(step=2, max_seats_per_month=5)
    plan = plan_top_up(usage(total=10, assigned=10), settings, added_this_month=3)
    assert plan == TopUpPlan(seats_to_add=2, total_before=10, total_after=12)


def test_a_top_up_one_over_the_monthly_maximum_is_blocked() -> None:
    settings = fixed_step(step=2, max_seats_per_month=4)
    blocked = plan_top_up(usage(total=10, assigned=10), settings, added_this_month=3)
    assert blocked == TopUpBlocked(
        seats_wanted=2,
        reason="Adding 2 would bring this month's automatic additions to 5, "
        "above your monthly maximum of 4.",
    )


def test_restore_counts_users_over_the_paid_seats_so_one_top_up_reaches_the_target() -> None:
    over_assigned = usage(total=10, assigned=12)
    assert plan_top_up(over_assigned, top_up(below=2, target=2), 0) == TopUpPlan(4, 10, 14)


# plan_top_up: the bounds every automatic top-up keeps, whatever the settings say


def test_automatic_top_ups_without_any_cap_are_not_made() -> None:
    uncapped = LicenceSettings(auto_top_up=True, top_up_when_vacant_below=2, top_up_target_vacant=4)
    blocked = plan_top_up(usage(total=10, assigned=10), uncapped, 0)
    assert isinstance(blocked, TopUpBlocked)
    assert "need a maximum total or a monthly maximum" in blocked.reason


def test_one_top_up_never_more_than_doubles_a_licence() -> None:
    blocked = plan_top_up(usage(total=10, assigned=10), fixed_step(11), 0)
    assert isinstance(blocked, TopUpBlocked)
    assert "never more than doubling the licence" in blocked.reason
    assert plan_top_up(usage(total=10, assigned=10), fixed_step(10), 0) == TopUpPlan(10, 10, 20)


def test_one_top_up_never_adds_more_than_a_thousand_seats() -> None:
    big = usage(total=5_000, assigned=5_000)
    blocked = plan_top_up(big, fixed_step(1_001, max_total_seats=10_000), 0)
    assert isinstance(blocked, TopUpBlocked) and "at most 1000" in blocked.reason
    plan = plan_top_up(big, fixed_step(1_000, max_total_seats=10_000), 0)
    assert plan == TopUpPlan(1_000, 5_000, 6_000)
