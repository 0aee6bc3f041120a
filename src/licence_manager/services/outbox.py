"""Messages are published after the transaction that created their subject commits; a process
that dies in between loses the message. Whoever next sees the subject still unsent publishes it
again: extra copies are harmless (each consumer claims its subject once)."""

from __future__ import annotations

from licence_manager.domain.notifications import DeliveryStatus, Notification
from licence_manager.ports import NotificationStore, Publisher
from licence_manager.ports.unit_of_work import UnitOfWork


def republish_if_unsent(
    source: UnitOfWork | NotificationStore, publisher: Publisher, notification_id: str
) -> None:
    """Publish the notification again if it is still PENDING."""
    notification: Notification | None
    if isinstance(source, UnitOfWork):
        notification = source.run(lambda tx: tx.notifications.get(notification_id))
    else:
        notification = source.notification(notification_id)
    if notification is not None and notification.status is DeliveryStatus.PENDING:
        publisher.publish_notification(notification_id)
