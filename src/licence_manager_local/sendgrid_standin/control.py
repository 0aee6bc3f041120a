"""A typed client for the stand-in's /_control/ routes (standard library only).

For tests in another process than the stand-in (e.g. against `make run`); in-process
tests can use `RunningStandIn.outbox` and `.faults` directly.

    sg = SendGridStandInControl("http://127.0.0.1:8086")
    sg.fail_next(429, count=2, reset_in_seconds=3)
    ...
    [message] = sg.wait_for_outbox(1)
"""

from __future__ import annotations

import time
from typing import Any, TypedDict, cast

from ..serving import ControlCallError, ControlClient


class AddressState(TypedDict):
    email: str
    name: str | None


# Functional form because "from" is a Python keyword.
PersonalizationState = TypedDict(
    "PersonalizationState",
    {
        "to": list[AddressState],
        "cc": list[AddressState],
        "bcc": list[AddressState],
        "subject": str | None,  # effective: its own, else the message's
        "custom_args": dict[str, str],  # effective: the message's, overridden by its own
        "headers": dict[str, str],
        "substitutions": dict[str, str],
        "dynamic_template_data": dict[str, Any] | None,
        "send_at": int | None,
        "from": AddressState | None,  # a per-envelope sender, when given
    },
)


class AttachmentState(TypedDict):
    filename: str
    type: str | None
    disposition: str
    content_id: str | None
    size: int
    content_base64: str


OutboxEntry = TypedDict(
    "OutboxEntry",
    {
        "message_id": str,
        "received_at": str,  # ISO 8601, UTC
        "from": AddressState,
        "reply_to": AddressState | None,
        "personalizations": list[PersonalizationState],
        "subject": str | None,
        "content": dict[str, str],  # MIME type -> value
        "custom_args": dict[str, str],
        "categories": list[str],
        "attachments": list[AttachmentState],
        "headers": dict[str, str],
        "template_id": str | None,
        "send_at": int | None,
        "warnings": list[str],
        "raw": dict[str, Any],
    },
)


class QueuedFaultState(TypedDict):
    kind: str
    code: int
    reset_in_seconds: float
    seconds: float


class FaultState(TypedDict):
    queued: list[QueuedFaultState]


class RateLimitState(TypedDict):
    limit: int | None
    window_seconds: float


class ControlError(ControlCallError):
    server_name = "SendGrid stand-in"


class SendGridStandInControl(ControlClient):
    error_type = ControlError

    # outbox
    def outbox(self) -> list[OutboxEntry]:
        return cast(list[OutboxEntry], self._call("GET", "outbox"))

    def clear_outbox(self) -> int:
        return int(self._call("DELETE", "outbox")["cleared"])

    def wait_for_outbox(
        self, count: int, timeout: float = 5.0, poll_seconds: float = 0.05
    ) -> list[OutboxEntry]:
        """Poll until at least `count` messages were accepted; for asynchronous senders."""
        deadline = time.monotonic() + timeout
        while True:
            entries = self.outbox()
            if len(entries) >= count:
                return entries
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"outbox has {len(entries)} messages, wanted {count} within {timeout:g}s"
                )
            time.sleep(poll_seconds)

    # counters
    def stats(self) -> dict[int, int]:
        """Mail sends answered per HTTP status, e.g. {202: 3, 429: 1}."""
        raw = cast(dict[str, int], self._call("GET", "stats"))
        return {int(code): n for code, n in raw.items()}

    def reset_stats(self) -> None:
        self._call("DELETE", "stats")

    # faults
    def faults(self) -> FaultState:
        return cast(FaultState, self._call("GET", "faults"))

    def fail_next(
        self, code: int, count: int = 1, reset_in_seconds: float | None = None
    ) -> FaultState:
        """The next `count` sends answer `code` (400/401/403/413/429/500/502/503/504).

        For 429, X-RateLimit-Reset is `reset_in_seconds` (default 1) from now.
        """
        body = {"code": code, "count": count, "reset_in_seconds": reset_in_seconds}
        return cast(FaultState, self._call("POST", "faults/fail_next", body))

    def hang_next(self, seconds: float, count: int = 1) -> FaultState:
        """The next `count` sends are accepted and recorded, but answered after `seconds`."""
        body = {"seconds": seconds, "count": count}
        return cast(FaultState, self._call("POST", "faults/hang_next", body))

    def clear_faults(self) -> FaultState:
        return cast(FaultState, self._call("DELETE", "faults"))

    # rate limit
    def rate_limit(self) -> RateLimitState:
        return cast(RateLimitState, self._call("GET", "rate_limit"))

    def set_rate_limit(self, limit: int, window_seconds: float = 60.0) -> RateLimitState:
        body = {"limit": limit, "window_seconds": window_seconds}
        return cast(RateLimitState, self._call("PUT", "rate_limit", body))

    def clear_rate_limit(self) -> RateLimitState:
        return cast(RateLimitState, self._call("DELETE", "rate_limit"))

    def reset(self) -> None:
        """Empty outbox, no queued faults, no rate limit, zeroed counters."""
        self._call("POST", "reset")
