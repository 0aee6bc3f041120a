"""The WSGI application: API routes with fault injection and strict checks, plus control."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from ..serving import CONTROL_PREFIX
from . import errors
from .api import CALLER_KEY, SEAT_CHANGING, Api, ResellerApi, api_routes
from .callers import identify
from .control_routes import ControlRoutes
from .directory import DirectoryApi
from .discovery_schema import reseller_schemas
from .errors import ApiError
from .faults import CallStats, Faults
from .fields import apply_fields, parse_fields
from .http_util import error_response, json_response
from .licensing import LicensingApi
from .model import Subscription
from .notifications import Notifier
from .reports import ReportsApi
from .world import World

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)


class SimulatorApp:
    def __init__(
        self,
        world: World,
        *,
        control: bool = True,
        strict: bool = False,
        fault_seed: int = 0,
        drift_seed: int = 0,
        notifier: Notifier | None = None,
    ) -> None:
        self._routes = api_routes()
        # Google's Reseller notifications (notifications.py); None: resellernotify answers 501.
        self.notifier = notifier
        self.world = world
        self.initial_world = world.clone()
        self.faults = Faults(fault_seed)
        self.stats = CallStats()
        self.drift_rng = random.Random(drift_seed)
        self.strict = strict
        self.stopping = threading.Event()
        reseller = ResellerApi(world, reseller_schemas())
        # Method ids of the Admin APIs start with their name; the Reseller API's do not.
        self._apis: dict[str, Api] = {
            "directory": DirectoryApi(world),
            "licensing": LicensingApi(world),
            "reports": ReportsApi(world),
        }
        self._reseller: Api = reseller
        self._control = ControlRoutes(self, enabled=control)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control.dispatch(request)
        else:
            response = self._call_api(request)
        self.notice_changes()
        return response(environ, start_response)

    def notice_changes(self) -> None:
        """Publish the notifications Google would for what the last call changed."""
        if self.notifier is not None and self.notifier.watching:
            with self.world.lock:
                subs, ours = self._world_view()
                self.notifier.observe(subs, ours)

    def _world_view(self) -> tuple[list[Subscription], Callable[[str], bool]]:
        ours = {c.customer_id for c in self.world.customers() if c.ours}
        return self.world.subscriptions(), ours.__contains__

    def reset(self) -> None:
        """Back to the world as it was at start, with no faults and zeroed counters."""
        self.world.restore(self.initial_world)
        self.faults.clear()
        self.stats.reset()
        if self.notifier is not None:
            with self.world.lock:
                self.notifier.baseline(*self._world_view())

    def _call_api(self, request: Request) -> Response:
        adapter = self._routes.bind_to_environ(request.environ)
        try:
            method_id, args = adapter.match()
        except MethodNotAllowed:
            return error_response(ApiError(405, "methodNotAllowed", "Method not allowed."))
        except NotFound:
            return error_response(errors.not_found(f"No API method at {request.path}."))
        self.stats.record(method_id)
        if method_id in SEAT_CHANGING:
            # Who is calling, asked while the caller is surely still connected: a call held on
            # the way (a fault) may be carried out after its caller timed out and hung up.
            request.environ[CALLER_KEY] = identify(request.environ)
        decision = self.faults.decide(method_id)
        if decision.latency_s:
            self.stopping.wait(decision.latency_s)
        if decision.error_code == 429:
            return error_response(errors.rate_limited())
        if decision.error_code is not None:
            return error_response(errors.backend_error(decision.error_code))
        if decision.delay_s:
            self.stopping.wait(decision.delay_s)
        response = self._answer(method_id, request, args)
        if decision.hang_s:
            self.stopping.wait(decision.hang_s)
        return response

    def _answer(self, method_id: str, request: Request, args: Mapping[str, str]) -> Response:
        api = self._apis.get(method_id.split(".", 1)[0], self._reseller)
        try:
            if method_id.startswith("resellernotify."):
                schema, body = self._resellernotify(method_id, request)
            else:
                schema, body = api.handle(method_id, request, args)
            if self.strict:
                problems = api.schemas.problems(schema, body)
                if problems:
                    message = f"simulator response for {method_id} violates discovery schema "
                    message += f"{schema}: {'; '.join(problems)}"
                    log.error(message)
                    return error_response(ApiError(500, "internalError", message))
            fields = request.args.get("fields")
            if fields:
                body = apply_fields(body, parse_fields(fields))
        except ApiError as error:
            return error_response(error)
        return json_response(body)

    def _resellernotify(self, method_id: str, request: Request) -> tuple[str, dict[str, Any]]:
        """register / unregister / getwatchdetails: one topic per reseller, in Google's project."""
        notifier = self.notifier
        if notifier is None:
            raise ApiError(501, "notImplemented", "The simulator publishes no notifications.")
        account = request.args.get("serviceAccountEmailAddress", "")
        if method_id == "resellernotify.getwatchdetails":
            details = notifier.snapshot()
            return "ResellernotifyGetwatchdetailsResponse", {
                "topicName": details["topicName"],
                "serviceAccountEmailAddresses": details["serviceAccountEmailAddresses"],
            }
        if not account:
            raise errors.invalid("serviceAccountEmailAddress is required.")
        if method_id == "resellernotify.register":
            with self.world.lock:
                topic = notifier.register(account, *self._world_view())
        else:
            topic = notifier.unregister(account)
        return "ResellernotifyResource", {"topicName": topic}
