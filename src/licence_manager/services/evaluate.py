"""evaluate_thresholds' use case: re-evaluate one licence against its settings."""

from __future__ import annotations

from licence_manager.domain.automation import AutomationState, Evaluation, evaluate
from licence_manager.domain.model import AuditHead, Licence, LicenceKey
from licence_manager.domain.notifications import DeliveryStatus
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import RequestStatus
from licence_manager.observability import get_logger
from licence_manager.ports import AutomationStore, NotificationStore, Publisher
from licence_manager.services.sync import Clock, utc_now

log = get_logger(__name__)


class EvaluateLicence:
    def __init__(
        self,
        store: AutomationStore,
        notifications: NotificationStore,
        publisher: Publisher,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._notifications = notifications
        self._publisher = publisher
        self._clock = clock

    def __call__(self, key: LicenceKey) -> Evaluation | None:
        now = self._clock()
        republish: list[str] = []

        def decide(
            licence: Licence | None,
            settings: LicenceSettings,
            state: AutomationState,
            head: AuditHead,
            pending_status: RequestStatus | None,
        ) -> Evaluation | None:
            republish.clear()  # the transaction may run this more than once
            if licence is None:
                return None
            if pending_status is RequestStatus.PENDING and state.pending_request_id:
                # Created by an evaluation whose publish may have been lost: publishing again is
                # harmless (apply_topup claims each request once).
                republish.append(state.pending_request_id)
            return evaluate(licence, settings, state, head, now)

        evaluation = self._store.evaluate(key, decide)
        if evaluation is None:
            return None
        # Published after the commit: a crash in between is redelivered by Eventarc, and the
        # next evaluation publishes the still-pending request again (above).
        if evaluation.new_request is not None:
            self._publisher.publish_top_up(evaluation.new_request.request_id)
        for request_id in republish:
            self._publisher.publish_top_up(request_id)
        new = {n.notification_id for n in evaluation.new_notifications}
        for notification_id in sorted(new):
            self._publisher.publish_notification(notification_id)
        for notification_id in evaluation.state.alert_ids(key.doc_id):
            if notification_id not in new:
                republish_if_unsent(self._notifications, self._publisher, notification_id)
        if evaluation.new_request or evaluation.new_notifications:
            log.info(
                "licence evaluated",
                extra={
                    "licence": key.doc_id,
                    "topUpRequest": evaluation.new_request.request_id
                    if evaluation.new_request
                    else None,
                    "notifications": [n.notification_id for n in evaluation.new_notifications],
                },
            )
        return evaluation


def republish_if_unsent(
    notifications: NotificationStore, publisher: Publisher, notification_id: str
) -> None:
    """A notification still PENDING may have lost its message to a crash after the commit that
    created it; publishing again is harmless (send_alerts claims each notification once)."""
    notification = notifications.notification(notification_id)
    if notification is not None and notification.status is DeliveryStatus.PENDING:
        publisher.publish_notification(notification_id)
