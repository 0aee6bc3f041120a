"""The decision rules: when usage is low, and how many seats a top-up may add."""

from __future__ import annotations

from dataclasses import dataclass

from licence_manager.domain.buying import automatic_hold, automatic_limit
from licence_manager.domain.model import TRIAL_SEAT_CAP, PlanKind, Usage, plan_kind
from licence_manager.domain.settings import LicenceSettings, TopUpMode

ACTIVE = "ACTIVE"


def is_low(usage: Usage, settings: LicenceSettings) -> bool:
    """The low-licence condition an alert watches (alerts off: never low)."""
    if not settings.low_licence_alert or usage.status != ACTIVE:
        return False
    vacant_limit = settings.alert_vacant_at_or_below
    utilisation_limit = settings.alert_utilisation_at_or_above
    return (vacant_limit is not None and usage.vacant <= vacant_limit) or (
        utilisation_limit is not None and usage.utilisation >= utilisation_limit
    )


@dataclass(frozen=True, slots=True)
class TopUpPlan:
    seats_to_add: int
    total_before: int
    total_after: int


@dataclass(frozen=True, slots=True)
class TopUpBlocked:
    seats_wanted: int
    reason: str


def seats_wanted(usage: Usage, settings: LicenceSettings) -> int:
    if settings.top_up_mode is TopUpMode.FIXED_STEP:
        return settings.top_up_step
    # Not `usage.vacant`, which stops at 0: users over the paid seats need seats too.
    return settings.top_up_target_vacant - (usage.total - usage.assigned)


def plan_top_up(
    usage: Usage, settings: LicenceSettings, added_this_month: int, reclaimable: int | None = None
) -> TopUpPlan | TopUpBlocked | None:
    """None when no top-up is due; a plan, or the reason a due top-up may not be made.
    `reclaimable`: the SKU's reclaimable seats (None: unknown); with reclaim before buying on,
    enough of them block the top-up with the hold's own alert."""
    if not settings.auto_top_up or usage.status != ACTIVE:
        return None  # suspended, cancelled or removed subscriptions are never topped up
    if usage.vacant >= settings.top_up_when_vacant_below:
        return None
    wanted = seats_wanted(usage, settings)
    total_after = usage.total + wanted
    if plan_kind(usage.plan_name) is PlanKind.TRIAL and total_after > TRIAL_SEAT_CAP:
        reason = f"trials are capped at {TRIAL_SEAT_CAP} seats"
        return TopUpBlocked(wanted, f"Adding {wanted} would make {total_after}: {reason}.")
    limit = automatic_limit(
        settings, usage.plan_name, usage.total, wanted, added_this_month, reclaimable=reclaimable
    )
    if limit is not None:
        hold = automatic_hold(settings, usage.plan_name, wanted, reclaimable)
        if hold is not None and hold.reason == limit:  # held, and by nothing else
            return TopUpBlocked(wanted, hold.alert)
        return TopUpBlocked(wanted, limit[0].upper() + limit[1:] + ".")
    return TopUpPlan(seats_to_add=wanted, total_before=usage.total, total_after=total_after)
