"""send_alerts' use case: deliver one notification by email, once.

Delivery states: PENDING → CLAIMED (preparing) → SENDING (handing to SendGrid) → SENT | FAILED.
A claim whose attempt died before SENDING is taken over; one that died during SENDING may or
may not have gone out and is marked UNCONFIRMED for a person, never resent blindly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from functools import partial

from licence_manager.domain.email_address import AddressesRefused, is_valid_email
from licence_manager.domain.emails import render
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationClaim,
    NotificationType,
    recipients_for,
)
from licence_manager.observability import get_logger
from licence_manager.ports import (
    Attachment,
    Email,
    MailDeferred,
    Mailer,
    MailInDoubt,
    MailRejected,
    NotificationStore,
)
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.services import notification_records as records
from licence_manager.services.errors import RetryLater
from licence_manager.services.sync import Clock, utc_now

log = get_logger(__name__)

_ALL_REFUSED = (
    "SendGrid refuses every recipient's address: correct them under Recipients on the "
    "Notifications page"
)


class SendNotification:
    def __init__(
        self,
        store: NotificationStore,
        uow: UnitOfWork,
        mailer: Mailer,
        dashboard_url: str,
        clock: Clock = utc_now,
        lease: timedelta = timedelta(minutes=2),
        sleep: Callable[[float], None] = time.sleep,
        max_wait_seconds: float = 30.0,
        attempts_per_delivery: int = 3,
        reseller_ops_email: str = "",
    ) -> None:
        self._store = store
        self._uow = uow
        self._mailer = mailer
        self._dashboard_url = dashboard_url
        self._clock = clock
        self._lease = lease
        self._sleep = sleep
        self._max_wait = max_wait_seconds
        self._attempts = attempts_per_delivery
        self._ops_email = reseller_ops_email.strip().lower()

    def __call__(self, notification_id: str) -> Notification | None:
        now = self._clock()
        claim, notification = self._uow.run(
            partial(records.take, notification_id=notification_id, now=now, lease=self._lease)
        )
        if notification is None:
            log.error("unknown notification dropped", extra={"notificationId": notification_id})
            return None
        if claim is NotificationClaim.DONE:
            return notification
        if claim is NotificationClaim.IN_DOUBT:
            details = {
                "event": "notification.outcome",
                "outcome": DeliveryStatus.UNCONFIRMED.value,
                "notificationId": notification_id,
                "notificationType": notification.type.value,
                "customerId": notification.key.customer_id,
                "error": notification.error,
            }
            log.error("email may not have been delivered", extra=details)
            return notification
        if claim is NotificationClaim.BUSY:
            raise RetryLater(f"notification {notification_id} is being sent right now")
        return self._deliver(notification)

    def _deliver(self, notification: Notification) -> Notification:
        customer_id = notification.key.customer_id
        recipients = recipients_for(self._store.recipients(customer_id), notification.type)
        if notification.type is NotificationType.APPROVAL_NEEDED and self._ops_email:
            # Reseller ops decide, so they hear of it whatever the customer's preferences.
            recipients = tuple(sorted({*recipients, self._ops_email}))
        if not recipients:
            return self._record(
                notification,
                DeliveryStatus.NO_RECIPIENTS,
                error="nobody has asked for this type of email",
            )
        # SendGrid refuses the whole email for one bad address: never hand one over.
        refused = tuple(r for r in recipients if not is_valid_email(r))
        deliverable = tuple(r for r in recipients if r not in refused)
        sending = replace(
            notification,
            status=DeliveryStatus.SENDING,
            recipients=deliverable,
            refused_recipients=refused,
        )
        if not deliverable:
            return self._record(sending, DeliveryStatus.FAILED, error=_ALL_REFUSED)
        rendered = render(notification, self._dashboard_url)
        email = Email(
            deliverable,
            rendered.subject,
            rendered.text,
            rendered.html,
            reference=notification.notification_id,
            attachments=attachments_of(notification),
        )
        if not self._held(sending):
            return sending  # taken over while preparing: the other attempt sends it
        dropped_once = False
        attempt = 0
        while True:
            attempt += 1
            try:
                message_id = self._mailer.send(email)
            except MailRejected as error:
                named = error.addresses if isinstance(error, AddressesRefused) else ()
                others = tuple(r for r in email.to if r not in named)
                if named:
                    sending = replace(
                        sending,
                        recipients=others,
                        refused_recipients=tuple(sorted({*sending.refused_recipients, *named})),
                    )
                # A refusal sends nothing, so the others can be sent to; once, so a provider
                # refusing each address in turn cannot keep us retrying.
                if named and others and not dropped_once:
                    dropped_once = True
                    attempt -= 1
                    email = replace(email, to=others)
                    if not self._held(sending):
                        return sending
                    continue
                reason = _ALL_REFUSED if named and not others else str(error)
                return self._record(sending, DeliveryStatus.FAILED, error=reason)
            except MailInDoubt as error:
                return self._record(sending, DeliveryStatus.UNCONFIRMED, error=str(error))
            except MailDeferred as error:
                wait = error.retry_after_seconds
                if attempt >= self._attempts or (wait is not None and wait > self._max_wait):
                    # Nothing went out: hand it back and let Pub/Sub redeliver later.
                    self._held(
                        replace(
                            sending,
                            status=DeliveryStatus.PENDING,
                            claimed_at=None,
                            error=str(error),
                        )
                    )
                    raise RetryLater(f"SendGrid deferred the email: {error}") from error
                self._sleep(wait if wait is not None else min(2.0**attempt, self._max_wait))
                continue
            return self._record(sending, DeliveryStatus.SENT, provider_message_id=message_id)

    def _record(
        self, notification: Notification, status: DeliveryStatus, **changes: str | None
    ) -> Notification:
        done = replace(notification, status=status, sent_at=self._clock(), **changes)  # type: ignore[arg-type]
        if not self._held(done):
            return done
        # Counts, not addresses: the notification holds who it went to, logs keep no personal
        # data (security review #16).
        log.info(
            "notification delivered"
            if status is DeliveryStatus.SENT
            else "notification not delivered",
            extra={
                "event": "notification.outcome",
                "outcome": status.value,
                "notificationId": done.notification_id,
                "notificationType": done.type.value,
                "customerId": done.key.customer_id,
                "status": status.value,
                "recipients": len(done.recipients),
                "refusedRecipients": len(done.refused_recipients),
                "error": done.error,
            },
        )
        return done

    def _held(self, notification: Notification) -> bool:
        """Write the attempt's new state if it still holds the email (see
        services.notification_records); False if another attempt has taken over."""
        held = self._uow.run(partial(records.write_if_held, notification=notification))
        if not held:
            log.warning(
                "email attempt lost its claim; another attempt has it",
                extra={"notificationId": notification.notification_id},
            )
        return held


def attachments_of(notification: Notification) -> tuple[Attachment, ...]:
    """The month-end report carries its CSV, stored with the notification when it was made."""
    csv_text = notification.facts.get("attachmentCsv")
    if not isinstance(csv_text, str):
        return ()
    month = notification.facts.get("month", "report")
    return (Attachment(f"licence-additions-{month}.csv", csv_text.encode(), "text/csv"),)
