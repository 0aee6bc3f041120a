"""The /_control/ routes for customers' users: add, edit, delete, (un)assign licences behind the
Licensing API's back, and switch a customer's reseller access to its Admin APIs off.

Times are Google's RFC 3339 strings; "1970-01-01T00:00:00.000Z" (or null) means never.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from werkzeug.routing import Rule

from ..serving import Body, optional, required
from .catalogue import ALL_SKUS
from .people import Workspace
from .users import ACCESS_MODES, WorkspaceUser, parse_time
from .world import WorldError

if TYPE_CHECKING:
    from .server import SimulatorApp

PEOPLE_RULES: Final = [
    Rule("/_control/users/<customer>", methods=["GET"], endpoint="users"),
    Rule("/_control/users", methods=["POST"], endpoint="add_user"),
    Rule("/_control/users/<customer>/<email>", methods=["PATCH"], endpoint="update_user"),
    Rule("/_control/users/<customer>/<email>", methods=["DELETE"], endpoint="delete_user"),
    Rule("/_control/licences/<customer>/<sku>/<email>", methods=["POST"], endpoint="assign"),
    Rule("/_control/licences/<customer>/<sku>/<email>", methods=["DELETE"], endpoint="unassign"),
    Rule("/_control/customers/<customer>/admin_apis", methods=["POST"], endpoint="admin_apis"),
]


class PeopleControl:
    """Mixed into ControlRoutes: handlers `_h_<endpoint>(body, args)`, all under the lock."""

    _app: SimulatorApp

    def _h_users(self, body: Body, args: Mapping[str, str]) -> Any:
        with self._app.world.lock:
            return _directory_state(self._app.world.workspace(args["customer"]))

    def _h_add_user(self, body: Body, args: Mapping[str, str]) -> Any:
        world = self._app.world
        with world.lock:
            workspace = world.workspace(required(body, "customerId", str))
            sku_id = optional(body, "skuId", str)
            if sku_id is not None:
                _workspace_sku(workspace, sku_id)
            now = world.now_ms()
            created = _time(body, "creationTime") or now
            user = world.people.new_user(
                workspace.directory,
                sku_id,
                created,
                now,
                fresh=True,
                email=_email(body, workspace.customer.domain),
            )
            _edit(user, body)
            workspace.recount()
            return _user_state(workspace, user)

    def _h_update_user(self, body: Body, args: Mapping[str, str]) -> Any:
        with self._app.world.lock:
            workspace, user = self._user(args)
            if "skuId" in body:
                sku_id = optional(body, "skuId", str) or None
                if sku_id is not None:
                    _workspace_sku(workspace, sku_id)
                user.edition = sku_id
            _edit(user, body)
            workspace.recount()
            return _user_state(workspace, user)

    def _h_delete_user(self, body: Body, args: Mapping[str, str]) -> Any:
        with self._app.world.lock:
            workspace, user = self._user(args)
            workspace.directory.remove(user)
            workspace.recount()
            return {"deleted": user.email}

    def _h_assign(self, body: Body, args: Mapping[str, str]) -> Any:
        return self._licence(args, assign=True)

    def _h_unassign(self, body: Body, args: Mapping[str, str]) -> Any:
        return self._licence(args, assign=False)

    def _h_admin_apis(self, body: Body, args: Mapping[str, str]) -> Any:
        access = required(body, "access", str)
        if access not in ACCESS_MODES:
            raise WorldError(f"access must be one of {sorted(ACCESS_MODES)}")
        with self._app.world.lock:
            workspace = self._app.world.workspace(args["customer"])
            workspace.directory.access = access
            return _access_state(workspace)

    def _licence(self, args: Mapping[str, str], *, assign: bool) -> Any:
        # God mode, like an admin in the console: a Workspace SKU is the user's edition (moving
        # them to an org unit with that licence, or one without), an add-on one assignment.
        with self._app.world.lock:
            workspace, user = self._user(args)
            sku_id = args["sku"]
            _workspace_sku(workspace, sku_id)
            if ALL_SKUS[sku_id].auto_licensed:
                user.edition = sku_id if assign else None
            elif assign:
                workspace.directory.add_ons.setdefault(sku_id, set()).add(user.user_id)
            else:
                workspace.directory.add_ons.get(sku_id, set()).discard(user.user_id)
            workspace.recount()
            return _user_state(workspace, user)

    def _user(self, args: Mapping[str, str]) -> tuple[Workspace, WorkspaceUser]:
        workspace = self._app.world.workspace(args["customer"])
        user = workspace.directory.find(args["email"])
        if user is None:
            raise WorldError(f"{workspace.customer.domain} has no user {args['email']!r}")
        return workspace, user


def _edit(user: WorkspaceUser, body: Body) -> None:
    """Apply the optional user fields of a control body."""
    if "lastLoginTime" in body:
        user.set_last_login(_time(body, "lastLoginTime"))
    if "lastSsoTime" in body:
        user.set_last_login(_time(body, "lastSsoTime"), sso=True)
    suspended = optional(body, "suspended", bool)
    if suspended is not None and suspended != user.suspended:
        user.suspended, user.suspended_ms = suspended, None
    flags = {"archived": "archived", "isAdmin": "is_admin", "sso": "sso", "dormant": "dormant"}
    for name, attribute in flags.items():
        value = optional(body, name, bool)
        if value is not None:
            setattr(user, attribute, value)
    org_unit = optional(body, "orgUnitPath", str)
    if org_unit is not None:
        user.org_unit_path = org_unit


def _time(body: Body, name: str) -> int | None:
    text = optional(body, name, str)
    try:
        return parse_time(text) if text else None
    except ValueError:
        raise WorldError(f"{name} must be an RFC 3339 time, not {text!r}") from None


def _email(body: Body, domain: str) -> str | None:
    email = optional(body, "email", str)
    if email and not email.lower().endswith("@" + domain):
        raise WorldError(f"email must be on the customer's domain {domain}")
    return email.strip().lower() if email else None


def _workspace_sku(workspace: Workspace, sku_id: str) -> None:
    if sku_id not in workspace.subs:
        raise WorldError(f"{workspace.customer.domain} has no subscription to SKU {sku_id}")


def _user_state(workspace: Workspace, user: WorkspaceUser) -> dict[str, Any]:
    held = [
        s for s in sorted(workspace.subs) if workspace.directory.holds(user, s, workspace.seats(s))
    ]
    return {**user.snapshot(), "licences": held}


def _access_state(workspace: Workspace) -> dict[str, Any]:
    return {
        "customerId": workspace.customer.customer_id,
        "customerDomain": workspace.customer.domain,
        "adminApiAccess": workspace.directory.access,
    }


def _directory_state(workspace: Workspace) -> dict[str, Any]:
    users = sorted(workspace.directory.users.values(), key=lambda u: u.email)
    return {**_access_state(workspace), "users": [_user_state(workspace, u) for u in users]}
