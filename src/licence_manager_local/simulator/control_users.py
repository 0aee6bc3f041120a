"""The typed client's half for customers' users (see people_routes.py); mixed into
SimulatorControl. Standard library only.

sim.add_user("acme-widgets.example", sku_id="1010020027", last_login=None)   # never signed in
sim.update_user("acme-widgets.example", "ada.chen@acme-widgets.example", suspended=True)
sim.set_admin_api_access("globex.example", "OFF")   # 403 domainCannotUseApis from now on
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING, Any, TypedDict, cast

# What a control body says for "never signed in" (Google's own value).
NEVER = "1970-01-01T00:00:00.000Z"


class UserState(TypedDict):
    id: str
    primaryEmail: str
    givenName: str
    familyName: str
    creationTime: str
    lastLoginTime: str  # the latest sign-in of either kind; NEVER if none
    lastSsoTime: str
    edition: str | None  # the Workspace SKU auto-licensing gives the user
    suspended: bool
    archived: bool
    isAdmin: bool
    orgUnitPath: str
    sso: bool
    dormant: bool  # the demo's drift never signs this user in again
    licences: list[str]  # SKUs the user holds a licence of (editions within the seats)


class DirectoryState(TypedDict):
    customerId: str
    customerDomain: str
    adminApiAccess: str  # ON, OFF (403 domainCannotUseApis) or FORBIDDEN (403 forbidden)
    users: list[UserState]


class UsersControl:
    if TYPE_CHECKING:  # ControlClient's, which SimulatorControl mixes this into

        def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any: ...

    def users(self, customer: str) -> DirectoryState:
        return cast(DirectoryState, self._call("GET", f"users/{_seg(customer)}"))

    def add_user(
        self,
        customer: str,
        *,
        sku_id: str | None = None,
        email: str | None = None,
        creation_time: str | None = None,
        last_login: str | None = NEVER,
        **fields: Any,
    ) -> UserState:
        """A new user (of Workspace edition `sku_id`, if any): made now unless `creation_time`,
        never signed in unless `last_login`. `fields`: suspended, archived, isAdmin, sso,
        dormant, orgUnitPath, lastSsoTime."""
        body = {
            "customerId": customer,
            "skuId": sku_id,
            "email": email,
            "creationTime": creation_time,
            "lastLoginTime": last_login,
            **fields,
        }
        return cast(UserState, self._call("POST", "users", body))

    def update_user(self, customer: str, email: str, **fields: Any) -> UserState:
        """Change a user: suspended, archived, isAdmin, sso, dormant, orgUnitPath,
        lastLoginTime / lastSsoTime (forget later sign-ins, record one then; NEVER clears them
        all) and skuId (the edition; "" for none)."""
        path = f"users/{_seg(customer)}/{_seg(email)}"
        return cast(UserState, self._call("PATCH", path, fields))

    def delete_user(self, customer: str, email: str) -> None:
        self._call("DELETE", f"users/{_seg(customer)}/{_seg(email)}")

    def assign_licence(self, customer: str, sku_id: str, email: str) -> UserState:
        """Behind the Licensing API's back: no 412, no seat check (a user past the seats waits)."""
        path = f"licences/{_seg(customer)}/{_seg(sku_id)}/{_seg(email)}"
        return cast(UserState, self._call("POST", path))

    def unassign_licence(self, customer: str, sku_id: str, email: str) -> UserState:
        path = f"licences/{_seg(customer)}/{_seg(sku_id)}/{_seg(email)}"
        return cast(UserState, self._call("DELETE", path))

    def set_admin_api_access(self, customer: str, access: str = "OFF") -> dict[str, str]:
        """ON; OFF: Directory, Licensing and Reports answer 403 domainCannotUseApis; FORBIDDEN:
        403 forbidden. The Reseller API keeps working either way."""
        path = f"customers/{_seg(customer)}/admin_apis"
        return cast(dict[str, str], self._call("POST", path, {"access": access}))


def _seg(value: str) -> str:
    return urllib.parse.quote(value, safe="")
