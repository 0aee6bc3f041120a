"""The request sweeper (Cloud Scheduler, every few minutes): no seat-change request is left
waiting for a message that will never come.

Pub/Sub gives up on a message after a few deliveries (dead letter), a process can die while it
holds a claim, and a publish can be lost after its commit. Without a sweeper such a request
blocks its licence's automation, or its SKU's purchases, for ever and silently. The sweeper
publishes every unfinished request again (apply_topup claims each once, so extra copies are
harmless), and gives up on one that has had its chances, with an alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from licence_manager.domain import outcomes, renewal_change, unassign
from licence_manager.domain.notifications import Notification
from licence_manager.domain.spending import APPROVAL_EXPIRY
from licence_manager.domain.topup import RequestKind, RequestStatus, TopUpRequest
from licence_manager.observability import get_logger
from licence_manager.ports import AutomationStore, NotificationStore, Publisher
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork
from licence_manager.services import approvals
from licence_manager.services import request_records as records
from licence_manager.services.sync import Clock, utc_now
from licence_manager.services.topup import DEFAULT_LEASE

log = get_logger(__name__)

# A request this young may still be on its first delivery: leave it to Pub/Sub.
FIRST_DELIVERY_GRACE = timedelta(minutes=2)
# Give up on a request never sent to Google after this many claims, or this long.
MAX_ATTEMPTS = 8
GIVE_UP_AFTER = timedelta(minutes=45)


class SweepAction(StrEnum):
    NONE = "none"  # finished, or being worked on right now
    REPUBLISHED = "republished"  # a request's or an email's message published again
    GAVE_UP = "gave_up"  # failed, with a TOP_UP_FAILED alert
    ALERTED = "alerted"  # sent to Google but unconfirmed: still driven, and an alert went out


@dataclass
class SweepReport:
    seen: int = 0
    actions: dict[str, list[str]] = field(default_factory=dict)

    def add(self, action: SweepAction, request_id: str) -> None:
        if action is not SweepAction.NONE:
            self.actions.setdefault(action.value, []).append(request_id)


@dataclass(frozen=True, slots=True)
class _Swept:
    action: SweepAction
    notification_id: str | None = None


class SweepRequests:
    def __init__(
        self,
        uow: UnitOfWork,
        requests: AutomationStore,
        notifications: NotificationStore,
        publisher: Publisher,
        clock: Clock = utc_now,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self._uow = uow
        self._requests = requests
        self._notifications = notifications
        self._publisher = publisher
        self._clock = clock
        self._lease = lease

    def __call__(self) -> SweepReport:
        report = SweepReport()
        unfinished: Iterable[TopUpRequest] = self._requests.requests_in_progress()
        for request in unfinished:
            report.seen += 1
            now = self._clock()
            request_id = request.request_id
            swept = self._uow.run(
                partial(_sweep, request_id=request_id, now=now, lease=self._lease)
            )
            if swept.action in (SweepAction.REPUBLISHED, SweepAction.ALERTED):
                self._publisher.publish_top_up(request_id)
            if swept.notification_id is not None:
                self._publisher.publish_notification(swept.notification_id)
            report.add(swept.action, request_id)
            _log_action(swept.action, request, "request")
        self._expire_unapproved(report)
        # An email whose message was lost (a crash after its commit, a dead letter) is driven
        # again too; send_alerts claims each once and never resends one that may have gone out.
        # Likewise one whose channel message was handed back after a long 429 (or held by an
        # attempt that stopped) and whose Pub/Sub message then dead-lettered. An UNCONFIRMED
        # channel message is settled (flagged), so never among these: nothing is re-sent.
        now = self._clock()
        unsent = {n.notification_id: n for n in self._notifications.notifications_unsent()}
        for n in self._notifications.notifications_channels_unsent():
            unsent.setdefault(n.notification_id, n)
        for notification in unsent.values():
            if now - notification.created_at >= FIRST_DELIVERY_GRACE:
                self._publisher.publish_notification(notification.notification_id)
                report.add(SweepAction.REPUBLISHED, notification.notification_id)
                _log_action(SweepAction.REPUBLISHED, notification, "notification")
        log.log(
            40 if SweepAction.GAVE_UP.value in report.actions else 20,
            "request sweep finished",
            extra={"event": "sweep.finished", "requestsSeen": report.seen, **report.actions},
        )
        return report

    def _expire_unapproved(self, report: SweepReport) -> None:
        """A request above the spending limit that nobody approved within 7 days fails (it is
        never republished: only approval sends it to apply_topup)."""
        for request in self._requests.requests_awaiting_approval():
            now = self._clock()
            if now - request.created_at < APPROVAL_EXPIRY:
                break  # oldest first: the rest are younger
            days = APPROVAL_EXPIRY.days
            expire = partial(
                approvals.fail,
                request_id=request.request_id,
                at=now,
                reason=f"not approved within {days} days",
            )
            try:
                outcome = self._uow.run(expire)
            except approvals.NotAwaitingApproval:
                continue  # decided meanwhile
            if outcome.notification is not None:
                self._publisher.publish_notification(outcome.notification.notification_id)
            report.add(SweepAction.GAVE_UP, request.request_id)
            _log_action(SweepAction.GAVE_UP, request, "request")


# What a sweep action means for the request, counted with apply_topup's outcomes (metric
# topup_outcomes): given up is a top-up not made; alerted is one sent to Google whose outcome
# nobody could read for GIVE_UP_AFTER.
_TOPUP_OUTCOME = {SweepAction.GAVE_UP: "FAILED", SweepAction.ALERTED: "UNCONFIRMED"}


def _log_action(action: SweepAction, item: TopUpRequest | Notification, what: str) -> None:
    """One record per thing the sweeper did (metric sweeper_actions); nothing for NONE."""
    if action is SweepAction.NONE:
        return
    item_id = item.request_id if isinstance(item, TopUpRequest) else item.notification_id
    fields = {"customerId": item.key.customer_id, "skuId": item.key.sku_id}
    log.log(
        30 if action in _TOPUP_OUTCOME else 20,
        f"sweeper {action.value.replace('_', ' ')} a {what}",
        extra={
            "event": "sweep.action",
            "action": action.value,
            "item": what,
            "id": item_id,
            **fields,
        },
    )
    if isinstance(item, TopUpRequest) and action in _TOPUP_OUTCOME:
        log.warning(
            "top-up request given up" if action is SweepAction.GAVE_UP else "top-up unconfirmed",
            extra={
                "event": "topup.outcome",
                "outcome": _TOPUP_OUTCOME[action],
                "requestId": item.request_id,
                "source": item.source.value,
                "kind": item.kind.value,
                **fields,
            },
        )


def _sweep(tx: Transaction, request_id: str, now: datetime, lease: timedelta) -> _Swept:
    request = tx.requests.get(request_id)
    if request is None or not request.status.in_progress:
        return _Swept(SweepAction.NONE)
    live = (
        request.status is RequestStatus.CLAIMED
        and request.claimed_at is not None
        and now - request.claimed_at < lease
    )
    # Timed from approval for a request that waited for one (created days before).
    age = now - request.cleared_at
    if live or age < FIRST_DELIVERY_GRACE:
        return _Swept(SweepAction.NONE)
    if request.attempts < MAX_ATTEMPTS and age < GIVE_UP_AFTER:
        return _Swept(SweepAction.REPUBLISHED)
    found = records.context(tx, request, now)
    if request.change_sent_at is None:
        # Never sent: nothing was bought, and nothing will be. Say so and free the licence.
        waited = int(age.total_seconds() // 60)
        error = (
            f"gave up after {request.attempts} attempts over {waited} minutes "
            "(Google could not be reached, or the request kept failing)"
        )
        if request.kind is RequestKind.CHANGE_RENEWAL:
            # Nothing was sent, so the renewal type is as it was; the Renewal page says why.
            outcome = renewal_change.renewal_not_changed(found, now, error, RequestStatus.FAILED)
        elif request.kind is RequestKind.UNASSIGN:
            # Nothing was sent, so the user keeps the seat; the Reclaim page says why.
            outcome = unassign.not_unassigned(found, now, error)
        else:
            outcome = outcomes.failed(found, now, error=error)
        records.write(tx, outcome)
        notification = outcome.notification
        return _Swept(SweepAction.GAVE_UP, notification.notification_id if notification else None)
    # Sent, so Google may have made the change: it is driven until an attempt can tell, never
    # given up; the admin hears once that it is taking long. A renewal change is told apart
    # by the type Google shows, so its next attempt settles it without an alert.
    if request.kind in (RequestKind.CHANGE_RENEWAL, RequestKind.UNASSIGN):
        # Likewise an unassign, by whether Google still shows the assignment.
        return _Swept(SweepAction.REPUBLISHED)
    alert = outcomes.unconfirmed_alert(found, now)
    if tx.notifications.get(alert.notification_id) is not None:
        return _Swept(SweepAction.REPUBLISHED)
    tx.notifications.create(alert.notification_id, alert)
    return _Swept(SweepAction.ALERTED, alert.notification_id)
