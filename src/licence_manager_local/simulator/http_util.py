"""JSON responses shaped and labelled as Google's front end sends them."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from .discovery_schema import DiscoverySchemas
from .errors import ApiError, invalid

CONTENT_TYPE = "application/json; charset=UTF-8"


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, indent=1), status=status, content_type=CONTENT_TYPE)


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.code)


def int_arg(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within the discovery document's minimum and maximum."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"Invalid value for {name}: {raw}.") from None
    if not low <= value <= high:
        raise invalid(f"Invalid value for {name}: {value}. Must be {low} to {high}.")
    return value


def json_body(request: Request, schemas: DiscoverySchemas, schema: str) -> dict[str, Any]:
    """A request body checked against its discovery schema: Google rejects unknown fields and
    wrong types in a body, and so does the simulator."""
    try:
        body = json.loads(request.get_data() or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "parseError", "Invalid JSON payload received.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "parseError", "Invalid JSON payload received: not an object.")
    problems = schemas.problems(schema, body)
    if problems:
        raise invalid("Invalid JSON payload received. " + "; ".join(problems))
    return body
