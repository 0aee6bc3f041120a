"""The generic webhook's signature (docs/webhooks.md is the receiver's contract):

    Licence-Manager-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

The timestamp is signed with the body, so a captured request replayed after the tolerance is
refused, and one replayed within it is caught by the receiver remembering the delivery id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Licence-Manager-Signature"
DELIVERY_HEADER = "Licence-Manager-Delivery"
TOLERANCE_SECONDS = 300
SECRET_PREFIX = "lmsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for this body sent at `timestamp` (Unix seconds)."""
    return f"t={timestamp},v1={_mac(secret, body, timestamp)}"


def verify(
    secret: str, header: str, body: bytes, now: float, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """True if the header signs this body with this secret within `tolerance` seconds of now."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = _mac(secret, body, timestamp)
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))


def _mac(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
