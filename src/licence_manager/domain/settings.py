"""What an admin sets per licence (customer and SKU): alerts and automatic top-ups. Everything is
off by default, so nothing is bought for a customer who never asked."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


def problems(settings: LicenceSettings) -> dict[str, str]:
    """Field name → what is wrong with it, worded for the admin; empty when valid."""
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
    if s.top_up_target_vacant < s.top_up_when_vacant_below:
        found["topUpTargetVacant"] = (
            "The vacant seats to get back to must be at least the trigger threshold."
        )
    if s.top_up_mode is TopUpMode.FIXED_STEP and s.top_up_step < 1:
        found["topUpStep"] = "Add at least 1 seat per top-up."
    if s.max_total_seats is not None and s.max_total_seats < 1:
        found["maxTotalSeats"] = "The maximum total must be at least 1 seat."
    if s.max_seats_per_month is not None and s.max_seats_per_month < 1:
        found["maxSeatsPerMonth"] = "The monthly maximum must be at least 1 seat."
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
    return " ".join(parts) or "No alerts or automatic top-ups."
