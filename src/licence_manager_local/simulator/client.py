"""Conveniences for tests: the real Google client aimed at a simulator, and error bodies."""

from __future__ import annotations

import json
from typing import Any

import httplib2
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError


def google_service(api: str, version: str, url: str, timeout: float = 10.0) -> Any:
    """A client built as production builds it (static discovery, own Http), aimed at `url`."""
    return build(
        api,
        version,
        static_discovery=True,
        client_options={"api_endpoint": url},
        http=httplib2.Http(timeout=timeout),
    )


def reseller_service(url: str, timeout: float = 10.0) -> Any:
    return google_service("reseller", "v1", url, timeout)


def directory_service(url: str, timeout: float = 10.0) -> Any:
    return google_service("admin", "directory_v1", url, timeout)


def licensing_service(url: str, timeout: float = 10.0) -> Any:
    return google_service("licensing", "v1", url, timeout)


def reports_service(url: str, timeout: float = 10.0) -> Any:
    return google_service("admin", "reports_v1", url, timeout)


def error_body(exc: HttpError) -> dict[str, Any]:
    """The `error` object of a Google error response."""
    body: dict[str, Any] = json.loads(exc.content)["error"]
    return body
