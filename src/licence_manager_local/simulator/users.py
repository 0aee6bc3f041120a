"""A customer's Workspace users and who holds which licence: what Directory, Licensing and
Reports see.

Workspace editions are auto-licensed: each user has an edition (the Workspace SKU their org
unit gets), and Google assigns that SKU's licences to its users oldest first, up to the
subscription's seats; the others wait, as the Reseller model's users over the cap do. So a
subscription's `users` is the number of users of its edition, and licensedNumberOfSeats the
number holding one. Add-ons (not auto-licensed) are assigned user by user. Archived users hold
no edition licence: they move to an Archived User SKU, which the simulator does not model.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final

from .catalogue import ALL_SKUS

# How Directory (lastLoginTime) and Reports (accounts:last_login_time) say "never signed in".
NEVER: Final = "1970-01-01T00:00:00.000Z"

# The reseller's switch per customer: what its Admin APIs answer a reseller.
ACCESS_ON: Final = "ON"
ACCESS_OFF: Final = "OFF"  # the customer disabled reseller access to the Admin SDK: 403
# domainCannotUseApis
ACCESS_FORBIDDEN: Final = "FORBIDDEN"  # the customer disabled reseller Admin console access:
# 403 forbidden (Google's reseller "Directory API common errors" page)
ACCESS_MODES: Final = frozenset({ACCESS_ON, ACCESS_OFF, ACCESS_FORBIDDEN})


def google_time(ms: int | None) -> str:
    """Google's RFC 3339 form with milliseconds; None is the 1970 "never" value."""
    if ms is None:
        return NEVER
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_time(text: str) -> int | None:
    """The inverse of google_time for control requests: ms, or None for the 1970 value."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    ms = int(moment.timestamp() * 1000)
    return None if ms <= 0 else ms


@dataclass(slots=True)
class WorkspaceUser:
    user_id: str  # Directory's immutable id (Reports' profileId)
    email: str
    given_name: str
    family_name: str
    created_ms: int
    edition: str | None  # the Workspace SKU auto-licensing gives this user, if any
    suspended: bool = False
    suspended_ms: int | None = None
    archived: bool = False
    is_admin: bool = False
    org_unit_path: str = "/"
    sso: bool = False  # signs in through the customer's identity provider
    # Drift never signs a dormant user in again: someone who left, or stopped using Workspace.
    dormant: bool = False
    # Sign-ins (ms, ascending), kept whole so Reports can answer for any past day.
    logins: list[int] = field(default_factory=list)
    sso_logins: list[int] = field(default_factory=list)

    def last_sign_in(self, *, sso: bool, before_ms: int | None = None) -> int | None:
        times = self.sso_logins if sso else self.logins
        index = len(times) if before_ms is None else bisect_left(times, before_ms)
        return times[index - 1] if index else None

    def last_login_ms(self) -> int | None:
        """Directory's lastLoginTime: the latest sign-in of either kind."""
        seen = [t for t in (self.last_sign_in(sso=False), self.last_sign_in(sso=True)) if t]
        return max(seen, default=None)

    def sign_in(self, at_ms: int, *, sso: bool | None = None) -> None:
        insort(self.sso_logins if (self.sso if sso is None else sso) else self.logins, at_ms)

    def set_last_login(self, at_ms: int | None, *, sso: bool = False) -> None:
        """Forget sign-ins after `at_ms` (all of them for None: never) and record one then."""
        if at_ms is None:
            self.logins.clear()
            self.sso_logins.clear()
            return
        for times in (self.logins, self.sso_logins):
            del times[bisect_left(times, at_ms + 1) :]
        self.sign_in(at_ms, sso=sso)

    def copy(self) -> WorkspaceUser:
        return replace(self, logins=list(self.logins), sso_logins=list(self.sso_logins))

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "primaryEmail": self.email,
            "givenName": self.given_name,
            "familyName": self.family_name,
            "creationTime": google_time(self.created_ms),
            "lastLoginTime": google_time(self.last_login_ms()),
            "lastSsoTime": google_time(self.last_sign_in(sso=True)),
            "edition": self.edition,
            "suspended": self.suspended,
            "archived": self.archived,
            "isAdmin": self.is_admin,
            "orgUnitPath": self.org_unit_path,
            "sso": self.sso,
            "dormant": self.dormant,
        }


def _order(user: WorkspaceUser) -> tuple[int, str]:
    return (user.created_ms, user.user_id)


class CustomerDirectory:
    """One customer's users, by id and by lower-cased primary email, and its add-on holders."""

    def __init__(self, customer_id: str, domain: str) -> None:
        self.customer_id = customer_id
        self.domain = domain
        self.users: dict[str, WorkspaceUser] = {}
        self._id_for_email: dict[str, str] = {}
        self.add_ons: dict[str, set[str]] = {}  # add-on skuId -> ids of the users assigned it
        self.access = ACCESS_ON

    def add(self, user: WorkspaceUser) -> WorkspaceUser:
        key = user.email.lower()
        if key in self._id_for_email or user.user_id in self.users:
            raise ValueError(f"user {user.email} already exists")
        self.users[user.user_id] = user
        self._id_for_email[key] = user.user_id
        return user

    def remove(self, user: WorkspaceUser) -> None:
        del self.users[user.user_id]
        del self._id_for_email[user.email.lower()]
        for holders in self.add_ons.values():
            holders.discard(user.user_id)

    def find(self, key: str) -> WorkspaceUser | None:
        """A user by primary email (any case) or id."""
        user_id = self._id_for_email.get(key.lower(), key)
        return self.users.get(user_id)

    def has_email(self, email: str) -> bool:
        return email.lower() in self._id_for_email

    def wanting(self, sku_id: str) -> list[WorkspaceUser]:
        """The users who hold or wait for a licence of the SKU, in the order Google fills seats."""
        if ALL_SKUS[sku_id].auto_licensed:
            chosen = [u for u in self.users.values() if u.edition == sku_id and not u.archived]
        else:
            chosen = [self.users[i] for i in self.add_ons.get(sku_id, ())]
        return sorted(chosen, key=_order)

    def holders(self, sku_id: str, seats: int) -> list[WorkspaceUser]:
        return self.wanting(sku_id)[:seats]

    def holds(self, user: WorkspaceUser, sku_id: str, seats: int) -> bool:
        return any(h.user_id == user.user_id for h in self.holders(sku_id, seats))

    def copy(self) -> CustomerDirectory:
        other = CustomerDirectory(self.customer_id, self.domain)
        other.users = {k: u.copy() for k, u in self.users.items()}
        other._id_for_email = dict(self._id_for_email)
        other.add_ons = {k: set(v) for k, v in self.add_ons.items()}
        other.access = self.access
        return other
