"""Building blocks shared by the message-level and personalization-level rules.

Each check appends to a `Problems` collector instead of raising, because SendGrid
reports every invalid field of a request in one 400, not just the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

from licence_manager.domain.email_address import MAX_EMAIL_LENGTH, is_valid_email

from .errors import ErrorDetail, field_error

AddressKind = Literal["to", "cc", "bcc", "from", "reply_to"]

SEND_AT_HORIZON_SECONDS: Final = 72 * 3600  # SendGrid schedules at most 72 hours ahead

_EXAMPLE: Final = (
    '{"email": "example@example.com"} or '
    '{"email": "example@example.com", "name": "Example Recipient"}'
)
_FROM_REQUIRED: Final = (
    "The from object must be provided for every email send. It is an object that requires "
    "the email parameter, but may also contain a name parameter. e.g. " + _EXAMPLE + "."
)
_MISSING_EMAIL: Final[dict[AddressKind, str]] = {
    "to": 'Each "to" object must at least have an email address and may also contain a '
    "name. e.g. " + _EXAMPLE,
    "cc": "Each recipient object must at least have an email address and may also contain "
    "a name. e.g. " + _EXAMPLE,
    "bcc": "Each recipient object must at least have an email address and may also contain "
    "a name. e.g. " + _EXAMPLE,
    "from": _FROM_REQUIRED,
    "reply_to": "The reply_to object, when used, must at least have an email parameter with "
    "a valid email address and it may also contain a name parameter. e.g. " + _EXAMPLE,
}
_LENGTH_LABEL: Final[dict[AddressKind, str]] = {
    "to": "To",
    "cc": "CC",
    "bcc": "BCC",
    "from": "From",
    "reply_to": "Reply-To",
}
# The documented error table each kind of address falls under (for the help link).
_ANCHOR: Final[dict[AddressKind, str]] = {
    "to": "personalizations.to",
    "cc": "personalizations.cc",
    "bcc": "personalizations.bcc",
    "from": "from",
    "reply_to": "reply_to",
}
# Header names SendGrid sets itself and refuses from callers (compared case-insensitively).
RESERVED_HEADERS: Final = frozenset(
    h.lower()
    for h in (
        "x-sg-id",
        "x-sg-eid",
        "received",
        "dkim-signature",
        "Content-Type",
        "Content-Transfer-Encoding",
        "To",
        "From",
        "Subject",
        "Reply-To",
        "CC",
        "BCC",
    )
)


class Problems:
    """Errors (answered with 400) and warnings (accepted, but noted on the outbox entry)."""

    def __init__(self) -> None:
        self.errors: list[ErrorDetail] = []
        self.warnings: list[str] = []

    def error(self, message: str, field: str, anchor: str | None = None) -> None:
        self.errors.append(field_error(message, field, anchor))

    def warn(self, text: str) -> None:
        self.warnings.append(text)


def json_type(value: object) -> str:
    """The JSON Schema name of a decoded value, as SendGrid's type errors word it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def expect_object(value: object, field: str, problems: Problems) -> Mapping[str, Any] | None:
    if isinstance(value, dict):
        return value
    problems.error(f"Invalid type. Expected: object, given: {json_type(value)}.", field)
    return None


def expect_array(value: object, field: str, problems: Problems) -> list[Any] | None:
    if isinstance(value, list):
        return value
    problems.error(f"Invalid type. Expected: array, given: {json_type(value)}.", field)
    return None


def check_address(value: object, field: str, kind: AddressKind, problems: Problems) -> str | None:
    """One `{"email", "name"}` object; returns the email when it is valid."""
    anchor = _ANCHOR[kind]
    if not isinstance(value, dict):
        problems.error(_MISSING_EMAIL[kind], field, anchor)
        return None
    email = value.get("email")
    if not isinstance(email, str) or not email:
        problems.error(_MISSING_EMAIL[kind], f"{field}.email", anchor)
        return None
    if len(email) > MAX_EMAIL_LENGTH:
        label = _LENGTH_LABEL[kind]
        message = f"The {label} email exceeds the maximum total length of 320 characters"
        problems.error(message, f"{field}.email", anchor)
        return None
    if not is_valid_email(email):
        # SendGrid words an unparseable sender as a missing one; recipients get a short line.
        message = _FROM_REQUIRED if kind == "from" else "Does not contain a valid address."
        problems.error(message, f"{field}.email", anchor)
        return None
    name = value.get("name")
    if name is not None and not isinstance(name, str):
        problems.error(
            f"Invalid type. Expected: string, given: {json_type(name)}.", f"{field}.name"
        )
    elif isinstance(name, str) and kind in ("to", "cc", "bcc") and any(c in name for c in ",;"):
        # Documented limitation: accepted with 202, then dropped as an invalid address.
        problems.warn(
            f"{field}.name contains ',' or ';': SendGrid accepts the request but drops "
            "the message for this recipient"
        )
    return email


def check_string_map(
    value: object, field: str, problems: Problems, values_message: str
) -> Mapping[str, str] | None:
    """An object whose values must all be strings (custom_args, substitutions, sections)."""
    mapping = expect_object(value, field, problems)
    if mapping is None:
        return None
    if not all(isinstance(v, str) for v in mapping.values()):
        problems.error(values_message, field)
        return None
    return mapping


def check_headers(value: object, field: str, problems: Problems) -> Mapping[str, str] | None:
    mapping = expect_object(value, field, problems)
    if mapping is None:
        return None
    ok = True
    if not all(isinstance(v, str) for v in mapping.values()):
        problems.error("The header values must be strings.", field)
        ok = False
    lowered = [k.lower() for k in mapping]
    if len(set(lowered)) != len(lowered):
        problems.error("The headers cannot contain duplicate keys.", field)
        ok = False
    if any(not k.isascii() or any(c.isspace() for c in k) or not k for k in mapping):
        problems.error("Header keys cannot contain non-ASCII characters and empty spaces.", field)
        ok = False
    if any(k in RESERVED_HEADERS for k in lowered):
        problems.error("Header can not be one of the reserved keys.", field)
        ok = False
    return mapping if ok else None


def check_send_at(value: object, field: str, problems: Problems, now: float) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        problems.error(
            "The send_at parameter is expecting a Unix timestamp as an integer. We will send "
            "immediately if you include a send_at timestamp that is in the past.",
            field,
        )
        return None
    if value > now + SEND_AT_HORIZON_SECONDS:
        problems.error("Scheduling more than 72 hours in advance is forbidden.", field)
        return None
    return value


def has_crlf_or_semicolon(text: str) -> bool:
    return any(c in text for c in ";\r\n")
