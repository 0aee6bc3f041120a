"""The /_control/ routes: read the outbox and counters, queue faults, set the rate limit.

Bodies and answers are plain JSON (not SendGrid's shapes); a refused request gets
400 `{"error": "..."}`. See `control.py` for the typed client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Map, Rule

from ..serving import Body, JsonControlRoutes, optional, required
from .faults import DEFAULT_RESET_IN_SECONDS
from .wire import json_response

if TYPE_CHECKING:
    from .server import SendGridStandInApp

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
        Rule("/_control/event_webhook", methods=["GET"], endpoint="event_webhook"),
        Rule("/_control/event_webhook", methods=["PUT"], endpoint="set_event_webhook"),
        Rule("/_control/events", methods=["POST"], endpoint="post_events"),
    ]
)


class ControlRoutes(JsonControlRoutes):
    # The fault queue's and rate limiter's own argument checks raise ValueError, so
    # those refusals are answered 400 too.
    def __init__(self, app: SendGridStandInApp, *, enabled: bool = True) -> None:
        self._app = app
        super().__init__(_ROUTES, json_response, enabled=enabled)

    def _h_outbox(self, body: Body, args: Mapping[str, str]) -> Any:
        return [message.to_json() for message in self._app.outbox.snapshot()]

    def _h_clear_outbox(self, body: Body, args: Mapping[str, str]) -> Any:
        return {"cleared": self._app.outbox.clear()}

    def _h_stats(self, body: Body, args: Mapping[str, str]) -> Any:
        # JSON keys are strings; the typed client turns them back into ints.
        return {str(code): n for code, n in self._app.stats.snapshot().items()}

    def _h_reset_stats(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.stats.reset()
        return {}

    def _h_faults(self, body: Body, args: Mapping[str, str]) -> Any:
        return self._fault_state()

    def _h_clear_faults(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.faults.clear()
        return self._fault_state()

    def _h_fail_next(self, body: Body, args: Mapping[str, str]) -> Any:
        reset_in = optional(body, "reset_in_seconds", float)
        self._app.faults.fail_next(
            required(body, "code", int),
            optional(body, "count", int) or 1,
            reset_in_seconds=DEFAULT_RESET_IN_SECONDS if reset_in is None else reset_in,
        )
        return self._fault_state()

    def _h_hang_next(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.faults.hang_next(
            required(body, "seconds", float), optional(body, "count", int) or 1
        )
        return self._fault_state()

    def _h_rate_limit(self, body: Body, args: Mapping[str, str]) -> Any:
        return self._app.rate_limit.state()

    def _h_set_rate_limit(self, body: Body, args: Mapping[str, str]) -> Any:
        window = optional(body, "window_seconds", float)
        self._app.rate_limit.configure(
            optional(body, "limit", int), 60.0 if window is None else window
        )
        return self._app.rate_limit.state()

    def _h_clear_rate_limit(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.rate_limit.disable()
        return self._app.rate_limit.state()

    def _h_reset(self, body: Body, args: Mapping[str, str]) -> Any:
        self._app.reset()
        return {"reset": True}

    def _h_event_webhook(self, body: Body, args: Mapping[str, str]) -> Any:
        return self._app.event_webhook.state()

    def _h_set_event_webhook(self, body: Body, args: Mapping[str, str]) -> Any:
        poster = self._app.event_webhook
        poster.url = optional(body, "url", str)
        poster.auto = bool(optional(body, "auto", bool))
        return poster.state()

    def _h_post_events(self, body: Body, args: Mapping[str, str]) -> Any:
        """Events for one sent message (by X-Message-Id): `event` (default: each address's
        natural outcome), for every recipient or only `email`."""
        message_id = required(body, "message_id", str)
        found = next((m for m in self._app.outbox.snapshot() if m.message_id == message_id), None)
        if found is None:
            raise ValueError(f"no sent message {message_id}")
        posted = self._app.event_webhook.post_for(
            found, optional(body, "event", str), optional(body, "email", str)
        )
        return {"posted": posted}

    def _fault_state(self) -> dict[str, Any]:
        return {"queued": self._app.faults.state()}
