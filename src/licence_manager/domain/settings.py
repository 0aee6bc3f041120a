"""What an admin sets per licence (customer and SKU): alerts and automatic top-ups. Everything is
off by default, so nothing is bought for a customer who never asked."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from licence_manager.domain.model import seats


class TopUpMode(StrEnum):
    RESTORE = "restore"  # add enough seats to get back to the target vacant seats
    FIXED_STEP = "fixed_step"  # add the same number of seats each time


@dataclass(frozen=True, slots=True)
class LicenceSettings:
    low_licence_alert: bool = False
    alert_vacant_at_or_below: int | None = None
    alert_utilisation_at_or_above: float | None = None  # 0..1
    auto_top_up: bool = False
    top_up_when_vacant_below: int = 1
    top_up_target_vacant: int = 1
    top_up_mode: TopUpMode = TopUpMode.RESTORE
    top_up_step: int = 1
    max_total_seats: int | None = None
    max_seats_per_month: int | None = None
    # Reclaim before buying: no automatic top-up while this many seats or more can be reclaimed
    # (domain.reclaim_summary.reclaim_hold); None: off.
    hold_top_ups_when_reclaimable: int | None = None


# One top-up adds at most this many seats, and never more than the licence has now: a typo of
# 1000 for 10 on an annual plan would otherwise commit the customer until renewal.
MAX_SEATS_PER_TOP_UP: Final = 1_000
# Every whole number: far above any real licence, far below the int64 Firestore stores.
MAX_SETTING: Final = 1_000_000

_WHOLE_NUMBERS = {
    "alertVacantAtOrBelow": "alert_vacant_at_or_below",
    "topUpWhenVacantBelow": "top_up_when_vacant_below",
    "topUpTargetVacant": "top_up_target_vacant",
    "topUpStep": "top_up_step",
    "maxTotalSeats": "max_total_seats",
    "maxSeatsPerMonth": "max_seats_per_month",
}


def problems(settings: LicenceSettings, current_total: int) -> dict[str, str]:
    """Field name → what is wrong with it, worded for the admin; empty when valid.
    `current_total` is the licence's total seats now, which bounds one top-up."""
    found: dict[str, str] = {}
    s = settings
    if s.alert_vacant_at_or_below is not None and s.alert_vacant_at_or_below < 0:
        found["alertVacantAtOrBelow"] = "Vacant seats cannot be negative."
    if s.alert_utilisation_at_or_above is not None and not (
        0.01 <= s.alert_utilisation_at_or_above <= 1
    ):
        found["alertUtilisationAtOrAbove"] = "Utilisation must be between 1% and 100%."
    if s.low_licence_alert and (
        s.alert_vacant_at_or_below is None and s.alert_utilisation_at_or_above is None
    ):
        found["lowLicenceAlert"] = "Choose a vacant-seat or a utilisation threshold for the alert."
    if s.top_up_when_vacant_below < 1:
        found["topUpWhenVacantBelow"] = "Top up when vacant seats fall below 1 or more."
    restoring = s.top_up_mode is TopUpMode.RESTORE
    if restoring and s.top_up_target_vacant < s.top_up_when_vacant_below:
        found["topUpTargetVacant"] = (
            "The vacant seats to get back to must be at least the trigger threshold."
        )
    if not restoring and s.top_up_step < 1:
        found["topUpStep"] = "Add at least 1 seat per top-up."
    if s.max_total_seats is not None and s.max_total_seats < 1:
        found["maxTotalSeats"] = "The maximum total must be at least 1 seat."
    if s.max_seats_per_month is not None and s.max_seats_per_month < 1:
        found["maxSeatsPerMonth"] = "The monthly maximum must be at least 1 seat."
    if s.auto_top_up:
        found.update(_top_up_limits(s, current_total))
    found.update(_hold_problems(s))
    for name, attribute in _WHOLE_NUMBERS.items():
        value = getattr(s, attribute)
        if value is not None and value > MAX_SETTING:
            found.setdefault(name, f"At most {MAX_SETTING:,}.")  # a tighter limit says more
    return found


def _hold_problems(s: LicenceSettings) -> dict[str, str]:
    # Imported here: reclaim_summary reads this module's bounds, so a module-level import
    # would be circular. The option has its one validation there, beside the rule it sets.
    from licence_manager.domain.reclaim_summary import hold_setting_problems

    return hold_setting_problems(s.hold_top_ups_when_reclaimable)


def _top_up_limits(s: LicenceSettings, current_total: int) -> dict[str, str]:
    """Only what automation would use is bounded: a field the page hides (top-ups off, or the
    other mode) buys nothing, and switching it into use is a save that checks it then. A
    licence's total changes on its own, so checking hidden fields would refuse an unrelated save
    with an error the admin cannot see."""
    found: dict[str, str] = {}
    # At least 1, so that an empty licence can still be topped up a seat at a time.
    limit = min(MAX_SEATS_PER_TOP_UP, max(current_total, 1))
    if limit == MAX_SEATS_PER_TOP_UP:
        why = f"one top-up adds at most {MAX_SEATS_PER_TOP_UP:,} seats."
    else:
        why = f"one top-up may not add more than the {seats(current_total)} the licence has now."
    if s.top_up_mode is TopUpMode.RESTORE and s.top_up_target_vacant > limit:
        found["topUpTargetVacant"] = f"At most {limit:,}: {why}"
    if s.top_up_mode is TopUpMode.FIXED_STEP and s.top_up_step > limit:
        found["topUpStep"] = f"At most {limit:,}: {why}"
    if s.max_total_seats is None and s.max_seats_per_month is None:
        need = "Automatic top-ups need a maximum total or a monthly maximum (or both)."
        found["maxTotalSeats"] = found["maxSeatsPerMonth"] = need
    return found


def describe(settings: LicenceSettings) -> str:
    """What will happen, in one sentence an admin can check before saving."""
    s = settings
    parts: list[str] = []
    if s.low_licence_alert:
        conditions = []
        if s.alert_vacant_at_or_below is not None:
            conditions.append(f"vacant seats fall to {s.alert_vacant_at_or_below} or below")
        if s.alert_utilisation_at_or_above is not None:
            conditions.append(f"utilisation reaches {s.alert_utilisation_at_or_above:.0%}")
        parts.append("Email an alert when " + " or ".join(conditions) + ".")
    if s.auto_top_up:
        if s.top_up_mode is TopUpMode.RESTORE:
            action = f"add seats to get back to {s.top_up_target_vacant} vacant"
        else:
            action = f"add {s.top_up_step} seat{'s' if s.top_up_step != 1 else ''}"
        limits = []
        if s.max_total_seats is not None:
            limits.append(f"never above {s.max_total_seats} seats in all")
        if s.max_seats_per_month is not None:
            limits.append(f"at most {s.max_seats_per_month} a month")
        sentence = f"When vacant seats fall below {s.top_up_when_vacant_below}, {action}"
        parts.append(sentence + (", " + ", ".join(limits) if limits else "") + ".")
        hold = s.hold_top_ups_when_reclaimable
        if hold is not None:
            parts.append(
                f"Do not top up automatically while {seats(hold)} or more can be reclaimed."
            )
    return " ".join(parts) or "No alerts or automatic top-ups."
