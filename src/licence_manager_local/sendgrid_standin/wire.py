"""Responses shaped like SendGrid's: JSON errors, and an empty-bodied 202."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from werkzeug.wrappers import Request, Response

from .errors import SendGridError

JSON_CONTENT_TYPE: Final = "application/json"
_CHUNK: Final = 64 * 1024


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    # Compact separators, as SendGrid's own bodies are: `{"errors":[{"message":...}]}`.
    text = json.dumps(body, separators=(",", ":"))
    response = Response(text, status=status, content_type=JSON_CONTENT_TYPE)
    response.headers.update(headers or {})
    return response


def error_response(
    error: SendGridError, extra_headers: Mapping[str, str] | None = None
) -> Response:
    return json_response(error.body(), error.status, {**error.headers, **(extra_headers or {})})


def empty_response(status: int, headers: Mapping[str, str]) -> Response:
    """SendGrid's 202 (and sandbox 200): no body and no Content-Type, only headers."""
    response = Response(b"", status=status, headers=dict(headers))
    del response.headers["Content-Type"]
    return response


def read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it exceeds `limit` bytes.

    An oversized body is still read to the end and discarded: closing a socket with
    unread input makes the kernel send RST, and the client would then see a connection
    reset instead of the 413 SendGrid answers with.
    """
    stream = request.stream
    kept: list[bytes] = []
    size = 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size <= limit:
            kept.append(chunk)
        else:
            kept.clear()  # keep draining without holding on to what will be refused
    return b"".join(kept) if size <= limit else None
