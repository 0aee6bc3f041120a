"""Email address syntax as SendGrid checks it at the API (not deliverability).

SendGrid refuses addresses that are not `local@domain.tld` in plain ASCII and longer
than 320 characters; it does not look up MX records at send time, so neither do we.
"""

from __future__ import annotations

import re
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


def normalise(email: str) -> str:
    """The form SendGrid compares when it looks for duplicate recipients."""
    return email.strip().lower()
