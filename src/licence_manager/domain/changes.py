"""Audit entries for the changes people make in the dashboard: settings, recipients and the seat
requests they submit. Each names the person and says what it was before and after."""

from __future__ import annotations

from datetime import datetime

from licence_manager.domain import audit
from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction, AuditEntry, Source
from licence_manager.domain.channels import LABELS, Channel, masked_url
from licence_manager.domain.model import AuditHead, LicenceKey
from licence_manager.domain.notifications import NotificationType, Recipient
from licence_manager.domain.settings import LicenceSettings, describe
from licence_manager.domain.topup import TopUpRequest

TYPE_LABELS = {
    NotificationType.LOW_LICENCES: "low licences",
    NotificationType.TOP_UP_APPLIED: "top-up applied",
    NotificationType.TOP_UP_FAILED: "top-up failed or blocked",
    NotificationType.PURCHASE_CONFIRMED: "purchase confirmed",
    NotificationType.MONTH_END_REPORT: "month-end report",
}


def customer_key(customer_id: str) -> LicenceKey:
    """The key of a customer's own audit chain (changes not about one SKU)."""
    return LicenceKey(customer_id, CUSTOMER_SCOPE)


def settings_changed(
    head: AuditHead,
    key: LicenceKey,
    at: datetime,
    actor: str,
    before: LicenceSettings,
    after: LicenceSettings,
) -> AuditEntry:
    message = f"Settings saved. Before: {describe(before)} After: {describe(after)}"
    return audit.append(
        head, key, at, AuditAction.SETTINGS_CHANGED, Source.DASHBOARD, actor, message
    )


def describe_recipient(recipient: Recipient) -> str:
    wanted = [label for kind, label in TYPE_LABELS.items() if kind in recipient.wants]
    name = f" ({recipient.name})" if recipient.name else ""
    return f"{recipient.email}{name}: " + (", ".join(wanted) if wanted else "no notifications")


def recipient_changed(
    head: AuditHead,
    customer_id: str,
    at: datetime,
    actor: str,
    before: Recipient | None,
    after: Recipient | None,
) -> AuditEntry:
    if before is None and after is not None:
        action, message = (
            AuditAction.RECIPIENT_ADDED,
            f"Recipient added: {describe_recipient(after)}",
        )
    elif after is None and before is not None:
        action = AuditAction.RECIPIENT_REMOVED
        message = f"Recipient removed: {describe_recipient(before)}"
    elif before is not None and after is not None:
        action = AuditAction.RECIPIENT_CHANGED
        message = (
            f"Recipient changed. Before: {describe_recipient(before)}. "
            f"After: {describe_recipient(after)}"
        )
    else:
        raise ValueError("a recipient change needs a before or an after")
    return audit.append(
        head, customer_key(customer_id), at, action, Source.DASHBOARD, actor, message
    )


def describe_channel(channel: Channel) -> str:
    """Never the URL itself (a secret): its masked form, as the dashboard shows it."""
    wanted = [label for kind, label in TYPE_LABELS.items() if kind in channel.wants]
    where = f"{LABELS[channel.kind]} channel {channel.name} ({masked_url(channel.url)})"
    return f"{where}: " + (", ".join(wanted) if wanted else "no notifications")


def channel_changed(
    head: AuditHead,
    at: datetime,
    actor: str,
    before: Channel | None,
    after: Channel | None,
) -> AuditEntry:
    """An alert channel is a recipient of its own: its changes take the recipient actions, in
    the customer's chain, so the Log's "Account" filter shows both."""
    subject = after or before
    if subject is None:
        raise ValueError("a channel change needs a before or an after")
    if before is None:
        action, message = AuditAction.RECIPIENT_ADDED, f"Added: {describe_channel(subject)}"
    elif after is None:
        action, message = AuditAction.RECIPIENT_REMOVED, f"Removed: {describe_channel(before)}"
    else:
        action = AuditAction.RECIPIENT_CHANGED
        message = f"Changed. Before: {describe_channel(before)}. After: {describe_channel(after)}"
    return audit.append(
        head, customer_key(subject.customer_id), at, action, Source.DASHBOARD, actor, message
    )


def request_submitted(head: AuditHead, request: TopUpRequest, message: str) -> AuditEntry:
    return audit.append(
        head,
        request.key,
        request.created_at,
        AuditAction.TOP_UP_REQUESTED,
        request.source,
        request.requested_by,
        message,
        request.total_before,
        request.total_after,
    )
