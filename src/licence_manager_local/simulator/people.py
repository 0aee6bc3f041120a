"""The users of every customer, made up on first need and kept in step with the Reseller world.

A customer's directory is generated (deterministically, from the world's seed and the customer
id) the first time anything asks for it, from its subscriptions' user counts: a generated world
of 25,000 subscriptions stays cheap until a test looks at one customer's users. From then on
the directory is the truth: a subscription's `users` follows its users, and a change of
`users` made on the Reseller side (drift, a control edit) adds or removes users to match.
Callers hold the world's lock.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from .catalogue import ALL_SKUS, DAY_MS
from .model import Customer, Subscription
from .users import CustomerDirectory, WorkspaceUser

# First and family names for made-up users (emails are given.family@domain).
_GIVEN: Final = str.split(
    "Ada Ben Chloe Dev Elif Farah Gus Hana Ivo Jun Kai Lena Milo Nia Omar Priya Quinn Rosa Sam "
    "Tariq Uma Vera Wes Xia Yusuf Zoe"
)
_FAMILY: Final = str.split(
    "Abbott Baker Chen Diaz Evans Fischer Garcia Haddad Ito Jones Khan Lopez Meyer Novak Okafor "
    "Patel Quist Rossi Silva Tanaka Usman Varga Walsh Xu Young Zimmer"
)

# Drift, per step: how likely an active user signs in, and a customer sees a suspension, a user
# who stops signing in, or a suspended user deleted (the admin tidying up).
_SIGN_IN = 0.3
_SUSPEND = 0.08
_GO_DORMANT = 0.06
_DELETE_SUSPENDED = 0.03


@dataclass(frozen=True, slots=True)
class Workspace:
    """One customer's live records, for use under the world's lock."""

    customer: Customer
    directory: CustomerDirectory
    subs: dict[str, Subscription]  # by skuId

    def recount(self) -> None:
        """Subscriptions' users follow the directory (licensedNumberOfSeats with them)."""
        for sku_id, sub in self.subs.items():
            sub.users = len(self.directory.wanting(sku_id))

    def seats(self, sku_id: str) -> int:
        sub = self.subs.get(sku_id)
        return sub.seats if sub is not None else 0


class People:
    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._rng = random.Random(f"people:{seed}")  # follow and drift; ids use their own
        self._directories: dict[str, CustomerDirectory] = {}

    def clone(self) -> People:
        other = People(self._seed)
        other._rng.setstate(self._rng.getstate())
        other._directories = {k: d.copy() for k, d in self._directories.items()}
        return other

    def known(self, customer_id: str) -> CustomerDirectory | None:
        return self._directories.get(customer_id)

    def directories(self) -> list[CustomerDirectory]:
        return list(self._directories.values())

    def workspace(self, customer: Customer, subs: Iterable[Subscription], now_ms: int) -> Workspace:
        by_sku = {s.sku_id: s for s in subs}
        directory = self._directories.get(customer.customer_id)
        if directory is None:
            directory = self._generate(customer, by_sku, now_ms)
            self._directories[customer.customer_id] = directory
        return Workspace(customer, directory, by_sku)

    def follow(self, workspace: Workspace, sku_id: str, now_ms: int) -> None:
        """The Reseller side set a subscription's users: add or remove users to match."""
        sub = workspace.subs[sku_id]
        directory = workspace.directory
        wanting = directory.wanting(sku_id)
        if ALL_SKUS[sku_id].auto_licensed:
            for _ in range(sub.users - len(wanting)):
                # A new starter: made today, not signed in yet (drift will sign them in).
                self.new_user(directory, sku_id, now_ms, now_ms, fresh=True)
            excess = max(0, len(wanting) - sub.users)
            staff = [u for u in wanting if not u.is_admin]
            leavers = self._rng.sample(staff, min(excess, len(staff)))
            leavers += [u for u in wanting if u.is_admin][: excess - len(leavers)]  # admins last
            for user in leavers:
                directory.remove(user)
        else:
            holders = directory.add_ons.setdefault(sku_id, set())
            target = min(sub.users, sub.seats)
            others = [u for u in directory.users.values() if u.user_id not in holders]
            others = [u for u in others if not u.archived]
            for user in self._rng.sample(others, min(len(others), max(0, target - len(holders)))):
                holders.add(user.user_id)
            for user_id in self._rng.sample(sorted(holders), max(0, len(holders) - target)):
                holders.discard(user_id)
        workspace.recount()

    def drift(self, workspaces: Iterable[Workspace], now_ms: int) -> None:
        """Active users sign in; now and then someone is suspended, stops signing in, or (once
        suspended) is deleted, so the demo grows reclaimable seats as it runs."""
        rng = self._rng
        for workspace in workspaces:
            users = sorted(workspace.directory.users.values(), key=lambda u: u.user_id)
            active = [u for u in users if not (u.suspended or u.archived or u.dormant)]
            for user in active:
                if rng.random() < _SIGN_IN:
                    user.sign_in(now_ms)
            staff = [u for u in active if not u.is_admin]
            if staff and rng.random() < _SUSPEND:
                suspended = rng.choice(staff)
                suspended.suspended, suspended.suspended_ms = True, now_ms
            if staff and rng.random() < _GO_DORMANT:
                rng.choice(staff).dormant = True
            gone = [u for u in users if u.suspended]
            if gone and rng.random() < _DELETE_SUSPENDED:
                workspace.directory.remove(rng.choice(gone))
                workspace.recount()

    def new_user(
        self,
        directory: CustomerDirectory,
        edition: str | None,
        created_ms: int,
        now_ms: int,
        *,
        rng: random.Random | None = None,
        fresh: bool = False,
        email: str | None = None,
    ) -> WorkspaceUser:
        rng = rng or self._rng
        given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
        if email is None:
            email = f"{given}.{family}@{directory.domain}".lower()
            suffix = 2
            while directory.has_email(email):
                email = f"{given}.{family}{suffix}@{directory.domain}".lower()
                suffix += 1
        user_id = str(rng.randrange(10**20, 10**21))
        while directory.find(user_id) is not None:
            user_id = str(rng.randrange(10**20, 10**21))
        user = WorkspaceUser(user_id, email, given, family, created_ms, edition)
        user.sso = rng.random() < 0.25
        if not fresh:
            _give_history(user, rng, now_ms)
        return directory.add(user)

    def _generate(
        self, customer: Customer, subs: dict[str, Subscription], now_ms: int
    ) -> CustomerDirectory:
        rng = random.Random(f"{self._seed}/{customer.customer_id}")
        directory = CustomerDirectory(customer.customer_id, customer.domain)
        for sku_id in sorted(subs):
            if ALL_SKUS[sku_id].auto_licensed:
                for _ in range(subs[sku_id].users):
                    created = now_ms - rng.randint(30, 900) * DAY_MS
                    first = not directory.users
                    email = f"admin@{customer.domain}" if first else None
                    user = self.new_user(directory, sku_id, created, now_ms, rng=rng, email=email)
                    user.is_admin = first
        for sku_id in sorted(subs):
            sub = subs[sku_id]
            if not ALL_SKUS[sku_id].auto_licensed:
                pool = sorted(u.user_id for u in directory.users.values() if not u.archived)
                chosen = rng.sample(pool, min(len(pool), sub.users, sub.seats))
                directory.add_ons[sku_id] = set(chosen)
        Workspace(customer, directory, subs).recount()
        return directory


def _give_history(user: WorkspaceUser, rng: random.Random, now_ms: int) -> None:
    """A plausible past: most users sign in every few days; some were suspended, stopped
    signing in months ago, never signed in, or only just joined."""
    roll = rng.random()
    if roll < 0.05:
        user.suspended, user.dormant = True, True
        user.suspended_ms = now_ms - rng.randint(5, 60) * DAY_MS
        _sign_ins(user, rng, user.suspended_ms - rng.randint(0, 20) * DAY_MS, days=20)
    elif roll < 0.10:
        user.dormant = True
        last = now_ms - rng.randint(70, 300) * DAY_MS
        user.created_ms = min(user.created_ms, last - 30 * DAY_MS)
        _sign_ins(user, rng, last, days=30)
    elif roll < 0.13:
        user.dormant = True
        user.created_ms = min(user.created_ms, now_ms - rng.randint(65, 400) * DAY_MS)
    elif roll < 0.16:
        user.created_ms = now_ms - rng.randint(0, 20) * DAY_MS
        if rng.random() < 0.5:
            _sign_ins(user, rng, now_ms - rng.randint(0, 2) * DAY_MS, days=5)
    else:
        _sign_ins(user, rng, now_ms - rng.randint(0, 3 * DAY_MS), days=40)


def _sign_ins(user: WorkspaceUser, rng: random.Random, last_ms: int, *, days: int) -> None:
    """Sign-ins every one to four days, back from `last_ms` over `days` (not before creation)."""
    at = last_ms
    earliest = max(user.created_ms, last_ms - days * DAY_MS)
    while at >= earliest:
        user.sign_in(at)
        at -= rng.randint(1, 4) * DAY_MS + rng.randint(-3_600_000, 3_600_000)
