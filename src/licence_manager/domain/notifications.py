"""Notifications: what happened that somebody should be told, and who wants to hear it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from licence_manager.domain.model import LicenceKey

if TYPE_CHECKING:
    from licence_manager.domain.channels import ChannelDelivery
    from licence_manager.domain.email_events import RecipientOutcome


class NotificationType(StrEnum):
    LOW_LICENCES = "low_licences"
    TOP_UP_APPLIED = "top_up_applied"
    TOP_UP_FAILED = "top_up_failed"  # failed, or blocked by a cap
    PURCHASE_CONFIRMED = "purchase_confirmed"
    MONTH_END_REPORT = "month_end_report"
    # A manual addition or purchase above the spending limit waits for reseller ops; it also
    # goes to the reseller's ops address, who decide.
    APPROVAL_NEEDED = "approval_needed"
    # An annual plan renews in 90, 30 or 7 days: the recommended seats and any warning
    # (domain.renewal).
    RENEWAL_REMINDER = "renewal_reminder"
    # The anomaly guard paused a SKU's automatic top-ups: why, and how to resume them.
    TOP_UPS_PAUSED = "top_ups_paused"
    # A trial ends in 7 days, or has ended (domain.subscription_events).
    TRIAL_ENDING = "trial_ending"
    # A subscription was suspended, cancelled or transferred away (domain.subscription_events).
    SUBSCRIPTION_STATUS = "subscription_status"


# A type with no preference of its own goes to those who want this one: a request held for
# approval is, for the admin, a purchase blocked for now.
PREFERENCE_OF = {NotificationType.APPROVAL_NEEDED: NotificationType.TOP_UP_FAILED}
# The types a recipient chooses between (one flat field each in `recipients`).
PREFERENCES = frozenset(kind for kind in NotificationType if kind not in PREFERENCE_OF)


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    CLAIMED = "CLAIMED"  # an attempt is preparing it; nothing handed to SendGrid yet
    SENDING = "SENDING"  # being handed to SendGrid now
    SENT = "SENT"
    FAILED = "FAILED"  # permanently refused; visible, never retried
    NO_RECIPIENTS = "NO_RECIPIENTS"
    # The sender died after handing the email over and before recording it: it may or may not
    # have gone out. Not resent automatically (no duplicate emails); shown for a person to check.
    UNCONFIRMED = "UNCONFIRMED"
    # From SendGrid's Event Webhook (domain.email_events): every recipient's mailbox took it;
    # or some address bounced, was dropped or reported it as spam.
    DELIVERED = "DELIVERED"
    BOUNCED = "BOUNCED"


# What "show problems only" lists: nobody got the email, or nobody knows whether they did.
PROBLEMS = frozenset(
    {
        DeliveryStatus.FAILED,
        DeliveryStatus.UNCONFIRMED,
        DeliveryStatus.NO_RECIPIENTS,
        DeliveryStatus.BOUNCED,
    }
)
# What a person may send again from its row (see domain.resend); a NO_RECIPIENTS email would
# go to nobody again until someone asks for its type.
RESENDABLE = frozenset({DeliveryStatus.FAILED, DeliveryStatus.UNCONFIRMED})


@dataclass(frozen=True, slots=True)
class Notification:
    notification_id: str
    key: LicenceKey
    type: NotificationType
    created_at: datetime
    facts: dict[str, str | int | float | None] = field(default_factory=dict)
    status: DeliveryStatus = DeliveryStatus.PENDING
    recipients: tuple[str, ...] = ()
    attempts: int = 0
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    provider_message_id: str | None = None
    error: str | None = None
    # Addresses SendGrid refuses, left out so the others still get the email; the admin fixes
    # them on the Notifications page.
    refused_recipients: tuple[str, ...] = ()
    # Its messages to alert channels (Chat, Slack, webhooks), one each (domain.channels).
    channel_deliveries: tuple[ChannelDelivery, ...] = ()
    # What SendGrid's events said of each address (domain.email_events).
    recipient_outcomes: tuple[RecipientOutcome, ...] = ()


@dataclass(frozen=True, slots=True)
class Recipient:
    customer_id: str
    email: str
    name: str = ""
    wants: frozenset[NotificationType] = PREFERENCES

    @property
    def doc_id(self) -> str:
        return f"{self.customer_id}_{self.email.lower()}"


def recipients_for(recipients: list[Recipient], kind: NotificationType) -> tuple[str, ...]:
    wanted = PREFERENCE_OF.get(kind, kind)
    return tuple(sorted({r.email.lower() for r in recipients if wanted in r.wants}))


class NotificationClaim(StrEnum):
    CLAIMED = "claimed"
    DONE = "done"
    BUSY = "busy"
    IN_DOUBT = "in_doubt"  # a sender died while handing it over: flag it, never resend blindly


def take_notification(
    notification: Notification, now: datetime, lease: timedelta
) -> tuple[NotificationClaim, Notification]:
    status = notification.status
    live = notification.claimed_at is not None and now - notification.claimed_at < lease
    if status not in (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.CLAIMED):
        return NotificationClaim.DONE, notification
    if status is DeliveryStatus.SENDING and not live:
        return NotificationClaim.IN_DOUBT, replace(
            notification,
            status=DeliveryStatus.UNCONFIRMED,
            error="the sender stopped while handing this email to SendGrid; it may not have "
            "been delivered",
        )
    if status is not DeliveryStatus.PENDING and live:
        return NotificationClaim.BUSY, notification
    # PENDING, or CLAIMED by an attempt that died before it started sending: safe to take.
    claimed = replace(
        notification,
        status=DeliveryStatus.CLAIMED,
        claimed_at=now,
        attempts=notification.attempts + 1,
    )
    return NotificationClaim.CLAIMED, claimed
