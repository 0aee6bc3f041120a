"""The Directory API's users: `users.list` (paged, by customer id or domain) and `users.get`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from werkzeug.wrappers import Request

from .admin_apis import etag, open_workspace
from .discovery_schema import DiscoverySchemas, schemas_for
from .errors import ApiError, invalid, not_found
from .http_util import int_arg
from .paging import decode_token, encode_token
from .people import Workspace
from .users import WorkspaceUser, google_time
from .world import World

Body = dict[str, Any]
_PROJECTIONS: Final = frozenset({"basic", "custom", "full"})
_ORDER_KEYS: Final[dict[str, Callable[[WorkspaceUser], str]]] = {
    "email": lambda u: u.email.lower(),
    "familyName": lambda u: u.family_name.lower(),
    "givenName": lambda u: u.given_name.lower(),
}
# The search terms the simulator understands (Google's "Search for users" guide has more).
_QUERY_FLAGS: Final[dict[str, Callable[[WorkspaceUser], bool]]] = {
    "isSuspended": lambda u: u.suspended,
    "isArchived": lambda u: u.archived,
    "isAdmin": lambda u: u.is_admin,
}


def bad_request() -> ApiError:
    return ApiError(400, "badRequest", "Bad Request")


def user_json(user: WorkspaceUser, customer_id: str) -> Body:
    body: Body = {
        "kind": "admin#directory#user",
        "id": user.user_id,
        "primaryEmail": user.email,
        "name": {
            "givenName": user.given_name,
            "familyName": user.family_name,
            "fullName": f"{user.given_name} {user.family_name}",
        },
        "isAdmin": user.is_admin,
        "isDelegatedAdmin": False,
        # The 1970 value for someone who never signed in, as Google sends it.
        "lastLoginTime": google_time(user.last_login_ms()),
        "creationTime": google_time(user.created_ms),
        "agreedToTerms": user.last_login_ms() is not None,
        "suspended": user.suspended,
        "archived": user.archived,
        "changePasswordAtNextLogin": False,
        "ipWhitelisted": False,
        "emails": [{"address": user.email, "primary": True}],
        "customerId": customer_id,
        "orgUnitPath": user.org_unit_path,
        "isMailboxSetup": True,
        "isEnrolledIn2Sv": False,
        "isEnforcedIn2Sv": False,
        "includeInGlobalAddressList": not user.archived,
    }
    if user.suspended:
        body["suspensionReason"] = "ADMIN"
    body["etag"] = etag(body)
    return body


class DirectoryApi:
    def __init__(self, world: World) -> None:
        self._world = world
        self.schemas: DiscoverySchemas = schemas_for("admin", "directory_v1")

    def handle(self, method_id: str, request: Request, args: Mapping[str, str]) -> tuple[str, Body]:
        if method_id == "directory.users.list":
            return "Users", self._list(request)
        if method_id == "directory.users.get":
            return "User", self._get(args["userKey"])
        raise ApiError(501, "notImplemented", f"The simulator does not implement {method_id}.")

    def _list(self, request: Request) -> Body:
        q = request.args
        customer, domain = q.get("customer") or None, q.get("domain") or None
        if customer is None and domain is None:
            raise bad_request()  # "You must provide either the customer or the domain"
        max_results = int_arg(request, "maxResults", 100, 1, 500)
        if q.get("projection", "basic") not in _PROJECTIONS:
            raise invalid(f"Invalid value for projection: {q.get('projection')}")
        order_by, sort_order = q.get("orderBy") or "email", q.get("sortOrder") or "ASCENDING"
        if order_by not in _ORDER_KEYS or sort_order not in ("ASCENDING", "DESCENDING"):
            raise invalid("Invalid value for orderBy or sortOrder")
        wanted = _query(q.get("query") or "")
        fingerprint = "|".join(
            [customer or "", domain or "", order_by, sort_order, q.get("query", "")]
        )
        cursor = decode_token(q["pageToken"], fingerprint) if q.get("pageToken") else None
        with self._world.lock:
            workspace = self._customer(customer, domain)
            # Deleted users are gone from the simulator altogether: showDeleted finds nobody.
            users = (
                [] if q.get("showDeleted") == "true" else list(workspace.directory.users.values())
            )
            key = _ORDER_KEYS[order_by]
            ranked = sorted(((key(u), u.user_id), u) for u in users if wanted(u))
            descending = sort_order == "DESCENDING"
            if descending:
                ranked.reverse()
            if cursor is not None:
                ranked = [(r, u) for r, u in ranked if (r < cursor if descending else r > cursor)]
            page = ranked[:max_results]
            body: Body = {"kind": "admin#directory#users"}
            # Google leaves an empty list out of the response rather than sending [].
            if page:
                body["users"] = [user_json(u, workspace.customer.customer_id) for _, u in page]
            if len(ranked) > max_results:
                body["nextPageToken"] = encode_token(page[-1][0], fingerprint)
            body["etag"] = etag(body)
            return body

    def _get(self, user_key: str) -> Body:
        domain = user_key.partition("@")[2]
        with self._world.lock:
            if not domain:
                raise not_found("Resource Not Found: userKey")  # ids are looked up by email here
            workspace = open_workspace(self._world, domain)
            user = workspace.directory.find(user_key)
            if user is None:
                raise not_found("Resource Not Found: userKey")
            return user_json(user, workspace.customer.customer_id)

    def _customer(self, customer: str | None, domain: str | None) -> Workspace:
        if customer == "my_customer":
            # The reseller's own account, which the simulator does not hold: a list that
            # forgot `customer` for a resold customer finds nobody rather than failing.
            raise not_found("Resource Not Found: my_customer has no users in the simulator")
        workspace = open_workspace(self._world, customer or domain or "")
        # `customer` takes Google's id only (Google's reseller guide: "Only use the customerId
        # that was generated by Google. Don't use the actual customer's domain"); the answer
        # to a domain there is a guess, but surely not the customer's users.
        if customer is not None and workspace.customer.customer_id != customer:
            raise bad_request()
        if domain is not None and workspace.customer.domain != domain.lower():
            raise bad_request()
        return workspace


def _query(text: str) -> Callable[[WorkspaceUser], bool]:
    """A filter for `isSuspended=true isAdmin=false ...`; other search terms are refused."""
    checks = []
    for term in text.split():
        name, _, value = term.partition("=")
        if name not in _QUERY_FLAGS or value.lower() not in ("true", "false"):
            raise invalid(f"Invalid Input: query term {term} (the simulator knows {_QUERY_FLAGS})")
        checks.append((_QUERY_FLAGS[name], value.lower() == "true"))
    return lambda user: all(flag(user) == expected for flag, expected in checks)
