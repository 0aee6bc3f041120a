"""Security review #16: customers see generic words for a failed email; the provider's text
stays with operators. Our own, actionable reasons are shown as they are."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from licence_manager.api.notification_routes import notification_json
from licence_manager.domain.delivery_words import GENERIC, RETRYING, customer_reason
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import DeliveryStatus, Notification, NotificationType

PROVIDER = "HTTP 400: The from address does not match a verified Sender Identity (id 8a1f...)"


def test_provider_text_becomes_generic_words() -> None:
    failed = customer_reason(DeliveryStatus.FAILED, PROVIDER)
    assert failed == GENERIC[DeliveryStatus.FAILED] and "Sender Identity" not in failed
    unconfirmed = customer_reason(DeliveryStatus.UNCONFIRMED, "read timeout after 30 s")
    assert unconfirmed == GENERIC[DeliveryStatus.UNCONFIRMED]
    assert customer_reason(DeliveryStatus.PENDING, "429 Too Many Requests") == RETRYING
    assert customer_reason(DeliveryStatus.SENT, None) is None


def test_our_own_reasons_are_shown_as_they_are() -> None:
    own = (
        "SendGrid refuses every recipient's address: correct them under Recipients on the "
        "Notifications page"
    )
    assert customer_reason(DeliveryStatus.FAILED, own) == own
    nobody = "nobody has asked for this type of email"
    assert customer_reason(DeliveryStatus.NO_RECIPIENTS, nobody) == nobody


def test_the_notifications_list_never_carries_the_provider_text() -> None:
    n = Notification(
        "C01_1-low-1",
        LicenceKey("C01", "1"),
        NotificationType.LOW_LICENCES,
        datetime(2026, 12, 1, tzinfo=UTC),
        status=DeliveryStatus.FAILED,
        error=PROVIDER,
    )
    shown = notification_json(n, {})
    assert shown["error"] == GENERIC[DeliveryStatus.FAILED]
    assert PROVIDER not in str(shown)
    assert (
        notification_json(replace(n, status=DeliveryStatus.SENT, error=None), {})["error"] is None
    )
