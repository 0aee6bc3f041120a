"""The stand-in's Event Webhook: SendGrid posts batches of events (a JSON array) to the
configured URL, signed with ECDSA P-256 over `timestamp + body` (SHA-256), the signature in
X-Twilio-Email-Event-Webhook-Signature as base64 DER and the timestamp beside it; the
verification key is the base64 DER SubjectPublicKeyInfo SendGrid shows in Mail Settings."""

from __future__ import annotations

import base64
import json
import time
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"


class EventSigner:
    def __init__(self, private_pem: bytes | None = None) -> None:
        key = (
            serialization.load_pem_private_key(private_pem, None)
            if private_pem
            else ec.generate_private_key(ec.SECP256R1())
        )
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the Event Webhook is signed with an EC (P-256) key")
        self._key: ec.EllipticCurvePrivateKey = key

    @property
    def private_pem(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_key(self) -> str:
        """As SendGrid shows it: base64 DER, no PEM lines."""
        der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            SIGNATURE: base64.b64encode(signature).decode(),
            TIMESTAMP: stamp,
            "Content-Type": "application/json",
        }


def event(
    kind: str,
    email: str,
    message_id: str,
    custom_args: Mapping[str, str],
    timestamp: int | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """One event as SendGrid posts it: custom args are top-level fields."""
    body: dict[str, Any] = {
        "email": email,
        "event": kind,
        "timestamp": int(time.time()) if timestamp is None else timestamp,
        "sg_event_id": uuid.uuid4().hex,
        "sg_message_id": f"{message_id}.filter0001",
        **custom_args,
    }
    if reason:
        body["reason"] = reason
    return body


def post_events(url: str, signer: EventSigner, events: Sequence[Mapping[str, Any]]) -> int:
    body = json.dumps(list(events)).encode()
    request = urllib.request.Request(url, data=body, headers=signer.headers(body), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)
