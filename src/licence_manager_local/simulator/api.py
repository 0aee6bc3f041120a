"""The Reseller API methods: routing taken from the discovery document, and handlers.

Every method in the discovery document gets a route, so a call the simulator does not
implement is answered 501 instead of looking like a wrong URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Final, Protocol

from googleapiclient.discovery_cache import get_static_doc
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from .callers import identify
from .discovery_schema import DiscoverySchemas
from .errors import ApiError, invalid
from .http_util import json_body
from .wire import (
    customer_json,
    parse_new_subscription,
    parse_seats,
    subscription_json,
    subscriptions_json,
)
from .world import World

Body = dict[str, Any]
# The methods whose calls go into the world's change log, and where the server puts the caller
# it identified when the call arrived.
SEAT_CHANGING = frozenset({"subscriptions.changeSeats", "subscriptions.insert"})
CALLER_KEY = "simulator.caller"
# A handler answers with the discovery schema its body must match, and the body.
Handler = Callable[[Request, Mapping[str, str]], tuple[str, Body]]


# Besides the Reseller API (all of whose methods get a route), the resources of the Admin APIs
# the reclaim feature calls: (api, version, resource, prefix of the method ids served).
ADMIN_RESOURCES: Final = (
    ("admin", "directory_v1", "users", "directory."),
    ("licensing", "v1", "licenseAssignments", "licensing."),
    ("admin", "reports_v1", "userUsageReport", "reports."),
)


@lru_cache(maxsize=1)
def api_routes() -> Map:
    """One map for every API served: their paths do not collide (apps/reseller/v1/...,
    apps/licensing/v1/..., admin/directory/v1/..., admin/reports/v1/...). Endpoints are the
    method ids, the Reseller API's without their "reseller." prefix."""
    rules: list[Rule] = []
    reseller = json.loads(get_static_doc("reseller", "v1") or "{}")
    for resource in reseller["resources"].values():
        rules += _rules(resource, strip="reseller.")
    for api, version, name, _ in ADMIN_RESOURCES:
        doc = json.loads(get_static_doc(api, version) or "{}")
        rules += _rules(doc["resources"][name])
    return Map(rules, strict_slashes=False)


def _rules(resource: dict[str, Any], strip: str = "") -> list[Rule]:
    rules = []
    for method in resource["methods"].values():
        path = re.sub(r"\{(\w+)\}", r"<\1>", method["path"])
        endpoint = method["id"].removeprefix(strip)
        rules.append(Rule(f"/{path}", methods=[method["httpMethod"]], endpoint=endpoint))
    return rules


class Api(Protocol):
    """One API's handlers, and the discovery schemas its answers must match."""

    schemas: DiscoverySchemas

    def handle(
        self, method_id: str, request: Request, args: Mapping[str, str]
    ) -> tuple[str, Body]: ...


class ResellerApi:
    def __init__(self, world: World, schemas: DiscoverySchemas) -> None:
        self._world = world
        self._schemas = schemas
        self.schemas = schemas
        self._handlers: dict[str, Handler] = {
            "subscriptions.list": self._list,
            "subscriptions.get": self._get,
            "subscriptions.changeSeats": self._change_seats,
            "subscriptions.insert": self._insert,
            "subscriptions.changeRenewalSettings": self._change_renewal,
            "customers.get": self._customer,
        }

    def handle(self, method_id: str, request: Request, args: Mapping[str, str]) -> tuple[str, Body]:
        handler = self._handlers.get(method_id)
        if handler is None:
            raise ApiError(501, "notImplemented", f"The simulator does not implement {method_id}.")
        return handler(request, args)

    def _list(self, request: Request, args: Mapping[str, str]) -> tuple[str, Body]:
        raw_max = request.args.get("maxResults", "20")
        try:
            max_results = int(raw_max)
        except ValueError:
            raise invalid(f"Invalid value for maxResults: {raw_max}.") from None
        page, token = self._world.list_subscriptions(
            customer_ref=request.args.get("customerId") or None,
            name_prefix=request.args.get("customerNamePrefix") or None,
            max_results=max_results,
            page_token=request.args.get("pageToken") or None,
        )
        return "Subscriptions", subscriptions_json(page, token)

    def _get(self, request: Request, args: Mapping[str, str]) -> tuple[str, Body]:
        sub = self._world.get_subscription(args["customerId"], args["subscriptionId"])
        return "Subscription", subscription_json(sub)

    def _change_seats(self, request: Request, args: Mapping[str, str]) -> tuple[str, Body]:
        seats = parse_seats(self._body(request, "Seats"))
        sub = self._world.change_seats(
            args["customerId"], args["subscriptionId"], seats, _caller(request)
        )
        return "Subscription", subscription_json(sub)

    def _change_renewal(self, request: Request, args: Mapping[str, str]) -> tuple[str, Body]:
        body = self._body(request, "RenewalSettings")
        sub = self._world.change_renewal(
            args["customerId"], args["subscriptionId"], str(body.get("renewalType") or "")
        )
        return "Subscription", subscription_json(sub)

    def _insert(self, request: Request, args: Mapping[str, str]) -> tuple[str, Body]:
        new = parse_new_subscription(self._body(request, "Subscription"))
        sub = self._world.insert_subscription(args["customerId"], new, _caller(request))
        return "Subscription", subscription_json(sub)

    def _customer(self, request: Request, args: Mapping[str, str]) -> tuple[str, Body]:
        return "Customer", customer_json(self._world.get_customer(args["customerId"]))

    def _body(self, request: Request, schema: str) -> Body:
        return json_body(request, self._schemas, schema)


def _caller(request: Request) -> str:
    known = request.environ.get(CALLER_KEY)
    return str(known) if known else identify(request.environ)
