"""The /_control/ routes: steer the simulated world and its faults from tests and demos.

Bodies and answers are plain JSON (not Google's shapes); a refused request gets
400 `{"error": "..."}`. See `control.py` for the typed client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Map, Rule

from ..serving import Body, JsonControlRoutes, optional, required
from .http_util import json_response
from .notifications import Notifier
from .people_routes import PEOPLE_RULES, PeopleControl

if TYPE_CHECKING:
    from .server import SimulatorApp

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
        Rule("/_control/changes", methods=["GET"], endpoint="changes"),
        Rule("/_control/notifications", methods=["GET"], endpoint="notifications"),
        Rule("/_control/notifications", methods=["POST"], endpoint="set_notifications"),
        *PEOPLE_RULES,
    ]
)


class ControlRoutes(PeopleControl, JsonControlRoutes):
    # World errors are ValueErrors, so a refused world change is answered 400 too.
    def __init__(self, app: SimulatorApp, *, enabled: bool = True) -> None:
        self._app = app
        super().__init__(_ROUTES, json_response, enabled=enabled)

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
            required(body, "customerDomain", str),
            required(body, "organizationName", str),
            customer_id=optional(body, "customerId", str),
            alternate_email=optional(body, "alternateEmail", str),
            country_code=optional(body, "countryCode", str) or "GB",
            ours=not optional(body, "forbidden", bool),
        )
        return customer.snapshot()

    def _h_forbid(self, body: Body, args: Mapping[str, str]) -> Any:
        forbidden = optional(body, "forbidden", bool)
        ours = forbidden is False
        return self._app.world.set_ours(args["customer"], ours).snapshot()

    def _h_add_subscription(self, body: Body, args: Mapping[str, str]) -> Any:
        sub = self._app.world.add_subscription(
            required(body, "customerId", str),
            required(body, "skuId", str),
            required(body, "planName", str),
            required(body, "seats", int),
            users=optional(body, "users", int) or 0,
            status=optional(body, "status", str) or "ACTIVE",
            billing_method=optional(body, "billingMethod", str) or "ONLINE",
            purchase_order_id=optional(body, "purchaseOrderId", str),
        )
        return sub.snapshot()

    def _h_update(self, body: Body, args: Mapping[str, str]) -> Any:
        sub = self._app.world.update_subscription(
            args["customer"],
            args["sku"],
            users=optional(body, "users", int),
            seats=optional(body, "seats", int),
            status=optional(body, "status", str),
            plan_name=optional(body, "planName", str),
            billing_method=optional(body, "billingMethod", str),
            actor=optional(body, "actor", str),
            new_id=bool(optional(body, "newId", bool)),
            renewal_type=optional(body, "renewalType", str),
        )
        return sub.snapshot()

    def _h_changes(self, body: Body, args: Mapping[str, str]) -> Any:
        return [c.snapshot() for c in self._app.world.changes()]

    def _h_faults(self, body: Body, args: Mapping[str, str]) -> Any:
        return self._app.faults.state()

    def _h_set_faults(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.faults.configure(
            latency_ms=optional(body, "latency_ms", float),
            rate_429=optional(body, "rate_429", float),
            rate_503=optional(body, "rate_503", float),
            seed=optional(body, "seed", int),
        )
        return self._app.faults.state()

    def _h_clear_faults(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.faults.clear()
        return self._app.faults.state()

    def _h_fail_next(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.faults.fail_next(
            required(body, "code", int),
            optional(body, "count", int) or 1,
            optional(body, "method", str),
        )
        return self._app.faults.state()

    def _h_hang_next(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.faults.hang_next(
            required(body, "seconds", float),
            optional(body, "count", int) or 1,
            optional(body, "method", str),
            before=bool(optional(body, "before", bool)),
        )
        return self._app.faults.state()

    def _h_drift(self, body: Body, args: Mapping[str, str]) -> Any:
        steps = optional(body, "steps", int) or 1
        probability = optional(body, "probability", float)
        changed = 0
        for _ in range(steps):
            if probability is None:
                changed += self._app.world.drift(self._app.drift_rng)
            else:
                changed += self._app.world.drift(self._app.drift_rng, probability)
        return {"changed": changed}

    def _h_notifications(self, body: Body, args: Mapping[str, str]) -> Any:
        return self._notifier().snapshot()

    def _h_set_notifications(self, body: Body, args: Mapping[str, str]) -> Any:
        """{"duplicate": p, "drop": p, "delay_ms": n, "reorder": bool}: each optional."""
        notifier = self._notifier()
        faults = notifier.faults
        for name in ("duplicate", "drop"):
            value = optional(body, name, float)
            if value is not None:
                if not 0 <= value <= 1:
                    raise ValueError(f"{name} must be a probability in 0..1")
                setattr(faults, name, value)
        delay = optional(body, "delay_ms", int)
        if delay is not None:
            if delay < 0:
                raise ValueError("delay_ms must be >= 0")
            faults.delay_ms = delay
        reorder = optional(body, "reorder", bool)
        if reorder is not None:
            faults.reorder = reorder
        return notifier.snapshot()

    def _notifier(self) -> Notifier:
        if self._app.notifier is None:
            raise ValueError("this simulator publishes no notifications (--notifications)")
        return self._app.notifier
