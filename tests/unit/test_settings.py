from dataclasses import replace

import pytest

from licence_manager.domain.settings import LicenceSettings, TopUpMode, describe, problems

ALERT_ON = LicenceSettings(low_licence_alert=True, alert_vacant_at_or_below=2)
TOP_UP_ON = LicenceSettings(auto_top_up=True, top_up_when_vacant_below=3, top_up_target_vacant=5)
TOTAL = 10  # the licence's seats now, which bound one top-up (tests/unit/test_settings_bounds.py)
CAPPED = LicenceSettings(auto_top_up=True, max_seats_per_month=50)  # top-ups need a cap


def test_everything_is_off_by_default() -> None:
    settings = LicenceSettings()
    assert settings.low_licence_alert is False
    assert settings.auto_top_up is False
    assert settings.alert_vacant_at_or_below is None
    assert settings.alert_utilisation_at_or_above is None
    assert settings.max_total_seats is None
    assert settings.max_seats_per_month is None


def test_the_defaults_are_valid_and_described_as_doing_nothing() -> None:
    assert problems(LicenceSettings(), TOTAL) == {}
    assert describe(LicenceSettings()) == "No alerts or automatic top-ups."


def test_a_negative_vacant_seat_threshold_is_refused() -> None:
    settings = LicenceSettings(low_licence_alert=True, alert_vacant_at_or_below=-1)
    assert problems(settings, TOTAL) == {"alertVacantAtOrBelow": "Vacant seats cannot be negative."}


def test_a_vacant_seat_threshold_of_zero_is_allowed() -> None:
    assert (
        problems(LicenceSettings(low_licence_alert=True, alert_vacant_at_or_below=0), TOTAL) == {}
    )


@pytest.mark.parametrize("utilisation", [0.0, -0.5, 1.01, 80.0])
def test_a_utilisation_threshold_outside_zero_to_one_is_refused(utilisation: float) -> None:
    settings = LicenceSettings(low_licence_alert=True, alert_utilisation_at_or_above=utilisation)
    assert problems(settings, TOTAL) == {
        "alertUtilisationAtOrAbove": "Utilisation must be between 1% and 100%."
    }


@pytest.mark.parametrize("utilisation", [0.01, 0.9, 1.0])
def test_a_utilisation_threshold_up_to_and_including_one_is_allowed(utilisation: float) -> None:
    settings = LicenceSettings(low_licence_alert=True, alert_utilisation_at_or_above=utilisation)
    assert problems(settings, TOTAL) == {}


def test_an_alert_needs_a_threshold() -> None:
    assert problems(LicenceSettings(low_licence_alert=True), TOTAL) == {
        "lowLicenceAlert": "Choose a vacant-seat or a utilisation threshold for the alert."
    }


def test_a_top_up_trigger_below_one_is_refused() -> None:
    settings = replace(CAPPED, top_up_when_vacant_below=0, top_up_target_vacant=0)
    assert problems(settings, TOTAL) == {
        "topUpWhenVacantBelow": "Top up when vacant seats fall below 1 or more."
    }


def test_a_target_below_the_trigger_is_refused() -> None:
    settings = replace(CAPPED, top_up_when_vacant_below=3, top_up_target_vacant=2)
    assert problems(settings, TOTAL) == {
        "topUpTargetVacant": (
            "The vacant seats to get back to must be at least the trigger threshold."
        )
    }


def test_a_target_equal_to_the_trigger_is_allowed() -> None:
    settings = replace(CAPPED, top_up_when_vacant_below=3, top_up_target_vacant=3)
    assert problems(settings, TOTAL) == {}


def test_a_fixed_step_below_one_is_refused() -> None:
    settings = replace(CAPPED, top_up_mode=TopUpMode.FIXED_STEP, top_up_step=0)
    assert problems(settings, TOTAL) == {"topUpStep": "Add at least 1 seat per top-up."}


def test_the_step_is_not_checked_in_restore_mode() -> None:
    settings = replace(CAPPED, top_up_mode=TopUpMode.RESTORE, top_up_step=0)
    assert problems(settings, TOTAL) == {}


def test_a_maximum_total_below_one_seat_is_refused() -> None:
    settings = replace(CAPPED, max_total_seats=0)
    assert problems(settings, TOTAL) == {
        "maxTotalSeats": "The maximum total must be at least 1 seat."
    }


def test_a_monthly_maximum_below_one_seat_is_refused() -> None:
    settings = LicenceSettings(auto_top_up=True, max_seats_per_month=0)
    assert problems(settings, TOTAL) == {
        "maxSeatsPerMonth": "The monthly maximum must be at least 1 seat."
    }


def test_every_problem_is_reported_at_once() -> None:
    settings = LicenceSettings(
        alert_vacant_at_or_below=-1,
        alert_utilisation_at_or_above=2.0,
        top_up_when_vacant_below=0,
        max_total_seats=0,
        max_seats_per_month=-3,
    )
    assert set(problems(settings, TOTAL)) == {
        "alertVacantAtOrBelow",
        "alertUtilisationAtOrAbove",
        "topUpWhenVacantBelow",
        "maxTotalSeats",
        "maxSeatsPerMonth",
    }


def test_describes_a_vacant_seat_alert() -> None:
    assert describe(ALERT_ON) == "Email an alert when vacant seats fall to 2 or below."


def test_describes_a_utilisation_alert_as_a_percentage() -> None:
    settings = LicenceSettings(low_licence_alert=True, alert_utilisation_at_or_above=0.9)
    assert describe(settings) == "Email an alert when utilisation reaches 90%."


def test_describes_an_alert_with_both_thresholds() -> None:
    settings = LicenceSettings(
        low_licence_alert=True, alert_vacant_at_or_below=2, alert_utilisation_at_or_above=0.85
    )
    assert describe(settings) == (
        "Email an alert when vacant seats fall to 2 or below or utilisation reaches 85%."
    )


def test_describes_a_restoring_top_up_with_a_monthly_limit() -> None:
    settings = LicenceSettings(
        auto_top_up=True, top_up_when_vacant_below=3, top_up_target_vacant=5, max_seats_per_month=50
    )
    assert describe(settings) == (
        "When vacant seats fall below 3, add seats to get back to 5 vacant, at most 50 a month."
    )


def test_describes_a_restoring_top_up_without_limits() -> None:
    assert (
        describe(TOP_UP_ON) == "When vacant seats fall below 3, add seats to get back to 5 vacant."
    )


def test_describes_a_fixed_step_top_up_with_both_limits() -> None:
    settings = LicenceSettings(
        auto_top_up=True,
        top_up_when_vacant_below=2,
        top_up_target_vacant=2,
        top_up_mode=TopUpMode.FIXED_STEP,
        top_up_step=5,
        max_total_seats=40,
        max_seats_per_month=20,
    )
    assert describe(settings) == (
        "When vacant seats fall below 2, add 5 seats, never above 40 seats in all, "
        "at most 20 a month."
    )


def test_describes_a_step_of_one_seat_in_the_singular() -> None:
    settings = LicenceSettings(auto_top_up=True, top_up_mode=TopUpMode.FIXED_STEP, top_up_step=1)
    assert describe(settings) == "When vacant seats fall below 1, add 1 seat."


def test_describes_alert_and_top_up_together_alert_first() -> None:
    settings = LicenceSettings(
        low_licence_alert=True,
        alert_vacant_at_or_below=2,
        auto_top_up=True,
        top_up_when_vacant_below=3,
        top_up_target_vacant=5,
    )
    assert describe(settings) == (
        "Email an alert when vacant seats fall to 2 or below. "
        "When vacant seats fall below 3, add seats to get back to 5 vacant."
    )


def test_thresholds_set_while_switched_off_are_not_described() -> None:
    settings = LicenceSettings(
        alert_vacant_at_or_below=2, top_up_when_vacant_below=3, top_up_target_vacant=5
    )
    assert describe(settings) == "No alerts or automatic top-ups."


# reclaim before buying (domain.reclaim_summary.reclaim_hold)


def test_holding_top_ups_while_seats_are_reclaimable_is_off_by_default() -> None:
    assert LicenceSettings().hold_top_ups_when_reclaimable is None


@pytest.mark.parametrize(
    ("hold", "found"),
    [
        (None, {}),
        (1, {}),
        (1_000_000, {}),
        (
            0,
            {
                "holdTopUpsWhenReclaimable": "Hold top-ups from 1 reclaimable seat or more, or "
                "switch it off."
            },
        ),
        (1_000_001, {"holdTopUpsWhenReclaimable": "At most 1,000,000."}),
    ],
)
def test_the_reclaim_hold_is_checked_with_the_other_settings(
    hold: int | None, found: dict[str, str]
) -> None:
    settings = replace(CAPPED, hold_top_ups_when_reclaimable=hold)
    assert problems(settings, TOTAL) == found
    # checked even with top-ups off, as every whole number is: its value is saved all the same
    assert problems(replace(settings, auto_top_up=False), TOTAL) == found


def test_describes_the_reclaim_hold_with_automatic_top_ups() -> None:
    settings = replace(CAPPED, hold_top_ups_when_reclaimable=3)
    assert describe(settings).endswith(
        "Do not top up automatically while 3 seats or more can be reclaimed."
    )
    one = replace(CAPPED, hold_top_ups_when_reclaimable=1)
    assert describe(one).endswith("while 1 seat or more can be reclaimed.")
    assert "reclaimed" not in describe(replace(one, auto_top_up=False))
