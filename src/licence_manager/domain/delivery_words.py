"""What customers are told about an email that did not go out (security review #16): our own
words when the reason is ours and they can act on it, generic words otherwise. The provider's
text (SendGrid's error bodies, a timeout's message) stays in the notification document and in
send_alerts' "notification not delivered" log line, for operators."""

from __future__ import annotations

from licence_manager.domain.notifications import DeliveryStatus

# Reasons send_alerts words itself (services/alerts.py): shown as they are.
OWN_REASONS = (
    "nobody has asked for this type of email",
    "SendGrid refuses every recipient's address",
)

GENERIC = {
    DeliveryStatus.FAILED: (
        "The email service refused this email. Check the recipients' addresses, or ask your "
        "account manager: the reason is in Licence Manager's logs."
    ),
    DeliveryStatus.UNCONFIRMED: (
        "We could not confirm that this email was delivered: it may or may not have arrived."
    ),
}
RETRYING = "The email service asked us to wait; the email will be tried again."


def customer_reason(status: DeliveryStatus, error: str | None) -> str | None:
    if not error:
        return None
    if error.startswith(OWN_REASONS):
        return error
    return GENERIC.get(status, RETRYING)
