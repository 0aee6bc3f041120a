"""SendGrid's Event Webhook, after its signature is checked (api.email_event_routes): each
notification's recipients' outcomes and status in one unit of work, and bouncing addresses
flagged for the Notifications page. Applying a batch twice changes nothing."""

from __future__ import annotations

from functools import partial

from licence_manager.domain.email_events import EmailEvent, apply_events
from licence_manager.domain.notifications import Notification
from licence_manager.observability import get_logger
from licence_manager.ports.email_feedback import Bounce, BounceStore
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork

log = get_logger(__name__)


class RecordEmailEvents:
    def __init__(self, uow: UnitOfWork, bounces: BounceStore) -> None:
        self._uow = uow
        self._bounces = bounces

    def __call__(self, events: list[EmailEvent]) -> int:
        """Returns how many notifications the events were about (known ones)."""
        by_notification: dict[str, list[EmailEvent]] = {}
        for event in events:
            by_notification.setdefault(event.notification_id, []).append(event)
        known = 0
        for notification_id, about in sorted(by_notification.items()):
            updated = self._uow.run(partial(_apply, notification_id=notification_id, events=about))
            if updated is None:
                continue
            known += 1
            customer = updated.key.customer_id
            addressed = {r.lower() for r in updated.recipients}
            for event in about:
                if event.email not in addressed:
                    continue  # not an address this email went to: nothing to flag
                if event.event == "delivered":
                    self._bounces.delivered(customer, event.email, event.at)
                else:
                    self._bounces.record(
                        Bounce(
                            customer,
                            event.email,
                            event.event,
                            event.at,
                            event.reason,
                            notification_id,
                        )
                    )
            # Counts, not addresses (security review #16).
            log.info(
                "email events recorded",
                extra={
                    "notificationId": notification_id,
                    "events": len(about),
                    "status": updated.status.value,
                },
            )
        return known


def _apply(tx: Transaction, notification_id: str, events: list[EmailEvent]) -> Notification | None:
    notification = tx.notifications.get(notification_id)
    if notification is None:
        return None
    updated = apply_events(notification, events)
    if updated != notification:
        tx.notifications.put(notification_id, updated)
    return updated
