"""May we buy now? The one rule every seat change passes just before Google is asked for it.

A request is decided at one moment and carried out at a later one; in between the admin may
switch automatic top-ups off or lower a cap, reseller ops may stop all buying, and the plan may
change. So the applier asks this rule again, in the same transaction that records the change as
about to be sent, with everything as it is now. Evaluation asks the same limits before it
decides, so a request it makes is never refused for a reason it could have seen.

The anomaly guard's pause (domain.anomaly, a sudden rise in one licence's assignments) refuses
automatic requests only. An admin's own addition or purchase while paused is still made: the
pause guards against buying that follows a script or a compromised account seat for seat,
while a person asking for seats in the dashboard, signed in and shown the pause, is the
deliberate decision the pause waits for (and is still held to the emergency stop, the plan
check and, before this rule, the spending limits and approvals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from licence_manager.domain.anomaly import TopUpPause
from licence_manager.domain.audit import Source
from licence_manager.domain.model import PlanKind, plan_kind, seats
from licence_manager.domain.reclaim_summary import ReclaimHold, reclaim_hold
from licence_manager.domain.settings import MAX_SEATS_PER_TOP_UP, LicenceSettings
from licence_manager.domain.topup import TopUpRequest

# An automatic request that has not reached Google in this long was decided on figures too old
# to buy on; a fresh evaluation decides again.
AUTOMATIC_REQUEST_EXPIRY = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class BuyingControl:
    """The emergency stop: while paused, nothing is bought for any customer."""

    paused: bool = False
    reason: str = ""
    changed_by: str = ""
    changed_at: datetime | None = None


def automatic_hold(
    settings: LicenceSettings, plan_name: str, seats_to_add: int, reclaimable: int | None
) -> ReclaimHold | None:
    """Reclaim before buying: the hold on an automatic top-up while the SKU's reclaimable seats
    reach the admin's threshold (None: not held, or the count is unknown)."""
    return reclaim_hold(
        settings.hold_top_ups_when_reclaimable,
        reclaimable,
        plan_name=plan_name,
        seats_wanted=seats_to_add,
    )


def automatic_limit(
    settings: LicenceSettings,
    plan_name: str,
    total_before: int,
    seats_to_add: int,
    added: int,
    *,
    reclaimable: int | None,
) -> str | None:
    """Why an automatic top-up of `seats_to_add` on `total_before` may not be made, or None.
    `added`: seats already added automatically this calendar month; `reclaimable`: the SKU's
    reclaimable seats as the holder sync last counted them (None: unknown, which holds
    nothing). Required, so that no caller forgets to ask."""
    total_after = total_before + seats_to_add
    if not settings.auto_top_up:
        return "automatic top-ups are switched off"
    if settings.max_total_seats is None and settings.max_seats_per_month is None:
        return "automatic top-ups need a maximum total or a monthly maximum; set one in Settings"
    if plan_kind(plan_name) is PlanKind.FREE:
        return "free plans have no seats to buy"
    # The settings page refuses such values when they are saved; a licence's total moves by
    # itself afterwards, so every top-up is held to the same bound when it is decided.
    step_limit = min(MAX_SEATS_PER_TOP_UP, max(total_before, 1))
    if seats_to_add > step_limit:
        return (
            f"adding {seats(seats_to_add)} at once is more than one automatic top-up may add "
            f"({step_limit}: never more than doubling the licence, and at most "
            f"{MAX_SEATS_PER_TOP_UP})"
        )
    cap = settings.max_total_seats
    if cap is not None and total_after > cap:
        return f"adding {seats_to_add} would make {total_after}, above your maximum of {cap} seats"
    monthly = settings.max_seats_per_month
    if monthly is not None and added + seats_to_add > monthly:
        return (
            f"adding {seats_to_add} would bring this month's automatic additions to "
            f"{added + seats_to_add}, above your monthly maximum of {monthly}"
        )
    # Last: the caps are the admin's hard limits, and their reason says more when both apply.
    hold = automatic_hold(settings, plan_name, seats_to_add, reclaimable)
    return None if hold is None else hold.reason


def refusal(
    request: TopUpRequest,
    *,
    control: BuyingControl,
    settings: LicenceSettings,
    settings_saved_at: datetime | None,
    added_this_month: int,
    plan_now: str | None,
    reclaimable: int | None,
    paused: TopUpPause | None,
    now: datetime,
) -> str | None:
    """Why `request` must not be sent to Google now, or None to go ahead. `plan_now`: the plan
    Google reports at the fresh read (None for a purchase of a SKU not yet owned);
    `reclaimable`: the SKU's reclaimable seats read in the same transaction (None: unknown);
    `paused`: the anomaly guard's pause of the licence's automatic top-ups, read in the same
    transaction (None: not paused). Only automatic requests are held for reclaimable seats or
    by the pause: an admin's own is never held (see the module's docstring)."""
    if control.paused:
        because = f": {control.reason}" if control.reason else ""
        return f"buying is paused by the reseller{because}"
    if plan_now is not None and plan_kind(plan_now) is not plan_kind(request.plan_name):
        return (
            f"the plan changed from {request.plan_name} to {plan_now} after the request was "
            "made, and seats on the new plan are bought on different terms"
        )
    if request.source is not Source.AUTOMATIC:
        return None  # an admin asked for exactly this; the checks above are all that apply
    if paused is not None:
        return (
            f"automatic top-ups are paused: {paused.reason}; they resume only when someone "
            "resumes them"
        )
    if now - request.created_at > AUTOMATIC_REQUEST_EXPIRY:
        minutes = int(AUTOMATIC_REQUEST_EXPIRY.total_seconds() // 60)
        return f"it expired: not sent to Google within {minutes} minutes of being decided"
    if settings_saved_at is not None and settings_saved_at > request.created_at:
        return "the settings were changed after this top-up was decided"
    return automatic_limit(
        settings,
        request.plan_name,
        request.total_before,
        request.seats_to_add,
        added_this_month,
        reclaimable=reclaimable,
    )
