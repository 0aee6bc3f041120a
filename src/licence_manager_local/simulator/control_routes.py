"""The /_control/ routes: steer the simulated world and its faults from tests and demos.

Bodies and answers are plain JSON (not Google's shapes); a refused request gets
400 `{"error": "..."}`. See `control.py` for the typed client.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .http_util import json_response
from .world import WorldError

if TYPE_CHECKING:
    from .server import SimulatorApp

Body = dict[str, Any]
T = TypeVar("T")

_ROUTES = Map(
    [
        Rule("/_control/world", methods=["GET"], endpoint="world"),
        Rule("/_control/reset", methods=["POST"], endpoint="reset"),
        Rule("/_control/stats", methods=["GET"], endpoint="stats"),
        Rule("/_control/stats/reset", methods=["POST"], endpoint="stats_reset"),
        Rule("/_control/customers", methods=["POST"], endpoint="add_customer"),
        Rule("/_control/customers/<customer>/forbidden", methods=["POST"], endpoint="forbid"),
        Rule("/_control/subscriptions", methods=["POST"], endpoint="add_subscription"),
        Rule("/_control/subscriptions/<customer>/<sku>", methods=["PATCH"], endpoint="update"),
        Rule("/_control/faults", methods=["GET"], endpoint="faults"),
        Rule("/_control/faults", methods=["PUT"], endpoint="set_faults"),
        Rule("/_control/faults", methods=["DELETE"], endpoint="clear_faults"),
        Rule("/_control/faults/fail_next", methods=["POST"], endpoint="fail_next"),
        Rule("/_control/faults/hang_next", methods=["POST"], endpoint="hang_next"),
        Rule("/_control/drift", methods=["POST"], endpoint="drift"),
    ]
)


class ControlError(ValueError):
    pass


class ControlRoutes:
    def __init__(self, app: SimulatorApp) -> None:
        self._app = app
        self._handlers: dict[str, Callable[[Body, Mapping[str, str]], Any]] = {
            name.removeprefix("_h_"): getattr(self, name)
            for name in dir(self)
            if name.startswith("_h_")
        }

    def dispatch(self, request: Request) -> Response:
        try:
            endpoint, args = _ROUTES.bind_to_environ(request.environ).match()
        except HTTPException as exc:
            return json_response({"error": exc.description or exc.name}, exc.code or 404)
        try:
            return json_response(self._handlers[endpoint](_json_body(request), args))
        except (ControlError, WorldError, ValueError) as exc:
            return json_response({"error": str(exc)}, 400)

    def _h_world(self, body: Body, args: Mapping[str, str]) -> Any:
        return self._app.world.snapshot()

    def _h_reset(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.reset()
        return {"reset": True}

    def _h_stats(self, body: Body, args: Mapping[str, str]) -> Any:
        return self._app.stats.snapshot()

    def _h_stats_reset(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.stats.reset()
        return {}

    def _h_add_customer(self, body: Body, args: Mapping[str, str]) -> Any:
        customer = self._app.world.add_customer(
            _get(body, "customerDomain", str),
            _get(body, "organizationName", str),
            customer_id=_opt(body, "customerId", str),
            alternate_email=_opt(body, "alternateEmail", str),
            country_code=_opt(body, "countryCode", str) or "GB",
            ours=not _opt(body, "forbidden", bool),
        )
        return customer.snapshot()

    def _h_forbid(self, body: Body, args: Mapping[str, str]) -> Any:
        forbidden = _opt(body, "forbidden", bool)
        ours = forbidden is False
        return self._app.world.set_ours(args["customer"], ours).snapshot()

    def _h_add_subscription(self, body: Body, args: Mapping[str, str]) -> Any:
        sub = self._app.world.add_subscription(
            _get(body, "customerId", str),
            _get(body, "skuId", str),
            _get(body, "planName", str),
            _get(body, "seats", int),
            users=_opt(body, "users", int) or 0,
            status=_opt(body, "status", str) or "ACTIVE",
            billing_method=_opt(body, "billingMethod", str) or "ONLINE",
            purchase_order_id=_opt(body, "purchaseOrderId", str),
        )
        return sub.snapshot()

    def _h_update(self, body: Body, args: Mapping[str, str]) -> Any:
        sub = self._app.world.update_subscription(
            args["customer"],
            args["sku"],
            users=_opt(body, "users", int),
            seats=_opt(body, "seats", int),
            status=_opt(body, "status", str),
            plan_name=_opt(body, "planName", str),
            billing_method=_opt(body, "billingMethod", str),
        )
        return sub.snapshot()

    def _h_faults(self, body: Body, args: Mapping[str, str]) -> Any:
        return self._app.faults.state()

    def _h_set_faults(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.faults.configure(
            latency_ms=_opt(body, "latency_ms", float),
            rate_429=_opt(body, "rate_429", float),
            rate_503=_opt(body, "rate_503", float),
            seed=_opt(body, "seed", int),
        )
        return self._app.faults.state()

    def _h_clear_faults(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.faults.clear()
        return self._app.faults.state()

    def _h_fail_next(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.faults.fail_next(
            _get(body, "code", int),
            _opt(body, "count", int) or 1,
            _opt(body, "method", str),
        )
        return self._app.faults.state()

    def _h_hang_next(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.faults.hang_next(
            _get(body, "seconds", float),
            _opt(body, "count", int) or 1,
            _opt(body, "method", str),
        )
        return self._app.faults.state()

    def _h_drift(self, body: Body, args: Mapping[str, str]) -> Any:
        steps = _opt(body, "steps", int) or 1
        probability = _opt(body, "probability", float)
        changed = 0
        for _ in range(steps):
            if probability is None:
                changed += self._app.world.drift(self._app.drift_rng)
            else:
                changed += self._app.world.drift(self._app.drift_rng, probability)
        return {"changed": changed}


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
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ControlError(f"{name} must be a {kind.__name__}")
    return value


def _get(body: Body, name: str, kind: type[T]) -> T:
    value = _opt(body, name, kind)
    if value is None:
        raise ControlError(f"{name} is required")
    return value
