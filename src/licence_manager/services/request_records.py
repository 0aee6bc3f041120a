"""The read-decide-writes of one seat-change request, each run in one unit of work.

An attempt claims a request and gets a token (its claim number). Every later write of that
attempt is fenced by the token: once the lease has passed and another attempt has taken over,
or the request has finished, the late attempt writes nothing (`holds` is False and the function
returns None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from licence_manager.domain import buying, outcomes, unassign
from licence_manager.domain.audit import Source
from licence_manager.domain.automation import month_of
from licence_manager.domain.daily import local_day
from licence_manager.domain.model import Subscription
from licence_manager.domain.outcomes import RequestContext, TopUpOutcome
from licence_manager.domain.topup import (
    Claim,
    RequestKind,
    RequestStatus,
    TopUpRequest,
    holds,
)
from licence_manager.domain.unassign import request_holder_doc_id
from licence_manager.ports.unit_of_work import Transaction
from licence_manager.services.savings import unassign_saving

Decide = Callable[[RequestContext], TopUpOutcome]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One claim of one request: who may write, and until when it may ask Google."""

    request_id: str
    token: int
    send_until: datetime  # no call to Google starts after this: the lease must outlast it
    sent_before: bool  # an earlier attempt recorded the change as sent


def take(
    tx: Transaction, request_id: str, now: datetime, lease: timedelta
) -> tuple[Claim, TopUpRequest | None]:
    request = tx.requests.get(request_id)
    if request is None:
        return Claim.DONE, None
    state = tx.automation_of(request.key)
    other = state.in_flight_request_id
    in_flight = tx.requests.get(other) if other and other != request_id else None
    outcome, claimed, marked = outcomes.take(request, state, now, lease, in_flight)
    if outcome is Claim.CLAIMED:
        tx.requests.put(request_id, claimed)
        tx.automation.put(request.key, marked)
    return outcome, claimed


def release(tx: Transaction, attempt: Attempt) -> None:
    """Give the request back for a later delivery after a transient failure. The licence stays
    marked as changing if the change may have been sent (a sync must not take it for a change
    made outside), and is freed for other requests if it certainly was not."""
    request = tx.requests.get(attempt.request_id)
    if not holds(request, attempt.token):
        return
    assert request is not None
    state = tx.automation_of(request.key)
    tx.requests.put(
        request.request_id, replace(request, status=RequestStatus.PENDING, claimed_at=None)
    )
    if request.change_sent_at is None and state.in_flight_request_id == request.request_id:
        freed = replace(
            state, in_flight_request_id=None, in_flight_total_after=None, in_flight_since=None
        )
        tx.automation.put(request.key, freed)


def context(tx: Transaction, request: TopUpRequest, at: datetime) -> RequestContext:
    key = request.key
    licence = tx.licences.get(key)
    today = tx.days.get((key, local_day(at, licence.time_zone))) if licence else None
    return RequestContext(request, licence, today, tx.automation_of(key), tx.head_of(key))


def write(tx: Transaction, outcome: TopUpOutcome) -> None:
    request = outcome.request
    tx.requests.put(request.request_id, request)
    tx.automation.put(request.key, outcome.state)
    if outcome.licence is not None:
        tx.licences.put(request.key, outcome.licence)
    if outcome.daily is not None:
        tx.days.put((request.key, outcome.daily.day), outcome.daily)
    tx.append_audit(outcome.audit, outcome.audit_head)
    if outcome.notification is not None:
        tx.notifications.create(outcome.notification.notification_id, outcome.notification)
    if outcome.unassigned is not None:
        # The seat is gone at Google: so is its stored holder, with its holder digest entry
        # (the repository's rule), so the Reclaim page and the next holder sync agree.
        tx.seat_holders.delete(outcome.unassigned.holder_doc_id)


def finish(
    tx: Transaction,
    attempt: Attempt,
    at: datetime,
    decide: Decide,
    seen: Subscription | None,
    default_time_zone: str,
) -> TopUpOutcome | None:
    """Record what became of the request; `seen`: Google's figures from the fresh read, recorded
    as a sync would (for outcomes that bought nothing, or could not tell)."""
    request = tx.requests.get(attempt.request_id)
    if not holds(request, attempt.token):
        return None
    assert request is not None
    found = context(tx, request, at)
    if request.kind is RequestKind.CHANGE_SEATS:  # its confirmation states them
        found = replace(found, reclaimable=tx.reclaimable_of(request.key))
    holder, insights = None, None
    if request.kind is RequestKind.UNASSIGN:  # read before the writes: the outcome deletes it
        holder = tx.seat_holders.get(request_holder_doc_id(request))
        insights = tx.insights.get(request.key.customer_id) if holder is not None else None
    outcome = decide(found)
    if seen is not None:
        outcome = outcomes.observed(outcome, found, seen, at, default_time_zone)
    if outcome.unassigned is not None:  # reads (price, the saving made?) before the writes
        tx.record_saving(unassign_saving(tx, request, outcome, found.licence, at))
    write(tx, outcome)
    if outcome.unassigned is not None and holder is not None:
        counted = unassign.insights_after(insights, holder)
        if counted is not None:
            tx.insights.put(counted.customer_id, counted)
    return outcome


@dataclass(frozen=True, slots=True)
class SendDecision:
    request: TopUpRequest | None = None  # marked as sent: go ahead and ask Google
    refused: TopUpOutcome | None = None  # the rule said no; this outcome is recorded


def before_sending(
    tx: Transaction,
    attempt: Attempt,
    current: Subscription | None,
    now: datetime,
    default_time_zone: str,
) -> SendDecision:
    """The last step before Google is asked: may we buy now (domain.buying), with everything as
    it is at this moment (the emergency stop, the settings, the reclaimable seats, the anomaly
    guard's pause)? Yes: record that the change is about to be sent. No: record why."""
    request = tx.requests.get(attempt.request_id)
    if not holds(request, attempt.token) or now > attempt.send_until:
        return SendDecision()
    assert request is not None
    if request.kind in (RequestKind.CHANGE_RENEWAL, RequestKind.UNASSIGN):
        # Not a purchase: no seat is bought or committed now, so the buying rule has no say
        # (a renewal's plan is checked as annual on the fresh read, and Google refuses
        # others; an unassign only ever removes a seat).
        marked = replace(request, change_sent_at=now)
        tx.requests.put(request.request_id, marked)
        return SendDecision(request=marked)
    saved = tx.settings_of(request.key)
    control = tx.buying_control()
    found = context(tx, request, now)
    # Reclaim before buying, asked with the count as it is now, in this transaction: a count
    # that rose after the decision refuses the buy, and the holder sync writing it meanwhile
    # makes this transaction run again. Only an automatic request with the hold on can be held
    # (an admin switching the hold on later is a settings save, refused below for that).
    holding = (
        request.source is Source.AUTOMATIC
        and saved.settings.hold_top_ups_when_reclaimable is not None
    )
    reclaimable = tx.reclaimable_of(request.key) if holding else None
    time_zone = found.licence.time_zone if found.licence else default_time_zone
    reason = buying.refusal(
        request,
        control=control,
        settings=saved.settings,
        settings_saved_at=saved.updated_at,
        added_this_month=found.state.in_month(month_of(now, time_zone)).seats_added_this_month,
        plan_now=current.plan_name if current is not None else None,
        reclaimable=reclaimable,
        # Read in this transaction with the request: a pause the sync set after the decision
        # refuses the buy, and a pause landing while this runs makes the transaction run again.
        paused=found.state.top_ups_paused,
        now=now,
    )
    if reason is None:
        marked = replace(request, change_sent_at=now)
        tx.requests.put(request.request_id, marked)
        return SendDecision(request=marked)
    outcome = refused(found, now, reason, current)
    if current is not None:
        outcome = outcomes.observed(outcome, found, current, now, default_time_zone)
    write(tx, outcome)
    return SendDecision(refused=outcome)


def refused(
    found: RequestContext, at: datetime, reason: str, current: Subscription | None
) -> TopUpOutcome:
    """An automatic request no longer wanted is superseded quietly (a fresh evaluation decides
    again); one a person asked for fails with an email saying why nothing was bought."""
    total = current.total_seats if current is not None else 0
    if found.request.source is Source.AUTOMATIC:
        return outcomes.superseded(found, at, total, reason=reason)
    return outcomes.failed(found, at, error=f"nothing was bought: {reason}")


def unmark(tx: Transaction, attempt: Attempt) -> TopUpRequest | None:
    """Google certainly refused the change (a 404 on the only try: the subscription id moved):
    it was not sent after all, so a changed total now means someone else changed the seats."""
    request = tx.requests.get(attempt.request_id)
    if not holds(request, attempt.token):
        return None
    assert request is not None
    unmarked = replace(request, change_sent_at=None)
    tx.requests.put(request.request_id, unmarked)
    return unmarked
