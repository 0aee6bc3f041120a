"""Conveniences for tests: the real Google client aimed at a simulator, and error bodies."""

from __future__ import annotations

import json
from typing import Any

import httplib2
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError


def reseller_service(url: str, timeout: float = 10.0) -> Any:
    """A Reseller API client built as production builds it (static discovery, own Http)."""
    return build(
        "reseller",
        "v1",
        static_discovery=True,
        client_options={"api_endpoint": url},
        http=httplib2.Http(timeout=timeout),
    )


def error_body(exc: HttpError) -> dict[str, Any]:
    """The `error` object of a Google error response."""
    body: dict[str, Any] = json.loads(exc.content)["error"]
    return body
