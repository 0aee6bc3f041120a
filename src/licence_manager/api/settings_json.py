"""Licence settings as the API speaks them (camelCase JSON), parsed strictly: an unknown field,
a missing one or a wrong type is an error the admin sees next to the field."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from licence_manager.domain.settings import LicenceSettings, TopUpMode, describe
from licence_manager.domain.worst_case import WorstCaseMonth

# JSON name → (attribute, accepted JSON types, may be null)
_FIELDS: dict[str, tuple[str, tuple[type, ...], bool]] = {
    "lowLicenceAlert": ("low_licence_alert", (bool,), False),
    "alertVacantAtOrBelow": ("alert_vacant_at_or_below", (int,), True),
    "alertUtilisationAtOrAbove": ("alert_utilisation_at_or_above", (int, float), True),
    "autoTopUp": ("auto_top_up", (bool,), False),
    "topUpWhenVacantBelow": ("top_up_when_vacant_below", (int,), False),
    "topUpTargetVacant": ("top_up_target_vacant", (int,), False),
    "topUpMode": ("top_up_mode", (str,), False),
    "topUpStep": ("top_up_step", (int,), False),
    "maxTotalSeats": ("max_total_seats", (int,), True),
    "maxSeatsPerMonth": ("max_seats_per_month", (int,), True),
    "holdTopUpsWhenReclaimable": ("hold_top_ups_when_reclaimable", (int,), True),
}
assert {a for a, _, _ in _FIELDS.values()} == {f.name for f in fields(LicenceSettings)}
# What the routes answer besides the settings; a client may send them back, and they are ignored.
_READ_ONLY = {"description", "worstCaseMonthly", "updatedBy", "updatedAt"}


def settings_json(settings: LicenceSettings) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, (attribute, _, _) in _FIELDS.items():
        value = getattr(settings, attribute)
        body[name] = value.value if isinstance(value, TopUpMode) else value
    body["description"] = describe(settings)
    return body


def worst_case_json(worst: WorstCaseMonth) -> dict[str, Any]:
    return {
        "seats": worst.seats,
        "estimatedCostMinor": worst.estimated_cost_minor,
        "currency": worst.currency,
    }


def parse_settings(body: Any) -> tuple[LicenceSettings | None, dict[str, str]]:
    """The settings, or the problems per field. Every field is required: a PUT replaces the
    settings, and `{}` taking the defaults would switch every alert and top-up off unseen."""
    if not isinstance(body, dict):
        return None, {"": "Send the settings as a JSON object."}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in body:
        if name not in _FIELDS and name not in _READ_ONLY:
            errors[name] = "Unknown setting."
    for name, (attribute, types, nullable) in _FIELDS.items():
        if name not in body:
            errors[name] = "Required (null when not set)." if nullable else "Required."
            continue
        value = body[name]
        if value is None and nullable:
            values[attribute] = None
        elif isinstance(value, bool) and bool not in types:
            errors[name] = "Must be a number." if int in types else "Wrong type."
        elif not isinstance(value, types):
            errors[name] = _expected(types, nullable)
        elif attribute == "top_up_mode":
            try:
                values[attribute] = TopUpMode(str(value))
            except ValueError:
                errors[name] = f"Must be one of: {', '.join(m.value for m in TopUpMode)}."
        else:
            values[attribute] = value
    if errors:
        return None, errors
    return LicenceSettings(**values), {}


def _expected(types: tuple[type, ...], nullable: bool) -> str:
    kind = "true or false" if bool in types else "text" if str in types else "a whole number"
    if float in types:
        kind = "a number"
    # Read in the form as much as by API clients: "empty" is the form's word for null.
    return f"Must be {kind}{', or empty for not set' if nullable else ''}."
