"""In-memory reseller state and the business rules of the Reseller API.

No HTTP here: API operations take plain values, return copies of records, and raise
`ApiError` where Google would refuse. One re-entrant lock guards everything, so the
server's request threads and the drift thread can share a world.
"""

from __future__ import annotations

import random
import string
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from .catalogue import (
    ACTIVE,
    ALL_SKUS,
    BILLING_METHODS,
    ONLINE,
    REQUEST_PLANS,
    STATUSES,
)
from .errors import duplicate, forbidden, invalid, not_found
from .model import Customer, SeatChange, Subscription
from .paging import decode_token, encode_token, query_fingerprint
from .people import People, Workspace
from .rules import SeatsRequest, check_renewal_change, check_seat_change, requested_cap

Key = tuple[str, str]  # (customerDomain, skuId): the list order and the paging cursor

# Join/leave steps for drift; the weights lean slightly towards joins so usage grows.
_DRIFT_STEPS = (-2, -1, 1, 2)
_DRIFT_WEIGHTS = (1, 4, 5, 1)
# How far demand may run past the cap: users waiting for a licence Google could not assign.
_MAX_WAITING_USERS = 3


class WorldError(ValueError):
    """A control or seeding request that makes no sense (not an API error)."""


@dataclass(frozen=True, slots=True)
class NewSubscription:
    sku_id: str
    plan_name: str
    seats: SeatsRequest
    purchase_order_id: str | None = None
    customer_id: str | None = None


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


class World:
    def __init__(self, *, seed: int = 0, clock: Callable[[], int] = wall_clock_ms) -> None:
        self._lock = threading.RLock()
        self._rng = random.Random(seed)  # only for new ids, so ids are reproducible
        self._clock = clock
        self._customers: dict[str, Customer] = {}
        self._id_for_domain: dict[str, str] = {}
        self._subs: dict[Key, Subscription] = {}
        self._key_for_id: dict[str, Key] = {}
        self._issued_ids: set[str] = set()
        self._order: list[Key] = []
        self._order_dirty = False
        self._changes: list[SeatChange] = []
        self._people = People(seed)

    # ----- seeding and control: direct edits, no API rules beyond sanity -----

    def add_customer(
        self,
        domain: str,
        organization_name: str,
        *,
        customer_id: str | None = None,
        alternate_email: str | None = None,
        country_code: str = "GB",
        ours: bool = True,
    ) -> Customer:
        domain = domain.strip().lower()
        with self._lock:
            if not domain or domain in self._id_for_domain:
                raise WorldError(f"customer domain {domain!r} is empty or already exists")
            if customer_id is None:
                customer_id = self._new_customer_id()
            elif customer_id in self._customers:
                raise WorldError(f"customer id {customer_id!r} already exists")
            self._issued_ids.add(customer_id)
            customer = Customer(
                customer_id=customer_id,
                domain=domain,
                organization_name=organization_name,
                alternate_email=alternate_email or f"admin@{domain.split('.')[0]}-alt.example",
                country_code=country_code,
                ours=ours,
            )
            self._customers[customer_id] = customer
            self._id_for_domain[domain] = customer_id
            return replace(customer)

    def add_subscription(
        self,
        customer_ref: str,
        sku_id: str,
        plan_name: str,
        seats: int,
        *,
        users: int = 0,
        status: str = ACTIVE,
        billing_method: str = ONLINE,
        creation_time_ms: int | None = None,
        purchase_order_id: str | None = None,
    ) -> Subscription:
        _check_enum("skuId", sku_id, ALL_SKUS)
        _check_enum("planName", plan_name, REQUEST_PLANS)
        _check_enum("status", status, STATUSES)
        _check_enum("billingMethod", billing_method, BILLING_METHODS)
        if seats < 1 or users < 0:
            raise WorldError("seats must be >= 1 and users >= 0")
        with self._lock:
            customer = self._customer(customer_ref)
            key = (customer.domain, sku_id)
            if key in self._subs:
                raise WorldError(f"{customer.domain} already has SKU {sku_id}")
            created = self._clock() if creation_time_ms is None else creation_time_ms
            sub = Subscription(
                customer_id=customer.customer_id,
                customer_domain=customer.domain,
                sku_id=sku_id,
                subscription_id=self._new_subscription_id(),
                plan_name=plan_name,
                seats=seats,
                users=users,
                status=ACTIVE,
                billing_method=billing_method,
                creation_time_ms=created,
                purchase_order_id=purchase_order_id,
            )
            sub.put_on_plan(plan_name, created, self._clock())
            sub.set_status(status)
            self._store(key, sub)
            self._follow(sub)
            return sub.copy()

    def set_ours(self, customer_ref: str, ours: bool) -> Customer:
        with self._lock:
            customer = self._customer(customer_ref)
            customer.ours = ours
            return replace(customer)

    def update_subscription(
        self,
        customer_ref: str,
        sku_id: str,
        *,
        users: int | None = None,
        seats: int | None = None,
        status: str | None = None,
        plan_name: str | None = None,
        billing_method: str | None = None,
        actor: str | None = None,
        new_id: bool = False,
        renewal_type: str | None = None,
    ) -> Subscription:
        """God-mode edit for tests and demos: no API rules, and the subscriptionId is kept unless
        `new_id` (as Google does when the Admin console updates a subscription). A seat change
        goes into the change log as `control:<actor>`: a change made outside Licence Manager."""
        with self._lock:
            sub = self._sub_by_sku(customer_ref, sku_id)
            if users is not None:
                if users < 0:
                    raise WorldError("users must be >= 0")
                sub.users = users
                self._follow(sub)
            if seats is not None:
                if seats < 1:
                    raise WorldError("seats must be >= 1")
                before, old_id = sub.seats, sub.subscription_id
                sub.seats = seats
                if new_id:
                    self._reissue_id(sub)
                self._log_change(
                    "control.update", sub, old_id, before, f"control:{actor or 'unnamed'}"
                )
            elif new_id:
                self._reissue_id(sub)
            if plan_name is not None:
                _check_enum("planName", plan_name, REQUEST_PLANS)
                now = self._clock()
                sub.put_on_plan(plan_name, now, now)
            if status is not None:
                _check_enum("status", status, STATUSES)
                sub.set_status(status)
            if billing_method is not None:
                _check_enum("billingMethod", billing_method, BILLING_METHODS)
                sub.billing_method = billing_method
            if renewal_type is not None:
                # As the Admin console would: any type on an annual plan, unchecked.
                if not sub.is_annual:
                    raise WorldError("only annual plans have a renewal type")
                sub.renewal_type = renewal_type
            return sub.copy()

    def drift(self, rng: random.Random, probability: float = 0.25) -> int:
        """Users join and leave active subscriptions; returns how many changed."""
        changed = 0
        with self._lock:
            for sub in self._subs.values():
                if sub.status != ACTIVE or rng.random() >= probability:
                    continue
                step = rng.choices(_DRIFT_STEPS, _DRIFT_WEIGHTS)[0]
                users = max(0, min(sub.users + step, sub.seats + _MAX_WAITING_USERS))
                if users != sub.users:
                    sub.users = users
                    self._follow(sub)
                    changed += 1
            known = [self._customers[d.customer_id] for d in self._people.directories()]
            self._people.drift([self._workspace(c) for c in known], self._clock())
        return changed

    # ----- the API operations -----

    def get_customer(self, customer_ref: str) -> Customer:
        with self._lock:
            return replace(self._api_customer(customer_ref))

    def list_subscriptions(
        self,
        *,
        customer_ref: str | None = None,
        name_prefix: str | None = None,
        max_results: int = 20,
        page_token: str | None = None,
    ) -> tuple[list[Subscription], str | None]:
        if not 1 <= max_results <= 100:
            raise invalid(f"Invalid value for maxResults: {max_results}. Must be 1 to 100.")
        with self._lock:
            customer = self._api_customer(customer_ref) if customer_ref else None
            prefix = name_prefix.lower() if name_prefix else None
            fingerprint = query_fingerprint(customer.customer_id if customer else None, prefix)
            cursor = decode_token(page_token, fingerprint) if page_token else None
            page: list[Subscription] = []
            for key in self._keys_from(customer, prefix, cursor):
                sub = self._subs[key]
                if not self._customers[sub.customer_id].ours:
                    continue
                if len(page) == max_results:
                    last = page[-1]
                    return page, encode_token((last.customer_domain, last.sku_id), fingerprint)
                page.append(sub.copy())
            return page, None

    def get_subscription(self, customer_ref: str, subscription_id: str) -> Subscription:
        with self._lock:
            return self._api_sub(customer_ref, subscription_id).copy()

    def change_seats(
        self, customer_ref: str, subscription_id: str, seats: SeatsRequest, caller: str = ""
    ) -> Subscription:
        with self._lock:
            sub = self._api_sub(customer_ref, subscription_id)
            before = sub.seats
            sub.seats = check_seat_change(sub, seats)
            self._reissue_id(sub)
            self._log_change("subscriptions.changeSeats", sub, subscription_id, before, caller)
            return sub.copy()

    def change_renewal(
        self, customer_ref: str, subscription_id: str, renewal_type: str
    ) -> Subscription:
        """subscriptions.changeRenewalSettings. Not in the seat change log: no seats move."""
        with self._lock:
            sub = self._api_sub(customer_ref, subscription_id)
            sub.renewal_type = check_renewal_change(sub, renewal_type)
            self._reissue_id(sub)
            return sub.copy()

    def insert_subscription(
        self, customer_ref: str, request: NewSubscription, caller: str = ""
    ) -> Subscription:
        with self._lock:
            customer = self._api_customer(customer_ref)
            if request.customer_id and self._customer_or_none(request.customer_id) is not customer:
                raise invalid("customerId in the body does not match the customer in the path.")
            if request.sku_id not in ALL_SKUS:
                raise invalid(f"Invalid skuId: {request.sku_id}.")
            if request.plan_name not in REQUEST_PLANS:
                raise invalid(f"Invalid planName: {request.plan_name}.")
            cap = requested_cap(request.plan_name, request.seats)
            if (customer.domain, request.sku_id) in self._subs:
                raise duplicate(f"Customer {customer.domain} already has SKU {request.sku_id}.")
            added = self.add_subscription(
                customer.customer_id,
                request.sku_id,
                request.plan_name,
                cap,
                purchase_order_id=request.purchase_order_id,
            )
            stored = self._subs[(customer.domain, request.sku_id)]
            self._log_change("subscriptions.insert", stored, None, 0, caller)
            return added

    def changes(self, after_seq: int = 0) -> list[SeatChange]:
        """Every seat change accepted, oldest first (those after `after_seq` only)."""
        with self._lock:
            return [c for c in self._changes if c.seq > after_seq]

    # ----- the customers' users (Directory, Licensing and Reports: see people.py) -----

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    @property
    def people(self) -> People:
        return self._people

    def workspace(self, customer_ref: str, *, api: bool = False) -> Workspace:
        """A customer's live users and subscriptions, made up on first need: hold `lock` while
        using it. With `api`, refused as the Reseller API refuses the customer (404, 403)."""
        with self._lock:
            customer = self._api_customer(customer_ref) if api else self._customer(customer_ref)
            return self._workspace(customer)

    def populate_users(self, now_ms: int | None = None) -> None:
        """Make up every customer's users now, as of `now_ms` (default: the clock)."""
        with self._lock:
            for customer in self._customers.values():
                self._workspace(customer, now_ms)

    def follow_users(self, workspace: Workspace, sku_id: str) -> None:
        """Set a subscription's users (its `users` already changed) to match, as drift does."""
        with self._lock:
            self._people.follow(workspace, sku_id, self._clock())

    def now_ms(self) -> int:
        return self._clock()

    # ----- whole-world views -----

    def clone(self) -> World:
        with self._lock:
            other = World(clock=self._clock)
            other._rng.setstate(self._rng.getstate())
            other._customers = {k: replace(c) for k, c in self._customers.items()}
            other._id_for_domain = dict(self._id_for_domain)
            other._subs = {k: s.copy() for k, s in self._subs.items()}
            other._key_for_id = dict(self._key_for_id)
            other._issued_ids = set(self._issued_ids)
            other._order = list(self._sorted_keys())
            other._changes = list(self._changes)
            other._people = self._people.clone()
            return other

    def restore(self, source: World) -> None:
        """Take over a copy of another world's state, keeping this object (and its lock)."""
        copy = source.clone()
        with self._lock:
            self._rng, self._clock = copy._rng, copy._clock
            self._customers, self._id_for_domain = copy._customers, copy._id_for_domain
            self._subs, self._key_for_id = copy._subs, copy._key_for_id
            self._issued_ids, self._order = copy._issued_ids, copy._order
            self._changes = copy._changes
            self._people = copy._people
            self._order_dirty = False

    def customers(self) -> list[Customer]:
        with self._lock:
            return [replace(c) for c in self._customers.values()]

    def subscriptions(self) -> list[Subscription]:
        with self._lock:
            return [self._subs[key].copy() for key in self._sorted_keys()]

    def find_subscription(self, customer_ref: str, sku_id: str) -> Subscription:
        with self._lock:
            return self._sub_by_sku(customer_ref, sku_id).copy()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "customers": [c.snapshot() for c in self._customers.values()],
                "subscriptions": [self._subs[k].snapshot() for k in self._sorted_keys()],
            }

    # ----- internals (callers hold the lock) -----

    def _customer_or_none(self, ref: str) -> Customer | None:
        customer = self._customers.get(ref)
        if customer is None:
            customer_id = self._id_for_domain.get(ref.strip().lower())
            customer = self._customers.get(customer_id) if customer_id else None
        return customer

    def _customer(self, ref: str) -> Customer:
        customer = self._customer_or_none(ref)
        if customer is None:
            raise WorldError(f"no customer {ref!r}")
        return customer

    def _api_customer(self, ref: str) -> Customer:
        # The API accepts the Google id or the primary domain wherever it takes a customerId.
        customer = self._customer_or_none(ref)
        if customer is None:
            raise not_found(f"Customer {ref} was not found.")
        if not customer.ours:
            raise forbidden(f"Forbidden: customer {ref} is not managed by this reseller.")
        return customer

    def _api_sub(self, customer_ref: str, subscription_id: str) -> Subscription:
        customer = self._api_customer(customer_ref)
        key = self._key_for_id.get(subscription_id)
        if key is None or key[0] != customer.domain:
            raise not_found(f"Subscription {subscription_id} was not found.")
        return self._subs[key]

    def _sub_by_sku(self, customer_ref: str, sku_id: str) -> Subscription:
        customer = self._customer(customer_ref)
        sub = self._subs.get((customer.domain, sku_id))
        if sub is None:
            raise WorldError(f"{customer.domain} has no subscription to SKU {sku_id}")
        return sub

    def _workspace(self, customer: Customer, now_ms: int | None = None) -> Workspace:
        subs = [self._subs[k] for k in self._keys_from(customer, None, None)]
        return self._people.workspace(customer, subs, now_ms or self._clock())

    def _follow(self, sub: Subscription) -> None:
        # Only customers whose users someone has looked at have users to keep in step.
        if self._people.known(sub.customer_id) is not None:
            customer = self._customers[sub.customer_id]
            self._people.follow(self._workspace(customer), sub.sku_id, self._clock())

    def _store(self, key: Key, sub: Subscription) -> None:
        self._subs[key] = sub
        self._key_for_id[sub.subscription_id] = key
        self._order.append(key)
        self._order_dirty = True

    def _log_change(
        self,
        method: str,
        sub: Subscription,
        id_before: str | None,
        seats_before: int,
        caller: str,
    ) -> None:
        self._changes.append(
            SeatChange(
                seq=len(self._changes) + 1,
                at_ms=self._clock(),
                method=method,
                customer_id=sub.customer_id,
                customer_domain=sub.customer_domain,
                sku_id=sub.sku_id,
                plan_name=sub.plan_name,
                subscription_id_before=id_before,
                subscription_id_after=sub.subscription_id,
                seats_before=seats_before,
                seats_after=sub.seats,
                caller=caller,
                purchase_order_id=sub.purchase_order_id,
            )
        )

    def _reissue_id(self, sub: Subscription) -> None:
        # Google hands out a new subscriptionId on every update; the old one stops resolving.
        key = self._key_for_id.pop(sub.subscription_id)
        sub.subscription_id = self._new_subscription_id()
        self._key_for_id[sub.subscription_id] = key

    def _sorted_keys(self) -> list[Key]:
        if self._order_dirty:
            self._order.sort()
            self._order_dirty = False
        return self._order

    def _keys_from(
        self, customer: Customer | None, prefix: str | None, cursor: Key | None
    ) -> Iterator[Key]:
        order = self._sorted_keys()
        start = prefix if customer is None else customer.domain
        index = bisect_left(order, (start or "", ""))
        if cursor is not None:
            index = max(index, bisect_right(order, cursor))
        for position in range(index, len(order)):
            key = order[position]
            if customer is not None and key[0] != customer.domain:
                return
            if prefix is not None and not key[0].startswith(prefix):
                return
            yield key

    def _new_subscription_id(self) -> str:
        while True:
            candidate = str(self._rng.randrange(100_000_000, 1_000_000_000))
            if candidate not in self._issued_ids:
                self._issued_ids.add(candidate)
                return candidate

    def _new_customer_id(self) -> str:
        alphabet = string.ascii_lowercase + string.digits
        while True:
            candidate = "C0" + "".join(self._rng.choices(alphabet, k=7))
            if candidate not in self._issued_ids:
                return candidate


def _check_enum(name: str, value: str, allowed: Any) -> None:
    if value not in allowed:
        raise WorldError(f"unknown {name} {value!r}; expected one of {sorted(allowed)}")
