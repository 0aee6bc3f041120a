"""Google's seat rules, as pure checks on a subscription and a requested change."""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import (
    ANNUAL_PLANS,
    CONTRACT_MAX_SEATS,
    OFFLINE,
    RENEWAL_TYPES,
    SUSPENDED,
    TRIAL,
    TRIAL_MAX_SEATS,
)
from .errors import failed_precondition, invalid
from .model import Subscription


@dataclass(frozen=True, slots=True)
class SeatsRequest:
    """The writable half of a Seats body; licensedNumberOfSeats is read-only and dropped."""

    number_of_seats: int | None = None
    maximum_number_of_seats: int | None = None


def requested_cap(plan_name: str, seats: SeatsRequest) -> int:
    """The one seat number that matters for this plan, checked for shape and range."""
    if plan_name in ANNUAL_PLANS:
        wanted, other = seats.number_of_seats, seats.maximum_number_of_seats
        field, other_field = "numberOfSeats", "maximumNumberOfSeats"
    else:
        wanted, other = seats.maximum_number_of_seats, seats.number_of_seats
        field, other_field = "maximumNumberOfSeats", "numberOfSeats"
    if wanted is None:
        raise invalid(f"seats.{field} is required for the {plan_name} plan.")
    if other is not None:
        raise invalid(f"seats.{other_field} cannot be used with the {plan_name} plan.")
    if wanted < 1:
        raise invalid(f"Invalid value for seats.{field}: {wanted}.")
    if wanted > CONTRACT_MAX_SEATS:
        raise invalid(f"seats.{field} exceeds the maximum of {CONTRACT_MAX_SEATS} seats.")
    if plan_name == TRIAL and wanted > TRIAL_MAX_SEATS:
        raise invalid(f"A trial subscription is limited to {TRIAL_MAX_SEATS} seats.")
    return wanted


def check_renewal_change(sub: Subscription, renewal_type: str) -> str:
    """The renewal type a changeRenewalSettings call sets, or the 400 Google answers: renewal
    settings belong to annual plans only (google-apis.md §3.2)."""
    if not sub.is_annual:
        raise failed_precondition(
            f"Renewal settings can only be changed on annual plans, not {sub.plan_name}."
        )
    if sub.status == SUSPENDED:
        raise failed_precondition("Cannot change the renewal settings of a suspended subscription.")
    if sub.billing_method == OFFLINE:
        raise failed_precondition(
            "Cannot change the renewal settings of an offline-billed subscription."
        )
    if renewal_type not in RENEWAL_TYPES:
        raise invalid(f"Invalid value for renewalSettings.renewalType: {renewal_type or '(none)'}.")
    return renewal_type


def check_seat_change(sub: Subscription, seats: SeatsRequest) -> int:
    """The new cap for a changeSeats call, or the 400 Google would answer."""
    if sub.status == SUSPENDED:
        raise failed_precondition("Cannot change seats of a suspended subscription.")
    if sub.billing_method == OFFLINE:
        raise failed_precondition("Cannot change seats of an offline-billed subscription.")
    cap = requested_cap(sub.plan_name, seats)
    if sub.is_annual and cap < sub.seats:
        raise invalid(
            f"numberOfSeats cannot be reduced from {sub.seats} to {cap} "
            "during an annual commitment."
        )
    if not sub.is_annual and cap < sub.licensed:
        raise invalid(
            f"maximumNumberOfSeats {cap} is below the {sub.licensed} licences already assigned."
        )
    return cap
