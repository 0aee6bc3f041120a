"""A local stand-in for SendGrid's v3 Mail Send endpoint (POST /v3/mail/send).

It answers as SendGrid does: 202 with an empty body and an X-Message-Id header for a
valid message; 400 with `{"errors": [{"message", "field", "help"}]}` naming every
invalid field; 401/403 for a wrong or under-privileged key; 413 over 30MB; 429 with
X-RateLimit-Limit/Remaining/Reset when a rate limit is set. Accepted messages land in
an in-memory outbox instead of anyone's inbox. Faults (429/5xx/..., or "hang, then
accept") can be queued for the next sends.

Production code needs no change, only a different host for the real client:

    with start_sendgrid_standin() as sg:
        client = SendGridAPIClient(api_key=sg.api_key, host=sg.url)  # or sg.client()
        client.send(Mail(from_email=..., to_emails=..., subject=..., html_content=...))
        [message] = sg.outbox
        sg.faults.fail_next(429, reset_in_seconds=5)   # or SendGridStandInControl(sg.url)

From a shell (the API key is what callers must send as `Authorization: Bearer ...`):

    python -m licence_manager_local.sendgrid_standin --port 8086 \\
        --api-key SG.local-test-key --control

then point the client at host="http://127.0.0.1:8086" and read what was sent with
`curl http://127.0.0.1:8086/_control/outbox`.
"""

from .control import (
    ControlError,
    FaultState,
    OutboxEntry,
    RateLimitState,
    SendGridStandInControl,
)
from .errors import ErrorDetail, SendGridError
from .faults import FAULT_CODES, FaultQueue, QueuedFault
from .outbox import Address, Outbox, SentAttachment, SentMessage, SentPersonalization
from .ratelimit import RateLimiter
from .runner import DEFAULT_API_KEY, RunningStandIn, start_sendgrid_standin
from .server import MAX_BODY_BYTES, SendGridStandInApp
from .stats import StatusCounts
from .validation import Verdict, validate_mail

__all__ = [
    "DEFAULT_API_KEY",
    "FAULT_CODES",
    "MAX_BODY_BYTES",
    "Address",
    "ControlError",
    "ErrorDetail",
    "FaultQueue",
    "FaultState",
    "Outbox",
    "OutboxEntry",
    "QueuedFault",
    "RateLimitState",
    "RateLimiter",
    "RunningStandIn",
    "SendGridError",
    "SendGridStandInApp",
    "SendGridStandInControl",
    "SentAttachment",
    "SentMessage",
    "SentPersonalization",
    "StatusCounts",
    "Verdict",
    "start_sendgrid_standin",
    "validate_mail",
]
