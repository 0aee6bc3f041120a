"""Reseller ops approve or decline requests above a customer's spending limit.

Approving makes the request PENDING and publishes it: apply_topup then carries it out through
the usual claim and compare-and-set, so seats that changed while it waited supersede it, as for
any request. Declining, or the sweeper finding it unapproved after 7 days, fails it with the
usual TOP_UP_FAILED email; nothing is bought.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import partial

from licence_manager.domain import audit, outcomes
from licence_manager.domain.audit import AuditAction
from licence_manager.domain.outcomes import TopUpOutcome
from licence_manager.domain.topup import RequestStatus, TopUpRequest
from licence_manager.ports import Publisher
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork
from licence_manager.services import request_records as records
from licence_manager.services.sync import Clock, utc_now


class NoSuchRequest(LookupError):
    pass


class NotAwaitingApproval(ValueError):
    """Decided already (by someone else, or the sweeper): the message says what it is now."""


class DecideApproval:
    def __init__(self, uow: UnitOfWork, publisher: Publisher, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._publisher = publisher
        self._clock = clock

    def __call__(self, request_id: str, approve: bool, by: str, note: str = "") -> TopUpRequest:
        now = self._clock()
        if approve:
            approved = self._uow.run(partial(_approve, request_id=request_id, by=by, at=now))
            self._publisher.publish_top_up(request_id)
            return approved
        reason = f"declined by the reseller ({by})" + (f": {note}" if note else "")
        outcome = self._uow.run(partial(fail, request_id=request_id, at=now, reason=reason))
        if outcome.notification is not None:
            self._publisher.publish_notification(outcome.notification.notification_id)
        return outcome.request


def _awaiting(tx: Transaction, request_id: str) -> TopUpRequest:
    request = tx.requests.get(request_id)
    if request is None:
        raise NoSuchRequest(request_id)
    if request.status is not RequestStatus.AWAITING_APPROVAL:
        raise NotAwaitingApproval(f"The request is {request.status.value}, not awaiting approval.")
    return request


def _approve(tx: Transaction, request_id: str, by: str, at: datetime) -> TopUpRequest:
    request = _awaiting(tx, request_id)
    head = tx.head_of(request.key)
    # created_at stays: it is when the admin asked, and what the month's spending counts by.
    # approved_at restarts the sweeper's clock (TopUpRequest.cleared_at). domain.buying's
    # 15-minute expiry is for automatic requests only, so it cannot refuse this one.
    approved = replace(
        request, status=RequestStatus.PENDING, approved_by=by, approved_at=at, message=""
    )
    entry = audit.append(
        head,
        request.key,
        at,
        AuditAction.TOP_UP_APPROVED,
        request.source,
        by,
        f"{by} approved the request of {request.requested_by} above the spending limit",
        request.total_before,
        request.total_after,
        plan_name=request.plan_name,
    )
    tx.requests.put(request_id, approved)
    tx.append_audit((entry,), entry.head)
    return approved


def fail(tx: Transaction, request_id: str, at: datetime, reason: str) -> TopUpOutcome:
    """Fail a request still awaiting approval: its TOP_UP_FAILED audit entry and email say
    `reason`. Raises NotAwaitingApproval if it was decided meanwhile."""
    request = _awaiting(tx, request_id)
    found = records.context(tx, request, at)
    outcome = outcomes.failed(found, at, error=f"nothing was bought: {reason}")
    records.write(tx, outcome)
    return outcome
