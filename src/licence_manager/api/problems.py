"""Errors as RFC 9457 problem details (application/problem+json): every error the API answers,
expected or not, so a client never has to read Flask's HTML error page."""

from __future__ import annotations

from flask import Response, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

from licence_manager.observability import get_logger

log = get_logger(__name__)


class Problem(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        errors: dict[str, str] | None = None,
        extensions: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors or {}
        self.extensions = extensions or {}  # more members, e.g. the current state on a 409
        self.headers = headers or {}  # e.g. Retry-After on a 429


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole-number query argument in [low, high], or a 400 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    # "²".isdigit() is true yet int("²") raises, while Arabic-Indic digits parse: ASCII only.
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise Problem(
            400,
            "Bad Request",
            f"{name} must be a whole number from {low} to {high}.",
            errors={name: f"From {low} to {high}."},
        )
    return int(raw)


def problem_response(
    status: int,
    title: str,
    detail: str,
    errors: dict[str, str] | None = None,
    extensions: dict[str, object] | None = None,
) -> Response:
    body: dict[str, object] = {
        **(extensions or {}),
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors  # an extension member: field name → message for the form
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def from_problem(error: Problem) -> Response:
    response = problem_response(
        error.status, error.title, error.detail, error.errors, error.extensions
    )
    response.headers.update(error.headers)
    return response


def from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    response = problem_response(status, error.name, error.description or error.name)
    for name, value in error.get_headers():  # e.g. Allow on a 405
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def from_unexpected(error: Exception) -> Response:
    """Anything else: logged with its traceback, answered without its text (which may hold
    internal detail or personal data). The api function calls the app's full_dispatch_request,
    which, unlike Flask's WSGI entry, re-raises an exception no handler takes: functions-framework
    would then answer its own HTML page."""
    log.exception(
        "unhandled error in the api", extra={"method": request.method, "path": request.path}
    )
    return from_http_exception(InternalServerError())
