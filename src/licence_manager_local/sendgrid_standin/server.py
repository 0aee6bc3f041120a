"""The WSGI application: POST /v3/mail/send as SendGrid answers it, plus /_control/.

A send goes through the same gates, in the same order, as at SendGrid's front end:
body size (413), API key (401/403), rate limit (429), media type and JSON (415/400),
validation (400), then 202 with an X-Message-Id. Queued faults pre-empt all of that.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from werkzeug.wrappers import Request, Response

from ..serving import CONTROL_PREFIX
from . import errors
from .control_routes import ControlRoutes
from .errors import SendGridError, generic_error
from .event_webhook import EventWebhookPoster
from .faults import FaultQueue, QueuedFault
from .outbox import Outbox, build_message
from .ratelimit import RateLimiter
from .stats import StatusCounts
from .validation import is_sandboxed, validate_mail
from .wire import empty_response, error_response, read_body

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

MAIL_SEND_PATH: Final = "/v3/mail/send"
# "The total size of your email, including attachments, must be less than 30MB."
MAX_BODY_BYTES: Final = 30 * 1024 * 1024


class SendGridStandInApp:
    def __init__(
        self,
        api_key: str,
        *,
        control: bool = True,
        restricted_api_keys: Iterable[str] = (),
        max_body_bytes: int = MAX_BODY_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api_key = api_key
        # Keys that exist but lack the mail.send scope: SendGrid answers those with 403.
        self.restricted_api_keys = frozenset(restricted_api_keys)
        self.max_body_bytes = max_body_bytes
        self._clock = clock
        self.outbox = Outbox()
        self.faults = FaultQueue()
        self.rate_limit = RateLimiter(clock)
        self.stats = StatusCounts()
        self.event_webhook = EventWebhookPoster()
        self.stopping = threading.Event()  # set on shutdown; wakes sends hanging on a fault
        self._control = ControlRoutes(self, enabled=control)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control.dispatch(request)
        elif request.path != MAIL_SEND_PATH:
            response = error_response(generic_error(404))
        elif request.method != "POST":
            response = error_response(generic_error(405), {"Allow": "POST"})
        else:
            response = self._mail_send(request)
        return response(environ, start_response)

    def reset(self) -> None:
        """Empty outbox, no faults, no rate limit, zeroed counters."""
        self.outbox.clear()
        self.faults.clear()
        self.rate_limit.disable()
        self.stats.reset()

    def _mail_send(self, request: Request) -> Response:
        raw = read_body(request, self.max_body_bytes)  # always drained, see read_body
        fault = self.faults.take()
        if fault is not None and fault.kind == "error":
            response = self._injected_error(fault)
        else:
            response = self._accept_or_refuse(request, raw)
            if fault is not None:
                # The send has been carried out; only the answer is late.
                self.stopping.wait(fault.seconds)
        self.stats.record(response.status_code)
        return response

    def _injected_error(self, fault: QueuedFault) -> Response:
        headers = {}
        if fault.code == 429:
            headers = self.rate_limit.injected_headers(fault.reset_in_seconds)
        return error_response(generic_error(fault.code, headers=headers))

    def _accept_or_refuse(self, request: Request, raw: bytes | None) -> Response:
        if raw is None:
            return error_response(generic_error(413))
        refusal = self._check_key(request.headers.get("Authorization"))
        if refusal is not None:
            return error_response(refusal)
        decision = self.rate_limit.check()
        rate_headers = decision.headers if decision else {}
        if decision is not None and not decision.allowed:
            return error_response(generic_error(429, errors.TOO_MANY_REQUESTS), rate_headers)
        try:
            body = _decode(request, raw)
            return self._send(body, rate_headers)
        except SendGridError as error:
            return error_response(error, rate_headers)

    def _check_key(self, authorization: str | None) -> SendGridError | None:
        if not authorization:
            return generic_error(401, errors.AUTHORIZATION_REQUIRED)
        scheme, _, key = authorization.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            return generic_error(401, errors.AUTHORIZATION_REQUIRED)
        if key in self.restricted_api_keys:
            return generic_error(403, errors.FORBIDDEN)
        if not secrets.compare_digest(key, self.api_key):
            return generic_error(401, errors.UNAUTHORIZED)
        return None

    def _send(self, body: dict[str, Any], rate_headers: dict[str, str]) -> Response:
        now = self._clock()
        verdict = validate_mail(body, now=now)
        if not verdict.ok:
            raise SendGridError(400, verdict.errors)
        if is_sandboxed(body):
            # SendGrid's sandbox: "valid, but it is not queued to be delivered".
            return empty_response(200, rate_headers)
        message_id = new_message_id()
        received_at = datetime.fromtimestamp(now, UTC)
        sent = build_message(body, message_id, received_at, verdict.warnings)
        self.outbox.append(sent)
        self.event_webhook.after_send(sent)
        for warning in verdict.warnings:
            log.warning("message %s accepted, but: %s", message_id, warning)
        return empty_response(202, {"X-Message-Id": message_id, **rate_headers})


def new_message_id() -> str:
    # SendGrid's X-Message-Id is 22 URL-safe base64 characters (16 random bytes).
    return secrets.token_urlsafe(16)


def _decode(request: Request, raw: bytes) -> dict[str, Any]:
    if request.mimetype != "application/json":
        raise generic_error(415, "Content-Type should be application/json.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise generic_error(415, "Invalid UTF8 in request") from None
    try:
        body = json.loads(text)
    except ValueError:
        raise generic_error(400, "Bad Request") from None
    if not isinstance(body, dict):
        raise generic_error(400, "Bad Request")
    return body
