"""apply_topup's use case: apply one seat-change request exactly once.

The one place seats change (automatic top-ups and manual additions alike). See the module
docstring of domain.topup for the compare-and-set that makes a repeat harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from functools import partial

from licence_manager.domain import outcomes
from licence_manager.domain.model import LicenceKey, Subscription
from licence_manager.domain.outcomes import TopUpOutcome
from licence_manager.domain.policy import ACTIVE
from licence_manager.domain.topup import (
    Claim,
    RequestKind,
    RequestStatus,
    SeatCheck,
    TopUpRequest,
    compare_insert,
    compare_seats,
)
from licence_manager.observability import get_logger
from licence_manager.ports import (
    AutomationStore,
    NotificationStore,
    OutcomeDecision,
    Publisher,
    SeatChanger,
    SourceError,
)
from licence_manager.services.evaluate import republish_if_unsent
from licence_manager.services.sync import Clock, utc_now

log = get_logger(__name__)

# Google answers these for a change it will never accept: record the failure, do not retry.
PERMANENT_STATUSES = {400, 403, 409, 412}
MAX_REREADS = 3  # a 404 means the subscription id moved under us: read again and re-check


class RetryLater(Exception):
    """Raised to have the message redelivered: the request is busy or Google is unavailable."""


class ApplyTopUp:
    def __init__(
        self,
        store: AutomationStore,
        notifications: NotificationStore,
        seats: SeatChanger,
        publisher: Publisher,
        clock: Clock = utc_now,
        lease: timedelta = timedelta(minutes=2),
        record_seen: Callable[[Subscription], object] | None = None,
        reevaluate: Callable[[LicenceKey], object] | None = None,
    ) -> None:
        # A superseded request changed nothing, and the licence's last evaluation may have run
        # while it was pending: record the figures Google gave us (as a sync would), then decide
        # again from them, here.
        self._record_seen = record_seen
        self._reevaluate = reevaluate
        self._store = store
        self._notifications = notifications
        self._seats = seats
        self._publisher = publisher
        self._clock = clock
        self._lease = lease

    def __call__(self, request_id: str) -> TopUpOutcome | None:
        claim, request = self._store.take_request(request_id, self._clock(), self._lease)
        if request is None:
            log.error("unknown top-up request dropped", extra={"requestId": request_id})
            return None
        if claim is Claim.DONE:
            # A duplicate, or a redelivery after a crash that came after recording the outcome
            # but before publishing its confirmation: publish that again if it is still unsent.
            for suffix in ("applied", "failed"):
                republish_if_unsent(self._notifications, self._publisher, f"{request_id}-{suffix}")
            if request.status is RequestStatus.SUPERSEDED:
                self._decide_again(request.key)  # the last attempt may have died before it did
            return None
        if claim is Claim.BUSY:
            raise RetryLater(f"request {request_id} or its licence is being changed right now")
        try:
            outcome = self._apply(request)
        except RetryLater:
            self._store.release_request(request_id)
            raise
        if outcome is not None and outcome.notification is not None:
            self._publisher.publish_notification(outcome.notification.notification_id)
        return outcome

    def _apply(self, request: TopUpRequest) -> TopUpOutcome | None:
        if request.kind is RequestKind.INSERT:
            return self._purchase(request)
        for _ in range(MAX_REREADS):
            current = self._read(request)
            now = self._clock()
            if current is None or current.status != ACTIVE:
                state = "not found" if current is None else current.status.lower()
                error = f"the subscription is {state}"
                return self._finish(request, partial(outcomes.failed, at=now, error=error))
            check = compare_seats(request, current.total_seats)
            if check is SeatCheck.ALREADY_APPLIED:
                decide = partial(
                    outcomes.applied,
                    at=now,
                    subscription_id=current.subscription_id,
                    recovered=True,
                )
                return self._finish(request, decide)
            if check is SeatCheck.PROBABLY_APPLIED:
                decide = partial(
                    outcomes.applied,
                    at=now,
                    subscription_id=current.subscription_id,
                    recovered=True,
                    seats_now=current.total_seats,
                )
                return self._finish(request, decide)
            if check is SeatCheck.SUPERSEDED:
                decide = partial(outcomes.superseded, at=now, current_total=current.total_seats)
                finished = self._finish(request, decide)
                if self._record_seen is not None:
                    self._record_seen(current)
                self._decide_again(request.key)
                return finished
            self._store.mark_change_sent(request.request_id, now)
            request = replace(request, change_sent_at=now)
            try:
                changed = self._seats.change_seats(current, request.total_after)
            except SourceError as error:
                if error.status in PERMANENT_STATUSES:
                    decide = partial(outcomes.failed, at=now, error=str(error))
                    return self._finish(request, decide)
                if error.status == 404:
                    continue
                raise RetryLater(f"Reseller API unavailable: {error}") from error
            decide = partial(
                outcomes.applied,
                at=self._clock(),
                subscription_id=changed.subscription_id,
                recovered=False,
            )
            return self._finish(request, decide)
        raise RetryLater(f"the subscription kept changing under request {request.request_id}")

    def _purchase(self, request: TopUpRequest) -> TopUpOutcome | None:
        """The same claim, fresh read, compare-and-set and record as a seat change, with
        subscriptions.insert as the change: see domain.topup.compare_insert."""
        duplicate: SourceError | None = None
        for _ in range(MAX_REREADS):
            current = self._read(request)
            now = self._clock()
            if current is None and duplicate is not None:
                # Google has it but will not show it to us (an offline order, say): refused.
                return self._finish(request, partial(outcomes.failed, at=now, error=str(duplicate)))
            check = (
                compare_insert(request, None)
                if current is None
                else compare_insert(request, current.total_seats, current.purchase_order_id)
            )
            if current is not None and check is not SeatCheck.CHANGE:
                if check is SeatCheck.SUPERSEDED:
                    decide: OutcomeDecision = partial(
                        outcomes.superseded, at=now, current_total=current.total_seats
                    )
                else:
                    unverified = check is SeatCheck.PROBABLY_APPLIED
                    decide = partial(
                        outcomes.purchased,
                        at=now,
                        subscription=current,
                        recovered=True,
                        seats_now=current.total_seats if unverified else None,
                    )
                return self._finish(request, decide)
            self._store.mark_change_sent(request.request_id, now)
            request = replace(request, change_sent_at=now)
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
                    # timeout). Read again; the marker set above tells ours from someone else's.
                    duplicate = error
                    continue
                if error.status in PERMANENT_STATUSES:
                    return self._finish(request, partial(outcomes.failed, at=now, error=str(error)))
                raise RetryLater(f"Reseller API unavailable: {error}") from error
            decide = partial(
                outcomes.purchased, at=self._clock(), subscription=bought, recovered=False
            )
            return self._finish(request, decide)
        raise RetryLater(f"the subscription kept changing under request {request.request_id}")

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

    def _finish(self, request: TopUpRequest, decide: OutcomeDecision) -> TopUpOutcome | None:
        outcome = self._store.finish_request(request.request_id, self._clock(), decide)
        if outcome is not None:
            log.info(
                "top-up request finished",
                extra={
                    "requestId": request.request_id,
                    "status": outcome.request.status.value,
                    "detail": outcome.request.message,
                },
            )
        return outcome
