"""apply_topup's use case: apply one seat-change request exactly once.

The one place seats change (automatic top-ups, manual additions and purchases alike). Each step
that reads and writes the database is one unit of work in services.request_records; see the
module docstring of domain.topup for the compare-and-set that makes a repeat harmless, and
docs/architecture.md "Idempotency" for the whole scheme.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from licence_manager.domain import outcomes, renewal_change
from licence_manager.domain.model import LicenceKey, Subscription
from licence_manager.domain.outcomes import TopUpOutcome
from licence_manager.domain.policy import ACTIVE
from licence_manager.domain.renewal import renewal_choices, renewal_label
from licence_manager.domain.topup import (
    Claim,
    RequestKind,
    RequestStatus,
    SeatCheck,
    TopUpRequest,
    compare_insert,
    compare_renewal,
    compare_seats,
)
from licence_manager.observability import get_logger
from licence_manager.ports import Publisher, SeatChanger, SourceError
from licence_manager.ports.holders import LicenceAssignments
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.services import request_records as records
from licence_manager.services.errors import RetryLater as RetryLater
from licence_manager.services.outbox import republish_if_unsent
from licence_manager.services.request_records import Attempt, Decide
from licence_manager.services.sync import Clock, utc_now
from licence_manager.services.unassign import UnassignSeat

log = get_logger(__name__)

# Google answers these for a change it will never accept: record the failure, do not retry.
PERMANENT_STATUSES = {400, 403, 409, 412}
MAX_REREADS = 3  # a 404 means the subscription id moved under us: read again and re-check
# Longer than the longest attempt: apply_topup's function timeout (300 s) plus a margin. While
# it runs no other request may change the licence, and a takeover waits for it to pass.
DEFAULT_LEASE = timedelta(minutes=7)
# An attempt starts no call to Google in the last part of its lease (2 minutes, or a third of a
# short lease such as the soak's), so every call it makes has ended (answered or timed out)
# while it still holds the licence.
SEND_MARGIN = timedelta(minutes=2)


class ApplyTopUp:
    def __init__(
        self,
        uow: UnitOfWork,
        seats: SeatChanger,
        publisher: Publisher,
        clock: Clock = utc_now,
        lease: timedelta = DEFAULT_LEASE,
        default_time_zone: str = "Europe/London",
        reevaluate: Callable[[LicenceKey], object] | None = None,
        licences: LicenceAssignments | None = None,
    ) -> None:
        self._uow = uow
        self._seats = seats
        self._publisher = publisher
        self._clock = clock
        self._lease = lease
        self._time_zone = default_time_zone
        # A request that bought nothing leaves the licence to be decided again, here: its last
        # evaluation may have run while the request was pending, so no later write would.
        self._reevaluate = reevaluate
        # The Licensing API, for unassigns (services.unassign); None where none is configured.
        self._licences = licences

    def __call__(self, request_id: str) -> TopUpOutcome | None:
        now = self._clock()
        claim, request = self._uow.run(lambda tx: records.take(tx, request_id, now, self._lease))
        if request is None:
            log.error("unknown top-up request dropped", extra={"requestId": request_id})
            return None
        if claim is Claim.DONE:
            # A duplicate, or a redelivery after a crash that came after recording the outcome
            # but before publishing its confirmation: publish that again if it is still unsent.
            for suffix in ("applied", "failed"):
                republish_if_unsent(self._uow, self._publisher, f"{request_id}-{suffix}")
            if request.status is RequestStatus.SUPERSEDED:
                self._decide_again(request.key)  # the last attempt may have died before it did
            return None
        if claim is Claim.BUSY:
            raise RetryLater(f"request {request_id} or its licence is being changed right now")
        attempt = Attempt(
            request_id,
            token=request.attempts,
            send_until=now + self._lease - min(SEND_MARGIN, self._lease / 3),
            sent_before=request.change_sent_at is not None,
        )
        try:
            if request.kind is RequestKind.INSERT:
                outcome = self._purchase(attempt, request)
            elif request.kind is RequestKind.CHANGE_RENEWAL:
                outcome = self._change_renewal(attempt, request)
            elif request.kind is RequestKind.UNASSIGN:
                outcome = self._unassign(attempt, request)
            else:
                outcome = self._change_seats(attempt, request)
        except RetryLater:
            self._uow.run(lambda tx: records.release(tx, attempt))
            raise
        self._announce(outcome)
        return outcome

    def _change_seats(self, attempt: Attempt, request: TopUpRequest) -> TopUpOutcome | None:
        maybe_sent = attempt.sent_before
        for _ in range(MAX_REREADS):
            current = self._read(request)
            now = self._clock()
            if current is None or current.status != ACTIVE:
                state = "not found" if current is None else current.status.lower()
                error = f"the subscription is {state}"
                return self._finish(attempt, partial(outcomes.failed, at=now, error=error))
            check = compare_seats(request, current.total_seats)
            if check is SeatCheck.ALREADY_APPLIED:
                sub_id = current.subscription_id
                return self._finish(
                    attempt,
                    partial(outcomes.applied, at=now, subscription_id=sub_id, recovered=True),
                    current,
                )
            if check is SeatCheck.PROBABLY_APPLIED:
                return self._finish(
                    attempt, partial(outcomes.unverified, at=now, current=current), current
                )
            if check is SeatCheck.SUPERSEDED:
                total = current.total_seats
                return self._finish(
                    attempt, partial(outcomes.superseded, at=now, current_total=total), current
                )
            marked = self._mark_sent(attempt, current)
            if not isinstance(marked, TopUpRequest):
                return marked
            request = marked
            try:
                changed = self._seats.change_seats(current, request.total_after, attempt.send_until)
            except SourceError as error:
                maybe_sent = maybe_sent or error.may_have_applied
                if error.status == 404 or (error.status in PERMANENT_STATUSES and maybe_sent):
                    # A 404: the subscription id moved, so someone changed it between our read
                    # and the call. Unless an earlier try may have landed, ours certainly did
                    # not. Either way the fresh read decides.
                    if not maybe_sent:
                        unmarked = self._uow.run(lambda tx: records.unmark(tx, attempt))
                        if unmarked is None:
                            self._lost(attempt)
                            return None
                        request = unmarked
                    continue
                if error.status in PERMANENT_STATUSES:
                    return self._finish(attempt, partial(outcomes.failed, at=now, error=str(error)))
                raise RetryLater(f"Reseller API unavailable: {error}") from error
            done_at = self._clock()
            sub_id = changed.subscription_id
            return self._finish(
                attempt,
                partial(outcomes.applied, at=done_at, subscription_id=sub_id, recovered=False),
            )
        raise RetryLater(f"the subscription kept changing under request {request.request_id}")

    def _purchase(self, attempt: Attempt, request: TopUpRequest) -> TopUpOutcome | None:
        """The same claim, fresh read, compare-and-set and record as a seat change, with
        subscriptions.insert as the change: see domain.topup.compare_insert."""
        duplicate: SourceError | None = None
        for _ in range(MAX_REREADS):
            current = self._read(request)
            now = self._clock()
            if current is None and duplicate is not None:
                # Google has it but will not show it to us (an offline order, say): refused.
                error = str(duplicate)
                return self._finish(attempt, partial(outcomes.failed, at=now, error=error))
            if current is not None:
                check = compare_insert(request, current.total_seats, current.purchase_order_id)
                if check is not SeatCheck.CHANGE:
                    return self._finish(attempt, _purchase_outcome(check, current, now))
            marked = self._mark_sent(attempt, None)
            if not isinstance(marked, TopUpRequest):
                return marked
            request = marked
            key = request.key
            try:
                bought = self._seats.insert(
                    key.customer_id,
                    key.sku_id,
                    request.plan_name,
                    request.total_after,
                    request.request_id,
                )
            except SourceError as error:
                if error.status == 409:
                    # Already there: perhaps our own insert whose answer was lost (a retried
                    # timeout). Read again; the order id and the marker tell ours apart.
                    duplicate = error
                    continue
                if error.status in PERMANENT_STATUSES:
                    return self._finish(attempt, partial(outcomes.failed, at=now, error=str(error)))
                raise RetryLater(f"Reseller API unavailable: {error}") from error
            done_at = self._clock()
            return self._finish(
                attempt,
                partial(outcomes.purchased, at=done_at, subscription=bought, recovered=False),
            )
        raise RetryLater(f"the subscription kept changing under request {request.request_id}")

    def _change_renewal(self, attempt: Attempt, request: TopUpRequest) -> TopUpOutcome | None:
        """The same claim, fresh read, compare-and-set and record, with changeRenewalSettings as
        the change (domain.topup.compare_renewal). The type itself is the evidence: a fresh read
        showing the type wanted means it is there, whoever set it, and Google is not called
        again. changeRenewalSettings sets a value (no counter, nothing bought), so even a call
        repeated after a lost answer changes nothing more at Google."""
        failed, not_changed = renewal_change.renewal_not_changed, RequestStatus.FAILED
        for _ in range(MAX_REREADS):
            current = self._read(request)
            now = self._clock()
            if current is None or current.status != ACTIVE:
                state = "not found" if current is None else current.status.lower()
                reason = f"the subscription is {state}"
                return self._finish(
                    attempt, partial(failed, at=now, reason=reason, status=not_changed), current
                )
            if not renewal_choices(current.plan_name):
                reason = f"only annual plans renew; this licence is now on {current.plan_name}"
                return self._finish(
                    attempt, partial(failed, at=now, reason=reason, status=not_changed), current
                )
            check = compare_renewal(request, current.renewal_type)
            if check is SeatCheck.ALREADY_APPLIED:
                sub_id = current.subscription_id
                return self._finish(
                    attempt,
                    partial(
                        renewal_change.renewal_changed, at=now, subscription_id=sub_id, sent=False
                    ),
                    current,
                )
            if check is not SeatCheck.CHANGE:
                reason = (
                    f"it was changed to {renewal_label(current.renewal_type)} by someone else "
                    "after this change was asked for"
                )
                return self._finish(
                    attempt,
                    partial(failed, at=now, reason=reason, status=RequestStatus.SUPERSEDED),
                    current,
                )
            marked = self._mark_sent(attempt, current)
            if not isinstance(marked, TopUpRequest):
                return marked
            request = marked
            try:
                changed = self._seats.change_renewal(
                    current, request.renewal_type, attempt.send_until
                )
            except SourceError as error:
                if error.status == 404 or (
                    error.status in PERMANENT_STATUSES
                    and (attempt.sent_before or error.may_have_applied)
                ):
                    # The id moved (someone updated the subscription), or an earlier try may
                    # have landed: the fresh read decides, by the type Google shows.
                    continue
                if error.status in PERMANENT_STATUSES:
                    return self._finish(
                        attempt,
                        partial(failed, at=now, reason=str(error), status=not_changed),
                    )
                raise RetryLater(f"Reseller API unavailable: {error}") from error
            done_at = self._clock()
            return self._finish(
                attempt,
                partial(
                    renewal_change.renewal_changed,
                    at=done_at,
                    subscription_id=changed.subscription_id,
                    sent=True,
                ),
                changed,
            )
        raise RetryLater(f"the subscription kept changing under request {request.request_id}")

    def _unassign(self, attempt: Attempt, request: TopUpRequest) -> TopUpOutcome | None:
        if self._licences is None:
            # Left for a deployment that has the Licensing credential; the sweeper gives it up
            # (FAILED, nothing sent) if none ever does.
            raise RetryLater(f"request {request.request_id}: no Licensing API configured here")
        steps = UnassignSeat(self._licences, self._clock, self._finish, self._mark_sent)
        return steps(attempt, request)

    def _mark_sent(
        self, attempt: Attempt, current: Subscription | None
    ) -> TopUpRequest | TopUpOutcome | None:
        """The marked request to send, the outcome recorded instead, or None if the claim is
        gone (taken over, or too late in the lease to start a call)."""
        now = self._clock()
        decision = self._uow.run(
            lambda tx: records.before_sending(tx, attempt, current, now, self._time_zone)
        )
        if decision.request is not None:
            return decision.request
        if decision.refused is not None:
            self._log_finished(decision.refused)
            return decision.refused
        if now > attempt.send_until:
            raise RetryLater(f"request {attempt.request_id}: too late in the lease to buy")
        self._lost(attempt)
        return None

    def _finish(
        self, attempt: Attempt, decide: Decide, seen: Subscription | None = None
    ) -> TopUpOutcome | None:
        at = self._clock()
        outcome = self._uow.run(
            lambda tx: records.finish(tx, attempt, at, decide, seen, self._time_zone)
        )
        if outcome is None:
            self._lost(attempt)
            return None
        self._log_finished(outcome)
        return outcome

    def _lost(self, attempt: Attempt) -> None:
        log.warning(
            "top-up attempt lost its claim; another attempt or the sweeper finished it",
            extra={"requestId": attempt.request_id, "attempt": attempt.token},
        )

    def _announce(self, outcome: TopUpOutcome | None) -> None:
        if outcome is None:
            return
        if outcome.notification is not None:
            self._publisher.publish_notification(outcome.notification.notification_id)
        if outcome.request.status is RequestStatus.SUPERSEDED:
            self._decide_again(outcome.request.key)

    def _decide_again(self, key: LicenceKey) -> None:
        if self._reevaluate is not None:
            self._reevaluate(key)

    def _read(self, request: TopUpRequest) -> Subscription | None:
        try:
            return self._seats.current(request.key.customer_id, request.key.sku_id)
        except SourceError as error:
            if error.status in PERMANENT_STATUSES:
                return None
            raise RetryLater(f"Reseller API unavailable: {error}") from error

    def _log_finished(self, outcome: TopUpOutcome) -> None:
        request = outcome.request
        log.info(
            "top-up request finished",
            extra={
                "event": "topup.outcome",
                "outcome": request.status.value,
                "requestId": request.request_id,
                "customerId": request.key.customer_id,
                "skuId": request.key.sku_id,
                "kind": request.kind.value,
                "status": request.status.value,
                "source": request.source.value,
                "detail": request.message,
                "reactionSeconds": _reaction_seconds(request),
            },
        )


def _reaction_seconds(request: TopUpRequest) -> float | None:
    """An automatic top-up applied: from the sync's view of the figures it was decided on to
    the change recorded (the reaction-time metric)."""
    if request.status is not RequestStatus.APPLIED or request.observed_at is None:
        return None
    return round(
        ((request.finished_at or request.created_at) - request.observed_at).total_seconds(), 3
    )


def _purchase_outcome(check: SeatCheck, current: Subscription, now: datetime) -> Decide:
    if check is SeatCheck.SUPERSEDED:
        return partial(outcomes.superseded, at=now, current_total=current.total_seats)
    unverified = check is SeatCheck.PROBABLY_APPLIED
    return partial(
        outcomes.purchased,
        at=now,
        subscription=current,
        recovered=True,
        seats_now=current.total_seats if unverified else None,
    )
