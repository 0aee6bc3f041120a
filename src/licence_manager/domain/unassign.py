"""What becomes of unassigning a reclaimable add-on seat from the Reclaim page
(RequestKind.UNASSIGN): the request, its audit entry, and the stored holder it removes, from one
pure function each. apply_topup carries it out like every change at Google (claim, fresh read
with licenseAssignments.get, mark as sent, licenseAssignments.delete, record); only these
outcomes differ from a seat change's.

Nothing is bought or sold: Google lowers the subscription's assigned seats
(licensedNumberOfSeats) by itself, which the next usage sync records, as it records any
assignment. A FLEXIBLE seat stops being billed the day it is unassigned; an ANNUAL seat stays
paid for until renewal and is free for someone else meanwhile. The admin who asked watches the
request on the Reclaim page, so no email is sent either way."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction
from licence_manager.domain.holders import HolderRecord, user_key
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import LicenceKey, PlanKind, plan_kind
from licence_manager.domain.outcomes import RequestContext, TopUpOutcome, UnassignedSeat, released
from licence_manager.domain.topup import RequestStatus, TopUpRequest

NOT_SENT_NOTE = "already unassigned; not sent"
RECOVERED_NOTE = "found unassigned after an earlier attempt sent it; not sent again"
AUTO_LICENSED_REASON = (
    "Google assigns this licence automatically (412 conditionNotMet: auto licence "
    "un-assignment is not allowed). Turn automatic licensing off for the user's organisational "
    "unit in the Admin console, or move the user, then remove the licence there."
)


def holder_doc_id(key: LicenceKey, user_id: str, email: str) -> str:
    """The `seat_holders` document of this user and SKU (domain.holders.HolderRecord)."""
    return f"{key.doc_id}_{user_key(user_id, email)}"


def request_holder_doc_id(request: TopUpRequest) -> str:
    return holder_doc_id(request.key, request.user_id, request.user_email)


def plan_words(plan_name: str) -> str:
    """What removing one seat of this plan does to the bill."""
    kind = plan_kind(plan_name)
    if kind is PlanKind.FLEXIBLE:
        return "a Flexible seat: its price a month is saved from today"
    if kind is PlanKind.ANNUAL:
        return "an annual seat: still paid for until renewal, free for someone else meanwhile"
    return "no saving on this plan"


def unassigned(context: RequestContext, at: datetime, sent: bool) -> TopUpOutcome:
    """The user holds the seat no more: APPLIED, with a SEAT_UNASSIGNED entry naming the admin
    and the user, and the stored holder removed with it (its holder digest entry too, by the
    unit of work). `sent`: this attempt called licenseAssignments.delete (False: the fresh read
    already showed the seat gone)."""
    request = context.request
    recovered = not sent and request.change_sent_at is not None
    message = (
        f"Licence unassigned from {request.user_email} by {request.requested_by} "
        f"({plan_words(request.plan_name)}); Google lowers the assigned seats, and the next "
        "usage sync records them"
    )
    if not sent:
        message += f" ({RECOVERED_NOTE if recovered else NOT_SENT_NOTE})"
    entry = audit.append(
        context.head,
        request.key,
        at,
        AuditAction.SEAT_UNASSIGNED,
        request.source,
        request.requested_by,
        message,
        request.total_before,
        request.total_after,
        plan_name=request.plan_name,
    )
    return TopUpOutcome(
        request=replace(
            request,
            status=RequestStatus.APPLIED,
            finished_at=at,
            recovered=recovered,
            message=message,
        ),
        state=released(context, at),
        audit=(entry,),
        audit_head=entry.head,
        unassigned=UnassignedSeat(
            holder_doc_id=request_holder_doc_id(request),
            email=request.user_email,
            plan_name=request.plan_name,
            seats=1,
            sent=sent,
        ),
    )


def not_unassigned(
    context: RequestContext, at: datetime, reason: str, status: RequestStatus = RequestStatus.FAILED
) -> TopUpOutcome:
    """FAILED (Google refused: an auto-licensed seat, the customer's APIs closed to the
    reseller; or the sweeper gave up on a delete never sent): the seat is as it was, so no audit
    entry of its own and the stored holder stays; the request's message says why."""
    request = context.request
    message = f"Licence not unassigned from {request.user_email}: {reason}"
    return TopUpOutcome(
        request=replace(request, status=status, finished_at=at, message=message),
        state=released(context, at),
    )


def insights_after(
    insights: LicenceInsights | None, removed: HolderRecord
) -> LicenceInsights | None:
    """The customer's counts (`licence_insights`) without the holder just unassigned, so My
    Licences, the Reclaim page's cards and the reclaim-before-buying hold agree with the stored
    holders at once rather than at the next daily holder sync (which recounts them anyway).
    None when there is nothing to change: no insights, or the SKU not counted."""
    if insights is None:
        return None
    counted = insights.skus.get(removed.sku_id)
    if counted is None:
        return None
    reason = removed.reclaim_reason

    def less(n: int, applies: bool = True) -> int:
        return max(n - 1, 0) if applies else n

    after = replace(
        counted,
        holders=less(counted.holders),
        reclaimable=less(counted.reclaimable, bool(reason)),
        suspended=less(counted.suspended, reason == "SUSPENDED"),
        never_signed_in=less(counted.never_signed_in, reason == "NEVER_SIGNED_IN"),
        inactive=less(counted.inactive, reason == "INACTIVE"),
    )
    return replace(insights, skus={**insights.skus, removed.sku_id: after})
