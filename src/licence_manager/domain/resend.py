"""Sending an email again that failed or may not have arrived, at a person's request.

The resend is a new notification with its own delivery status, so the list shows both and the
first is never rewritten. Its id is derived from the original's (`{original}-resend-{n}`), and
a request made while the latest resend is still on its way (or went out) answers with that one
instead of creating another: a double click, or a retried request, never sends twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.model import AuditHead, LicenceKey
from licence_manager.domain.notifications import (
    RESENDABLE,
    DeliveryStatus,
    Notification,
    NotificationType,
)

# Enough for a mailbox that was full for a while; beyond it, the address needs fixing first.
MAX_RESENDS = 5

TYPE_WORDS = {
    NotificationType.LOW_LICENCES: "Low licences",
    NotificationType.TOP_UP_APPLIED: "Top-up applied",
    NotificationType.TOP_UP_FAILED: "Top-up failed or blocked",
    NotificationType.PURCHASE_CONFIRMED: "Purchase confirmed",
    NotificationType.MONTH_END_REPORT: "Month-end report",
    NotificationType.APPROVAL_NEEDED: "Waiting for the reseller's approval",
}


class NotResendable(ValueError):
    """The email cannot be sent again (it was delivered, or it has been resent too often)."""


def original_id(notification: Notification) -> str:
    """The first email of a line of resends (itself, if it is not a resend)."""
    return str(notification.facts.get("resendOf") or notification.notification_id)


def resend_id(original: str, number: int) -> str:
    return f"{original}-resend-{number}"


@dataclass(frozen=True, slots=True)
class Resend:
    notification: Notification
    created: bool  # False: an earlier resend is on its way or went out; nothing new is sent


def decide(
    shown: Notification,
    original: Notification,
    earlier: list[Notification],
    by: str,
    at: datetime,
) -> Resend:
    """What resending `shown` (the original or one of its resends) does, given the original's
    resends so far, oldest first."""
    if shown.status not in RESENDABLE:
        raise NotResendable(
            "Only an email that was not delivered, or whose delivery is unconfirmed, can be "
            f"sent again; this one is {shown.status.value.lower().replace('_', ' ')}."
        )
    if earlier and earlier[-1].status not in RESENDABLE:
        return Resend(earlier[-1], created=False)
    if len(earlier) >= MAX_RESENDS:
        raise NotResendable(
            f"This email has been sent again {MAX_RESENDS} times already; check the "
            "recipients' addresses under Recipients first."
        )
    first = original_id(original)
    again = Notification(
        resend_id(first, len(earlier) + 1),
        original.key,
        original.type,
        at,
        {
            **{k: v for k, v in original.facts.items() if k != "resentAs"},
            "resendOf": first,
            "resentBy": by,
        },
        status=DeliveryStatus.PENDING,
    )
    return Resend(again, created=True)


def mark_resent(original: Notification, latest: Notification) -> Notification:
    """The original, pointing at its latest resend: only the latest of a line may be sent again
    (the original's own delivery fields are never touched; it is FAILED or UNCONFIRMED, which no
    sender writes again)."""
    return replace(original, facts={**original.facts, "resentAs": latest.notification_id})


def latest_of(original: Notification) -> str:
    """The id of the newest email of the line `original` starts."""
    return str(original.facts.get("resentAs") or original.notification_id)


def resent_entry(
    head: AuditHead, key: LicenceKey, shown: Notification, again: Notification, by: str
) -> AuditEntry:
    """NOTIFICATION_RESENT, naming who sent it again and the warning they were given."""
    label = TYPE_WORDS.get(again.type, again.type.value)
    why = "was not delivered" if shown.status is DeliveryStatus.FAILED else "may not have arrived"
    message = f'Email "{label}" sent again because it {why}; recipients may receive it twice'

    return audit.append(
        head, key, again.created_at, AuditAction.NOTIFICATION_RESENT, Source.DASHBOARD, by, message
    )
