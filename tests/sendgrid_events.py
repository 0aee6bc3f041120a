"""Signing SendGrid Event Webhook batches as SendGrid does (ECDSA P-256, SHA-256 over the
timestamp then the body, the signature base64 DER), for the api tests and the stand-in."""

from __future__ import annotations

from licence_manager_local.sendgrid_standin.events import EventSigner

__all__ = ["EventSigner"]
