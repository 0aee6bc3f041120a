"""What becomes of a renewal-type change asked for from the dashboard (RequestKind.CHANGE_RENEWAL):
the request, the licence with its new renewal type, and its audit entry, from one pure function
each. apply_topup carries it out like every change at Google (claim, fresh read, compare and set
with domain.topup.compare_renewal, record); only these outcomes differ from a seat change's.

Nothing is bought now: no seats move, no daily figures change and no monthly cap counts it. The
admin who asked watches the request on the Renewal page, so no email is sent either way."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction
from licence_manager.domain.outcomes import RequestContext, TopUpOutcome, released
from licence_manager.domain.renewal import renewal_change_message
from licence_manager.domain.topup import RequestStatus

NOT_SENT_NOTE = "already set at Google; not sent"


def renewal_changed(
    context: RequestContext, at: datetime, subscription_id: str, sent: bool
) -> TopUpOutcome:
    """Google has the type wanted: the licence records it, with a RENEWAL_TYPE_CHANGED entry
    naming the admin. `sent`: this attempt called changeRenewalSettings (False: the fresh read
    already showed the type, after an earlier attempt of ours or someone else set it)."""
    request = context.request
    licence = context.licence
    message = renewal_change_message(request.renewal_type_before, request.renewal_type)
    if not sent:
        message += f" ({NOT_SENT_NOTE})"
    entry = audit.append(
        context.head,
        request.key,
        at,
        AuditAction.RENEWAL_TYPE_CHANGED,
        request.source,
        request.requested_by,
        message,
        request.total_before,
        request.total_after,
        plan_name=request.plan_name,
    )
    new_licence = None
    if licence is not None:
        usage = replace(
            licence.usage,
            renewal_type=request.renewal_type,
            subscription_id=subscription_id or licence.usage.subscription_id,
        )
        new_licence = replace(licence, usage=usage, updated_at=at)
    return TopUpOutcome(
        request=replace(
            request,
            status=RequestStatus.APPLIED,
            finished_at=at,
            subscription_id=subscription_id or request.subscription_id,
            recovered=not sent and request.change_sent_at is not None,
            message=message,
        ),
        state=released(context, at),
        licence=new_licence,
        audit=(entry,),
        audit_head=entry.head,
    )


def renewal_not_changed(
    context: RequestContext, at: datetime, reason: str, status: RequestStatus
) -> TopUpOutcome:
    """FAILED (Google refused, the plan is no longer annual, the sweeper gave up on a change
    never sent) or SUPERSEDED (someone changed the type since the admin chose): nothing changed
    at Google, so no audit entry of its own; what Google shows is recorded beside it as a sync
    would (services.request_records.finish)."""
    request = context.request
    message = f"Renewal type not changed: {reason}"
    return TopUpOutcome(
        request=replace(request, status=status, finished_at=at, message=message),
        state=released(context, at),
    )
