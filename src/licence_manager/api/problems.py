"""Errors as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from flask import Response, json
from werkzeug.exceptions import HTTPException


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail


def problem_response(status: int, title: str, detail: str) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def from_problem(error: Problem) -> Response:
    return problem_response(error.status, error.title, error.detail)


def from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    return problem_response(status, error.name, error.description or error.name)
