"""Ports for messages: Pub/Sub between functions, email to people, notifications stored."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field

from licence_manager.domain.email_address import AddressesRefused
from licence_manager.domain.notifications import Notification, Recipient


class Publisher(abc.ABC):
    @abc.abstractmethod
    def publish_top_up(self, request_id: str) -> None: ...

    @abc.abstractmethod
    def publish_notification(self, notification_id: str) -> None: ...

    @abc.abstractmethod
    def publish_month_end_customers(self, month: str, customer_ids: Sequence[str]) -> None:
        """One month-end message per customer (`month` is YYYY-MM); returns once every one
        is acknowledged, and raises if any is not."""

    @abc.abstractmethod
    def publish_month_end_page(self, month: str, after: str) -> None:
        """The month-end planner's next page: the customers after `after`."""

    @abc.abstractmethod
    def publish_holder_sync_customers(self, customer_ids: Sequence[str]) -> None:
        """One holder-sync message per customer; returns once every one is acknowledged, and
        raises if any is not."""

    @abc.abstractmethod
    def publish_holder_sync_page(self, after: str) -> None:
        """The holder-sync planner's next page: the customers after `after`."""

    @abc.abstractmethod
    def publish_audit_verify_customers(self, customer_ids: Sequence[str]) -> None:
        """One audit-check message per customer; returns once every one is acknowledged, and
        raises if any is not."""

    @abc.abstractmethod
    def publish_audit_verify_page(self, after: str) -> None:
        """The audit check's planner's next page: the customers after `after`."""


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class Email:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    reference: str  # our notification id, carried with the email for tracing
    attachments: tuple[Attachment, ...] = field(default=())


class MailRejected(Exception):
    """The provider refused this email for good (a 4xx other than 429): do not retry."""


class RecipientsRejected(MailRejected, AddressesRefused):
    """The provider refused the email because of these recipients, and only because of them:
    it sent nothing, so the email can go to the others."""


class MailDeferred(Exception):
    """Try again later: rate limited or the provider is unavailable."""

    def __init__(self, message: str, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class MailInDoubt(Exception):
    """The email was handed over but no answer came back (a read timeout, a 504): it may have
    been sent. Retrying could send it twice, so it is not retried."""


class Mailer(abc.ABC):
    @abc.abstractmethod
    def send(self, email: Email) -> str:
        """Hand the email over; returns the provider's message id."""


class NotificationStore(abc.ABC):
    @abc.abstractmethod
    def notification(self, notification_id: str) -> Notification | None: ...

    @abc.abstractmethod
    def notifications_of(self, customer_id: str) -> list[Notification]:
        """Newest first."""

    @abc.abstractmethod
    def notifications_unsent(self, limit: int = 500) -> list[Notification]:
        """Notifications not yet delivered or given up on (PENDING, CLAIMED or SENDING), oldest
        first: what the sweeper drives when their message was lost."""

    @abc.abstractmethod
    def notifications_channels_unsent(self, limit: int = 500) -> list[Notification]:
        """Notifications with a channel message still PENDING, CLAIMED or SENDING
        (domain.channels.channels_unsettled), oldest first: handed back after a 429 and left
        there if its Pub/Sub message dead-lettered."""

    @abc.abstractmethod
    def recipients(self, customer_id: str) -> list[Recipient]: ...

    @abc.abstractmethod
    def save_recipient(self, recipient: Recipient) -> None: ...

    @abc.abstractmethod
    def remove_recipient(self, customer_id: str, email: str) -> None: ...
