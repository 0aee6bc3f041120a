"""apply_topup's branch for RequestKind.UNASSIGN: remove one add-on seat from its holder through
the Licensing API, exactly once, with the same claim, fresh read, mark-as-sent and fenced record
as every change at Google (services.topup, services.request_records).

The assignment itself is the evidence (domain.topup.compare_unassign): a fresh
licenseAssignments.get that answers 404 means the seat is gone, whoever removed it, and nothing
is sent. So a duplicate delivery, or a redelivery after a crash between the delete and the
record, reads 404 and records the outcome without a second delete. A delete that answers 404
(our own earlier try landed and its answer was lost, or someone removed it meanwhile) goes back
to the fresh read, which decides the same way."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from licence_manager.domain import unassign
from licence_manager.domain.outcomes import TopUpOutcome
from licence_manager.domain.topup import RequestStatus, SeatCheck, TopUpRequest, compare_unassign
from licence_manager.ports import SourceError
from licence_manager.ports.holders import AdminApiAccessDenied, LicenceAssignments
from licence_manager.services.errors import RetryLater
from licence_manager.services.request_records import Attempt, Decide
from licence_manager.services.sync import Clock

# Google refuses these for good: record the failure, do not retry (as services.topup).
PERMANENT_STATUSES = {400, 403, 409, 412}
AUTO_LICENSED = 412  # conditionNotMet: "Auto License un-assignment is not allowed."
MAX_REREADS = 3

Finish = Callable[[Attempt, Decide], TopUpOutcome | None]
MarkSent = Callable[[Attempt, None], TopUpRequest | TopUpOutcome | None]

CLOSED_WORDS = (
    "the customer's Google Admin APIs refuse the reseller (access switched off, or not "
    "delegated): their admin can remove the licence in the Admin console"
)


class UnassignSeat:
    def __init__(
        self, licences: LicenceAssignments, clock: Clock, finish: Finish, mark_sent: MarkSent
    ) -> None:
        self._licences = licences
        self._clock = clock
        self._finish = finish
        self._mark_sent = mark_sent

    def __call__(self, attempt: Attempt, request: TopUpRequest) -> TopUpOutcome | None:
        product, sku, user = request.product_id, request.key.sku_id, request.user_email
        for _ in range(MAX_REREADS):
            try:
                holds = self._licences.holds(product, sku, user)
            except SourceError as error:
                return self._refused(attempt, error, request)
            now = self._clock()
            if compare_unassign(request, holds) is SeatCheck.ALREADY_APPLIED:
                return self._finish(attempt, partial(unassign.unassigned, at=now, sent=False))
            marked = self._mark_sent(attempt, None)
            if not isinstance(marked, TopUpRequest):
                return marked
            request = marked
            try:
                self._licences.unassign(product, sku, user, attempt.send_until)
            except SourceError as error:
                if error.status == 404:
                    continue  # gone: ours whose answer was lost, or someone else's; re-read
                if error.status == AUTO_LICENSED:
                    return self._failed(attempt, unassign.AUTO_LICENSED_REASON)
                if error.status in PERMANENT_STATUSES and (
                    attempt.sent_before or error.may_have_applied
                ):
                    continue  # an earlier try may have landed: the fresh read decides
                return self._refused(attempt, error, request)
            done_at = self._clock()
            return self._finish(attempt, partial(unassign.unassigned, at=done_at, sent=True))
        raise RetryLater(f"the assignment kept changing under request {request.request_id}")

    def _refused(
        self, attempt: Attempt, error: SourceError, request: TopUpRequest
    ) -> TopUpOutcome | None:
        if isinstance(error, AdminApiAccessDenied):
            return self._failed(attempt, CLOSED_WORDS)
        if error.status in PERMANENT_STATUSES:
            return self._failed(attempt, str(error))
        raise RetryLater(f"Licensing API unavailable for {request.request_id}: {error}") from error

    def _failed(self, attempt: Attempt, reason: str) -> TopUpOutcome | None:
        now = self._clock()
        decide = partial(
            unassign.not_unassigned, at=now, reason=reason, status=RequestStatus.FAILED
        )
        return self._finish(attempt, decide)
