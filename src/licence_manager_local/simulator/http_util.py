"""JSON responses shaped and labelled as Google's front end sends them."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

from .errors import ApiError

CONTENT_TYPE = "application/json; charset=UTF-8"


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, indent=1), status=status, content_type=CONTENT_TYPE)


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.code)
