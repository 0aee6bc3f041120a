"""The /_control/ routes: read the outbox and counters, queue faults, set the rate limit.

Bodies and answers are plain JSON (not SendGrid's shapes); a refused request gets
400 `{"error": "..."}`. See `control.py` for the typed client.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .faults import DEFAULT_RESET_IN_SECONDS
from .wire import json_response

if TYPE_CHECKING:
    from .server import SendGridStandInApp

Body = dict[str, Any]
T = TypeVar("T")

_ROUTES = Map(
    [
        Rule("/_control/outbox", methods=["GET"], endpoint="outbox"),
        Rule("/_control/outbox", methods=["DELETE"], endpoint="clear_outbox"),
        Rule("/_control/stats", methods=["GET"], endpoint="stats"),
        Rule("/_control/stats", methods=["DELETE"], endpoint="reset_stats"),
        Rule("/_control/faults", methods=["GET"], endpoint="faults"),
        Rule("/_control/faults", methods=["DELETE"], endpoint="clear_faults"),
        Rule("/_control/faults/fail_next", methods=["POST"], endpoint="fail_next"),
        Rule("/_control/faults/hang_next", methods=["POST"], endpoint="hang_next"),
        Rule("/_control/rate_limit", methods=["GET"], endpoint="rate_limit"),
        Rule("/_control/rate_limit", methods=["PUT"], endpoint="set_rate_limit"),
        Rule("/_control/rate_limit", methods=["DELETE"], endpoint="clear_rate_limit"),
        Rule("/_control/reset", methods=["POST"], endpoint="reset"),
    ]
)


class ControlError(ValueError):
    pass


class ControlRoutes:
    def __init__(self, app: SendGridStandInApp) -> None:
        self._app = app
        self._handlers: dict[str, Callable[[Body], Any]] = {
            name.removeprefix("_h_"): getattr(self, name)
            for name in dir(self)
            if name.startswith("_h_")
        }

    def dispatch(self, request: Request) -> Response:
        try:
            endpoint, _ = _ROUTES.bind_to_environ(request.environ).match()
        except HTTPException as exc:
            return json_response({"error": exc.description or exc.name}, exc.code or 404)
        try:
            return json_response(self._handlers[endpoint](_json_body(request)))
        except ValueError as exc:  # ControlError and the fault/rate-limit argument checks
            return json_response({"error": str(exc)}, 400)

    def _h_outbox(self, body: Body) -> Any:
        return [message.to_json() for message in self._app.outbox.snapshot()]

    def _h_clear_outbox(self, body: Body) -> Any:
        return {"cleared": self._app.outbox.clear()}

    def _h_stats(self, body: Body) -> Any:
        # JSON keys are strings; the typed client turns them back into ints.
        return {str(code): n for code, n in self._app.stats.snapshot().items()}

    def _h_reset_stats(self, body: Body) -> Any:
        self._app.stats.reset()
        return {}

    def _h_faults(self, body: Body) -> Any:
        return self._fault_state()

    def _h_clear_faults(self, body: Body) -> Any:
        self._app.faults.clear()
        return self._fault_state()

    def _h_fail_next(self, body: Body) -> Any:
        reset_in = _opt(body, "reset_in_seconds", float)
        self._app.faults.fail_next(
            _get(body, "code", int),
            _opt(body, "count", int) or 1,
            reset_in_seconds=DEFAULT_RESET_IN_SECONDS if reset_in is None else reset_in,
        )
        return self._fault_state()

    def _h_hang_next(self, body: Body) -> Any:
        self._app.faults.hang_next(_get(body, "seconds", float), _opt(body, "count", int) or 1)
        return self._fault_state()

    def _h_rate_limit(self, body: Body) -> Any:
        return self._app.rate_limit.state()

    def _h_set_rate_limit(self, body: Body) -> Any:
        window = _opt(body, "window_seconds", float)
        self._app.rate_limit.configure(_opt(body, "limit", int), 60.0 if window is None else window)
        return self._app.rate_limit.state()

    def _h_clear_rate_limit(self, body: Body) -> Any:
        self._app.rate_limit.disable()
        return self._app.rate_limit.state()

    def _h_reset(self, body: Body) -> Any:
        self._app.reset()
        return {"reset": True}

    def _fault_state(self) -> dict[str, Any]:
        return {"queued": self._app.faults.state()}


def _json_body(request: Request) -> Body:
    raw = request.get_data()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError("body is not JSON") from None
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def _opt(body: Body, name: str, kind: type[T]) -> T | None:
    value = body.get(name)
    if value is None:
        return None
    # JSON has one number type: accept an integer where a float is wanted, never a bool.
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ControlError(f"{name} must be a {kind.__name__}")
    return value


def _get(body: Body, name: str, kind: type[T]) -> T:
    value = _opt(body, name, kind)
    if value is None:
        raise ControlError(f"{name} is required")
    return value
