"""Taking a seat-change request for an attempt, and recording what became of it: the licence, its
day, its audit entry, the automation state and the confirmation, from one pure function each."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from licence_manager.domain import audit, catalogue, daily
from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.automation import (
    AutomationState,
    month_of,
    reclaimable_fact,
    usage_facts,
)
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.model import (
    AuditHead,
    Licence,
    PlanKind,
    Subscription,
    Usage,
    plan_kind,
    seats,
)
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.domain.observation import LicenceContext, record_observation
from licence_manager.domain.topup import Claim, RequestStatus, TopUpRequest, claim

DEFAULT_TIME_ZONE = "Europe/London"  # only if a purchase request carries none

ANNUAL_NOTE = (
    "This is an annual plan: the seats added stay paid for until the plan renews, "
    "even if fewer are used."
)


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What recording a request's outcome reads, in one transaction."""

    request: TopUpRequest
    licence: Licence | None
    today: DailyUsage | None
    state: AutomationState
    head: AuditHead
    # The SKU's reclaimable seats (None: unknown, or not read): a confirmation states them.
    reclaimable: int | None = None


@dataclass(frozen=True, slots=True)
class UnassignedSeat:
    """An add-on seat a person unassigned (domain.unassign): the `seat_holders` document to
    delete with the outcome, and what a FLEXIBLE seat removed is worth (plan, seats) to whoever
    counts savings."""

    holder_doc_id: str
    email: str
    plan_name: str
    seats: int = 1
    sent: bool = True  # False: Google showed it gone already; nothing was sent


@dataclass(frozen=True, slots=True)
class TopUpOutcome:
    request: TopUpRequest
    state: AutomationState
    licence: Licence | None = None
    daily: DailyUsage | None = None
    audit: tuple[AuditEntry, ...] = ()
    audit_head: AuditHead | None = None
    notification: Notification | None = None
    unassigned: UnassignedSeat | None = None  # an unassign that took effect


def _release(
    context: RequestContext, added: int, at: datetime, failed_at: int | None
) -> AutomationState:
    """Free the licence for the next change; count automatic additions against the month."""
    state = context.state
    request = context.request
    if state.in_flight_request_id == request.request_id:
        state = replace(
            state,
            in_flight_request_id=None,
            in_flight_total_after=None,
            in_flight_since=None,
            in_flight_seen_at=None,
        )
    if state.pending_request_id == request.request_id:
        state = replace(state, pending_request_id=None, failed_at_total=failed_at)
    if added and request.source is Source.AUTOMATIC and context.licence is not None:
        state = state.in_month(month_of(at, context.licence.time_zone))
        state = replace(state, seats_added_this_month=state.seats_added_this_month + added)
    return state


def released(context: RequestContext, at: datetime) -> AutomationState:
    """The automation state once a request that added no seats has finished (a renewal change):
    the licence is free for the next change."""
    return _release(context, 0, at, failed_at=None)


def _entry(context: RequestContext, at: datetime, action: AuditAction, message: str) -> AuditEntry:
    request = context.request
    return audit.append(
        context.head,
        request.key,
        at,
        action,
        request.source,
        request.requested_by,
        message,
        request.total_before,
        request.total_after,
        plan_name=request.plan_name,
    )


def applied(
    context: RequestContext,
    at: datetime,
    subscription_id: str,
    recovered: bool,
    note: str = "",
) -> TopUpOutcome:
    """`recovered`: an earlier attempt made the change and died before recording it."""
    request = context.request
    licence = context.licence
    if recovered and not note:
        note = "found applied by an earlier attempt; not bought again"
    message = (
        f"Added {seats(request.seats_to_add)} ({request.source.value}): "
        f"{request.total_before} → {request.total_after}" + (f" ({note})" if note else "")
    )
    entry = _entry(context, at, AuditAction.TOP_UP_APPLIED, message)
    new_licence, day = None, None
    if licence is not None:
        usage = replace(licence.usage, total=request.total_after, subscription_id=subscription_id)
        new_licence = replace(licence, usage=usage, updated_at=at)
        if licence.usage.total != request.total_after:  # a sync may have recorded it already
            day = daily.roll(
                context.today, licence.key, licence.time_zone, at, licence.usage, usage
            )
    facts: dict[str, str | int | float | None] = usage_facts(new_licence) if new_licence else {}
    annual = plan_kind(request.plan_name) is PlanKind.ANNUAL
    facts.update(
        seatsAdded=request.seats_to_add,
        totalBefore=request.total_before,
        totalAfter=request.total_after,
        source=request.source.value,
        planNote=ANNUAL_NOTE if annual else "",
        **reclaimable_fact(context.reclaimable),
    )
    return TopUpOutcome(
        request=replace(
            request,
            status=RequestStatus.APPLIED,
            finished_at=at,
            subscription_id=subscription_id,
            recovered=recovered,
            message=message,
        ),
        state=_release(context, request.seats_to_add, at, failed_at=None),
        licence=new_licence,
        daily=day,
        audit=(entry,),
        audit_head=entry.head,
        notification=Notification(
            f"{request.request_id}-applied", request.key, NotificationType.TOP_UP_APPLIED, at, facts
        ),
    )


def unverified(context: RequestContext, at: datetime, current: Subscription) -> TopUpOutcome:
    """An earlier attempt may have sent the change and stopped; the seats have moved on since
    (to neither the total it was decided on nor the one it asked for). If a sync saw Google at
    the total it asked for after it was sent, it landed: recorded as applied (the caller then
    records the rest as changed outside). Otherwise whether ours landed cannot be told, and
    nothing is credited to it: the caller records Google's figures as a change made outside
    Licence Manager, which keeps the additions equal to what Google did (only their source is
    unknown) and never invoices a purchase that may not have happened. The monthly cap, on the
    other hand, counts it, to be safe."""
    request, state = context.request, context.state
    seen = state.in_flight_seen_at
    if (
        state.in_flight_request_id == request.request_id
        and seen is not None
        and request.change_sent_at is not None
        and seen >= request.change_sent_at
    ):
        note = f"seen at {request.total_after} by a sync after it was sent; not bought again"
        subscription_id = context.licence.usage.subscription_id if context.licence else ""
        return applied(context, at, subscription_id, recovered=True, note=note)
    outcome = superseded(
        context,
        at,
        current.total_seats,
        reason=(
            f"an earlier attempt may have sent it, but the seats were changed to "
            f"{current.total_seats} by someone else before it could be checked; recorded as "
            "Google reports them"
        ),
    )
    state = outcome.state
    if request.source is Source.AUTOMATIC and context.licence is not None:
        # It may have landed: the monthly cap counts it, so automation never buys past it.
        state = state.in_month(month_of(at, context.licence.time_zone))
        added = state.seats_added_this_month + request.seats_to_add
        outcome = replace(outcome, state=replace(state, seats_added_this_month=added))
    return outcome


def observed(
    outcome: TopUpOutcome,
    context: RequestContext,
    subscription: Subscription,
    at: datetime,
    default_time_zone: str,
) -> TopUpOutcome:
    """`outcome`, plus what a sync would record from the figures Google just gave the applier:
    a request that buys nothing still leaves the licence as Google has it, decided at once."""
    stored = outcome.licence or context.licence
    change = record_observation(
        LicenceContext(
            stored=stored,
            today=outcome.daily or context.today,
            head=outcome.audit_head or context.head,
        ),
        subscription,
        at,
        default_time_zone,
    )
    if change is None:
        return outcome
    return replace(
        outcome,
        licence=change.licence,
        daily=change.daily or outcome.daily,
        audit=outcome.audit + change.audit,
        audit_head=change.audit_head,
    )


def purchased(
    context: RequestContext,
    at: datetime,
    subscription: Subscription,
    recovered: bool,
    seats_now: int | None = None,
) -> TopUpOutcome:
    """A purchase (subscriptions.insert) went through: record the new licence as Google reports
    it, so it shows at once (the next sync finds nothing changed), and confirm it.
    `recovered`/`seats_now` as for `applied`."""
    request = context.request
    note = ""
    if recovered:
        note = " (found bought by an earlier attempt; not bought again)"
    if seats_now is not None:
        note = (
            f" (sent by an earlier attempt that stopped; seats are now {seats_now} after other "
            "changes, so it could not be verified; not bought again)"
        )
    message = (
        f"Bought {subscription.sku_name} on plan {request.plan_name} with "
        f"{seats(request.total_after)} ({request.source.value}){note}"
    )
    entry = _entry(context, at, AuditAction.TOP_UP_APPLIED, message)
    before = context.licence
    usage = Usage.of(subscription)
    time_zone = before.time_zone if before else (request.time_zone or DEFAULT_TIME_ZONE)
    licence = Licence(request.key, subscription.customer_domain, usage, time_zone, at)
    day = None
    if before is None or before.usage != usage:
        opening = before.usage if before is not None else None
        day = daily.roll(context.today, request.key, time_zone, at, opening, usage)
    facts: dict[str, str | int | float | None] = usage_facts(licence)
    facts.update(
        seatsAdded=request.seats_to_add,
        totalBefore=0,
        totalAfter=request.total_after,
        source=request.source.value,
        planNote=ANNUAL_NOTE if plan_kind(request.plan_name) is PlanKind.ANNUAL else "",
    )
    return TopUpOutcome(
        request=replace(
            request,
            status=RequestStatus.APPLIED,
            finished_at=at,
            subscription_id=subscription.subscription_id,
            recovered=recovered,
            message=message,
        ),
        state=_release(context, request.seats_to_add, at, failed_at=None),
        licence=licence,
        daily=day,
        audit=(entry,),
        audit_head=entry.head,
        notification=Notification(
            f"{request.request_id}-applied",
            request.key,
            NotificationType.PURCHASE_CONFIRMED,
            at,
            facts,
        ),
    )


def failed(context: RequestContext, at: datetime, error: str) -> TopUpOutcome:
    """Google refused the change for good: tell the admin and pause automation for this
    licence until its seats change or its settings are saved again."""
    request = context.request
    message = f"Could not add {seats(request.seats_to_add)}: {error}"
    entry = _entry(context, at, AuditAction.TOP_UP_FAILED, message)
    facts: dict[str, str | int | float | None] = (
        usage_facts(context.licence) if context.licence else {}
    )
    facts.update(reason=message, seatsWanted=request.seats_to_add, source=request.source.value)
    if context.licence is None and request.key.sku_id in catalogue.SKUS:  # a purchase
        facts.setdefault("skuName", catalogue.SKUS[request.key.sku_id].sku_name)
    return TopUpOutcome(
        request=replace(request, status=RequestStatus.FAILED, finished_at=at, message=message),
        state=_release(context, 0, at, failed_at=request.total_before),
        audit=(entry,),
        audit_head=entry.head,
        notification=Notification(
            f"{request.request_id}-failed", request.key, NotificationType.TOP_UP_FAILED, at, facts
        ),
    )


def superseded(
    context: RequestContext, at: datetime, current_total: int, reason: str = ""
) -> TopUpOutcome:
    """Buy nothing: the seats changed since the decision, or (`reason`) the decision no longer
    stands. A fresh evaluation decides again from the figures as they are."""
    request = context.request
    message = (
        f"Not applied: {reason}"
        if reason
        else (
            f"Not applied: seats are {current_total}, not the {request.total_before} this "
            f"{request.source.value} request was based on"
        )
    )
    entry = _entry(context, at, AuditAction.TOP_UP_SUPERSEDED, message)
    return TopUpOutcome(
        request=replace(request, status=RequestStatus.SUPERSEDED, finished_at=at, message=message),
        state=_release(context, 0, at, failed_at=None),
        audit=(entry,),
        audit_head=entry.head,
    )


def take(
    request: TopUpRequest,
    state: AutomationState,
    now: datetime,
    lease: timedelta,
    in_flight: TopUpRequest | None = None,
) -> tuple[Claim, TopUpRequest, AutomationState]:
    """Claim a request for one attempt and mark its licence as changing. Changes to one licence
    are applied one at a time: another live change makes this one wait (BUSY). `in_flight`: the
    other request marked as changing the licence, if any. One that may have reached Google
    keeps the licence until an attempt of its own has found out what became of it, however old
    its lease: until then nobody can tell its seats from anyone else's."""
    outcome, claimed = claim(request, now, lease)
    if outcome is not Claim.CLAIMED:
        return outcome, request, state
    other = state.in_flight_request_id
    if other not in (None, request.request_id):
        live = state.in_flight_since is not None and now - state.in_flight_since < lease
        sent = (
            in_flight is not None
            and in_flight.request_id == other
            and not in_flight.status.final
            and in_flight.change_sent_at is not None
        )
        if live or sent:
            return Claim.BUSY, request, state
    marked = replace(
        state,
        in_flight_request_id=request.request_id,
        in_flight_total_after=request.total_after,
        in_flight_since=now,
        in_flight_seen_at=state.in_flight_seen_at if other == request.request_id else None,
    )
    return Claim.CLAIMED, claimed, marked


def unconfirmed_alert(context: RequestContext, at: datetime) -> Notification:
    """A change sent to Google whose outcome no attempt has been able to read back for a long
    time: the admin hears once that it is still being checked (it is never bought again)."""
    request = context.request
    facts: dict[str, str | int | float | None] = (
        usage_facts(context.licence) if context.licence else {}
    )
    facts.update(
        reason=(
            f"Adding {seats(request.seats_to_add)} ({request.total_before} → "
            f"{request.total_after}) was sent to Google but could not be confirmed yet; "
            "Licence Manager keeps checking and will not buy it twice"
        ),
        seatsWanted=request.seats_to_add,
        source=request.source.value,
    )
    return Notification(
        f"{request.request_id}-unconfirmed",
        request.key,
        NotificationType.TOP_UP_FAILED,
        at,
        facts,
    )
