"""Opaque page tokens for subscriptions.list.

A token remembers the last (customerDomain, skuId) key served rather than an offset, so
paging stays exact while drift or inserts change the world between pages.
"""

from __future__ import annotations

import base64
import binascii
import json

from .errors import ApiError, invalid

Cursor = tuple[str, str]


def query_fingerprint(customer_id: str | None, name_prefix: str | None) -> str:
    return f"{customer_id or ''}|{name_prefix or ''}"


def encode_token(cursor: Cursor, fingerprint: str) -> str:
    raw = json.dumps({"v": 1, "after": list(cursor), "q": fingerprint}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: str, fingerprint: str) -> Cursor:
    """The cursor inside a token; 400 if it is not ours or was made for another query."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = data["after"]
        if data["v"] != 1 or not all(isinstance(part, str) for part in after):
            raise ValueError(token)
        cursor: Cursor = (after[0], after[1])
        matches = data["q"] == fingerprint
    except (ValueError, KeyError, TypeError, IndexError, binascii.Error, UnicodeDecodeError):
        raise _bad_token() from None
    if not matches:
        raise invalid("The page token does not match the query parameters.")
    return cursor


def _bad_token() -> ApiError:
    return invalid("Invalid value for pageToken.")
