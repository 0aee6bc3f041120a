"""Errors as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from flask import Response, json
from werkzeug.exceptions import HTTPException


class Problem(Exception):
    def __init__(
        self, status: int, title: str, detail: str, errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors or {}


def problem_response(
    status: int, title: str, detail: str, errors: dict[str, str] | None = None
) -> Response:
    body: dict[str, object] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors  # an extension member: field name → message for the form
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def from_problem(error: Problem) -> Response:
    return problem_response(error.status, error.title, error.detail, error.errors)


def from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    return problem_response(status, error.name, error.description or error.name)
