"""Email addresses as SendGrid compares them. Which addresses SendGrid accepts is the production
core's rule (`licence_manager.domain.email_address`), so the dashboard and this stand-in cannot
disagree about it."""

from __future__ import annotations

from licence_manager.domain.email_address import MAX_EMAIL_LENGTH, is_valid_email

__all__ = ["MAX_EMAIL_LENGTH", "is_valid_email", "normalise"]


def normalise(email: str) -> str:
    """The form SendGrid compares when it looks for duplicate recipients."""
    return email.strip().lower()
