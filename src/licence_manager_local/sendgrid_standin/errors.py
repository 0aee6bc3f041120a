"""SendGrid's error vocabulary: `{"errors": [{"message", "field", "help"}]}` plus a status.

Validation collects every problem before answering, as SendGrid does (one 400 can name
`content.0.value` and `content.1.value` at once), so a test sees the whole list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

# Where SendGrid's `help` links point: one anchor per documented field table.
HELP_BASE: Final = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html"

# SendGrid's own words for the errors that are not about one field of the body.
UNAUTHORIZED: Final = "The provided authorization grant is invalid, expired, or revoked"
AUTHORIZATION_REQUIRED: Final = "authorization required"
FORBIDDEN: Final = "access forbidden"
TOO_MANY_REQUESTS: Final = "too many requests"

_GENERIC_MESSAGES: Final[dict[int, str]] = {
    400: "Bad Request",
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    404: "not found",
    405: "method not allowed",
    413: "Payload Too Large",
    415: "Content-Type should be application/json.",
    429: TOO_MANY_REQUESTS,
    500: "internal server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
}

_INDEX_SEGMENT = re.compile(r"\.\d+(?=\.|$)")


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One entry of SendGrid's `errors` array."""

    message: str
    field: str | None = None
    help: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"message": self.message, "field": self.field, "help": self.help}


def field_error(message: str, field: str, anchor: str | None = None) -> ErrorDetail:
    """An error about `field` (dotted, with list indices: "personalizations.0.to").

    The help link names the documented table, which has no indices and sometimes a
    shorter path ("from.email" is documented under "from"); `anchor` overrides it.
    """
    table = anchor if anchor is not None else _INDEX_SEGMENT.sub("", field)
    return ErrorDetail(message, field, f"{HELP_BASE}#message.{table}")


class SendGridError(Exception):
    """A refusal rendered exactly as SendGrid's front end sends it."""

    def __init__(
        self,
        status: int,
        errors: Iterable[ErrorDetail],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        super().__init__(f"{status}: " + "; ".join(e.message for e in self.errors))

    def body(self) -> dict[str, list[dict[str, str | None]]]:
        return {"errors": [e.to_json() for e in self.errors]}


def generic_error(
    status: int, message: str | None = None, headers: Mapping[str, str] | None = None
) -> SendGridError:
    """An error not tied to a field (auth, rate limit, outages): field and help are null."""
    text = message or _GENERIC_MESSAGES.get(status, "error")
    return SendGridError(status, [ErrorDetail(text)], headers)


def is_generic_status(status: int) -> bool:
    return status in _GENERIC_MESSAGES
