"""Posting to Google Chat, Slack and generic webhooks over HTTPS.

The standard library's client, not requests/urllib3: those log each request line (the URL's key
and token included) at DEBUG and put the URL into their exceptions' text, and a channel URL is a
secret. Errors raised here name the channel's kind and the status, never the URL.

Which failures are ambiguous (research/google-apis.md §5): a 429 or a refused connection posted
nothing (deferred); a timeout, a connection dropped after the request was written, or a 5xx may
have posted it (in doubt). Chat's `requestId` is not sent: whether the webhook URL honours it is
unverified, so it cannot be what makes a retry safe.
"""

from __future__ import annotations

import http.client
import socket
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from licence_manager.domain.channels import LABELS, Channel, ChannelKind
from licence_manager.domain.webhook_signature import DELIVERY_HEADER, SIGNATURE_HEADER, sign
from licence_manager.ports.channels import ChannelSender, PostDeferred, PostInDoubt, PostRejected

# A thread key with this option starts the thread if it does not exist yet.
CHAT_REPLY_OPTION = "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"


class WebhookSender(ChannelSender):
    def __init__(self, timeout: float = 10.0, clock: Callable[[], float] = time.time) -> None:
        self._timeout = timeout
        self._clock = clock

    def post(self, channel: Channel, body: bytes, thread_key: str = "") -> None:
        parts = urlsplit(channel.url)
        query = parts.query
        if channel.kind is ChannelKind.GOOGLE_CHAT and thread_key:
            option = urlencode({"messageReplyOption": CHAT_REPLY_OPTION})
            query = f"{query}&{option}" if query else option
        target = (parts.path or "/") + (f"?{query}" if query else "")
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        if channel.kind is ChannelKind.WEBHOOK:
            headers[SIGNATURE_HEADER] = sign(channel.signing_secret, body, int(self._clock()))
            headers[DELIVERY_HEADER] = str(uuid.uuid4())
        label = LABELS[channel.kind]
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname or "", parts.port, timeout=self._timeout)
        try:
            try:
                connection.request("POST", target, body=body, headers=headers)
            except (ConnectionRefusedError, socket.gaierror) as error:
                raise PostDeferred(f"{label} unreachable ({type(error).__name__})") from None
            except OSError as error:
                # Failed while writing the request: part may have reached the server.
                raise PostInDoubt(f"{label}: {type(error).__name__} while posting") from None
            try:
                response = connection.getresponse()
                status = response.status
                retry_after = response.getheader("Retry-After")
                detail = response.read(200).decode(errors="replace").strip()
            except (TimeoutError, OSError, http.client.HTTPException) as error:
                raise PostInDoubt(
                    f"{label} gave no answer ({type(error).__name__}); it may have been posted"
                ) from None
        finally:
            connection.close()
        if 200 <= status < 300:
            return
        if status == 429:
            raise PostDeferred(f"{label} rate limited (429)", _seconds(retry_after))
        if status >= 500:
            raise PostInDoubt(f"{label} answered {status}; it may have been posted")
        raise PostRejected(f"{label} refused the message ({status} {_safe(detail)})")


def _seconds(retry_after: str | None) -> float | None:
    try:
        return max(float(retry_after or ""), 0.0)
    except ValueError:
        return None


def _safe(detail: str) -> str:
    # Slack answers a plain code ("no_service", "channel_is_archived"); keep only such words.
    return "".join(c for c in detail[:60] if c.isalnum() or c in "_- ")
