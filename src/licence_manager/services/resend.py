"""Resending an email from the Notifications page: one unit of work creates the new notification
and its NOTIFICATION_RESENT audit entry together; it is then published like every other
notification, so send_alerts delivers it (and the sweeper republishes it if the publish is
lost)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from licence_manager.domain import changes, resend
from licence_manager.domain.notifications import Notification
from licence_manager.ports import Publisher
from licence_manager.ports.unit_of_work import AlreadyExists, Transaction, UnitOfWork
from licence_manager.services.outbox import republish_if_unsent
from licence_manager.services.sync import Clock, utc_now


class NotificationNotFound(LookupError):
    """No such notification for this customer."""


class ResendNotification:
    def __init__(self, uow: UnitOfWork, publisher: Publisher, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._publisher = publisher
        self._clock = clock

    def __call__(self, customer_id: str, notification_id: str, by: str) -> resend.Resend:
        """Send the email again (raises NotificationNotFound or resend.NotResendable)."""
        work = partial(_resend, customer_id=customer_id, notification_id=notification_id, by=by)
        try:
            done = self._uow.run(partial(work, at=self._clock()))
        except AlreadyExists:
            # Another request created the same resend first: this one answers with it.
            done = self._uow.run(partial(work, at=self._clock()))
        # Also when it existed already: a resend whose publish was lost goes out now.
        republish_if_unsent(self._uow, self._publisher, done.notification.notification_id)
        return done


def _resend(
    tx: Transaction, customer_id: str, notification_id: str, by: str, at: datetime
) -> resend.Resend:
    shown = tx.notifications.get(notification_id)
    if shown is None or shown.key.customer_id != customer_id:
        raise NotificationNotFound(notification_id)
    first = resend.original_id(shown)
    original = tx.notifications.get(first) or shown
    earlier: list[Notification] = []
    # Resends are numbered densely from 1: read them until the first gap (at most MAX_RESENDS).
    while len(earlier) <= resend.MAX_RESENDS:
        found = tx.notifications.get(resend.resend_id(first, len(earlier) + 1))
        if found is None:
            break
        earlier.append(found)
    done = resend.decide(shown, original, earlier, by, at)
    if not done.created:
        return done
    # A licence's emails are logged in its own history; others (the month-end report) with
    # the account's changes.
    key = original.key if tx.licences.get(original.key) else changes.customer_key(customer_id)
    entry = resend.resent_entry(tx.head_of(key), key, shown, done.notification, by)
    tx.notifications.create(done.notification.notification_id, done.notification)
    if original.notification_id == first:  # not when the original is gone
        tx.notifications.put(first, resend.mark_resent(original, done.notification))
    tx.append_audit((entry,), entry.head)
    return done
