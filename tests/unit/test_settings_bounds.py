"""Review finding 4: nothing bounded an automatic top-up. The settings rule now bounds one
top-up (at most 1,000 seats and at most the licence's current total), every whole number (at
most 1,000,000, so nothing above int64 reaches Firestore), and refuses automatic top-ups
without a total or a monthly cap."""

from dataclasses import replace

import pytest

from licence_manager.domain.settings import (
    MAX_SEATS_PER_TOP_UP,
    MAX_SETTING,
    LicenceSettings,
    TopUpMode,
    problems,
)

CAPPED = LicenceSettings(auto_top_up=True, max_seats_per_month=50)


def restore(target: int) -> LicenceSettings:
    return LicenceSettings(
        auto_top_up=True,
        top_up_when_vacant_below=1,
        top_up_target_vacant=target,
        max_seats_per_month=50,
    )


def step(seats: int) -> LicenceSettings:
    return LicenceSettings(
        auto_top_up=True, top_up_mode=TopUpMode.FIXED_STEP, top_up_step=seats, max_total_seats=90
    )


def test_the_limits_are_the_ones_the_review_asked_for() -> None:
    assert (MAX_SEATS_PER_TOP_UP, MAX_SETTING) == (1_000, 1_000_000)


def test_a_target_up_to_the_current_total_is_allowed() -> None:
    assert problems(restore(10), current_total=10) == {}


def test_a_target_above_the_current_total_is_refused_naming_the_limit() -> None:
    found = problems(restore(11), current_total=10)
    assert set(found) == {"topUpTargetVacant"}
    assert "10" in found["topUpTargetVacant"]


def test_the_typo_of_the_review_is_refused_on_a_large_licence_too() -> None:
    # 1000 for 10 on a licence of 5,000 seats: within the total, but above 1,000 only once
    assert problems(restore(1000), current_total=5000) == {}
    found = problems(restore(1001), current_total=5000)
    assert set(found) == {"topUpTargetVacant"}
    assert "1,000" in found["topUpTargetVacant"]


def test_a_step_above_the_current_total_is_refused() -> None:
    assert problems(step(10), current_total=10) == {}
    found = problems(step(11), current_total=10)
    assert set(found) == {"topUpStep"}
    assert "10" in found["topUpStep"]


def test_a_step_above_a_thousand_is_refused_whatever_the_total() -> None:
    found = problems(step(1001), current_total=100_000)
    assert set(found) == {"topUpStep"}
    assert "1,000" in found["topUpStep"]


def test_an_empty_licence_may_still_top_up_one_seat_at_a_time() -> None:
    assert problems(restore(1), current_total=0) == {}
    assert set(problems(restore(2), current_total=0)) == {"topUpTargetVacant"}


def test_the_relative_bounds_bind_only_what_automation_would_use() -> None:
    # Switched off, or the other mode: the page does not show the field, and nothing buys with
    # it; switching it on (or changing mode) is a save, which checks it then.
    assert problems(LicenceSettings(top_up_target_vacant=50), current_total=10) == {}
    assert problems(replace(step(5), top_up_target_vacant=50), current_total=10) == {}
    assert problems(replace(restore(5), top_up_step=500), current_total=10) == {}


@pytest.mark.parametrize(
    "field,attribute",
    [
        ("alertVacantAtOrBelow", "alert_vacant_at_or_below"),
        ("topUpWhenVacantBelow", "top_up_when_vacant_below"),
        ("topUpTargetVacant", "top_up_target_vacant"),
        ("topUpStep", "top_up_step"),
        ("maxTotalSeats", "max_total_seats"),
        ("maxSeatsPerMonth", "max_seats_per_month"),
    ],
)
def test_every_whole_number_is_at_most_a_million_even_when_switched_off(
    field: str, attribute: str
) -> None:
    too_big = problems(replace(LicenceSettings(), **{attribute: 2**63}), current_total=10)
    assert "1,000,000" in too_big[field]
    largest = problems(replace(LicenceSettings(), **{attribute: MAX_SETTING}), current_total=10)
    assert not any("1,000,000" in message for message in largest.values())


def test_automatic_top_ups_need_a_total_or_a_monthly_cap() -> None:
    uncapped = LicenceSettings(auto_top_up=True)
    found = problems(uncapped, current_total=10)
    assert set(found) == {"maxTotalSeats", "maxSeatsPerMonth"}
    assert problems(CAPPED, current_total=10) == {}
    assert problems(LicenceSettings(auto_top_up=True, max_total_seats=40), current_total=10) == {}


def test_caps_are_not_needed_while_automatic_top_ups_are_off() -> None:
    assert problems(LicenceSettings(), current_total=10) == {}


def test_the_target_is_not_checked_against_the_trigger_in_fixed_step_mode() -> None:
    # The page hides the target in that mode, and the policy does not use it there.
    settings = replace(step(5), top_up_when_vacant_below=4, top_up_target_vacant=1)
    assert problems(settings, current_total=10) == {}
