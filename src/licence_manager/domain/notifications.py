"""Notifications: what happened that somebody should be told, and who wants to hear it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from licence_manager.domain.model import LicenceKey


class NotificationType(StrEnum):
    LOW_LICENCES = "low_licences"
    TOP_UP_APPLIED = "top_up_applied"
    TOP_UP_FAILED = "top_up_failed"  # failed, or blocked by a cap
    PURCHASE_CONFIRMED = "purchase_confirmed"
    MONTH_END_REPORT = "month_end_report"


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"  # permanently refused; visible, never retried
    NO_RECIPIENTS = "NO_RECIPIENTS"
    # The sender died after handing the email over and before recording it: it may or may not
    # have gone out. Not resent automatically (no duplicate emails); shown for a person to check.
    UNCONFIRMED = "UNCONFIRMED"


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


@dataclass(frozen=True, slots=True)
class Recipient:
    customer_id: str
    email: str
    name: str = ""
    wants: frozenset[NotificationType] = frozenset(NotificationType)

    @property
    def doc_id(self) -> str:
        return f"{self.customer_id}_{self.email.lower()}"


def recipients_for(recipients: list[Recipient], kind: NotificationType) -> tuple[str, ...]:
    return tuple(sorted({r.email.lower() for r in recipients if kind in r.wants}))
