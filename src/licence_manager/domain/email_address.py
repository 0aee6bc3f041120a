"""Email address syntax as SendGrid checks it at its API (not deliverability).

SendGrid refuses a whole request when one address is not `local@domain.tld` in plain ASCII,
or is longer than 320 characters, so the dashboard accepts only what SendGrid would, and the
local SendGrid stand-in refuses with this same rule. No MX lookup: SendGrid makes none at send
time either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

MAX_EMAIL_LENGTH: Final = 320  # SendGrid's documented limit: local part, "@" and domain

# RFC 5322 dot-atom local part (no quoted strings: SendGrid's API refuses them too).
_ATEXT: Final = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL: Final = rf"{_ATEXT}(?:\.{_ATEXT})*"
# A host name with at least one dot: "user@localhost" is refused by SendGrid.
_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN: Final = rf"{_LABEL}(?:\.{_LABEL})+"
_EMAIL: Final = re.compile(rf"{_LOCAL}@{_DOMAIN}")


def is_valid_email(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= MAX_EMAIL_LENGTH
        and _EMAIL.fullmatch(value) is not None
    )


class AddressesRefused(Exception):
    """A mail provider's refusal that names the recipient addresses at fault. The provider
    sent nothing, so the same email can go to the other recipients."""

    def __init__(self, message: str, addresses: Iterable[str]) -> None:
        super().__init__(message)
        self.addresses = tuple(addresses)
