"""Ready-made worlds: a small hand-shaped demo, and large generated ones for load tests.

Both are deterministic for a given seed (and reference time), so a demo looks the same on
every run and a benchmark measures the same data.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Final

from .catalogue import (
    ANNUAL_MONTHLY_PAY,
    ANNUAL_YEARLY_PAY,
    DAY_MS,
    FLEXIBLE,
    OFFLINE,
    ONLINE,
    SKUS,
    SUSPENDED,
    TRIAL,
    TRIAL_MAX_SEATS,
)
from .world import World, wall_clock_ms

STARTER, STANDARD, PLUS = "1010020027", "1010020028", "1010020025"
ENTERPRISE_STANDARD, ENTERPRISE_PLUS = "1010020026", "1010020020"
ENTERPRISE_ESSENTIALS, FRONTLINE_STARTER = "1010060003", "1010020030"

# Subscriptions made this many days ago whatever the seed: Acme's annual Business Standard
# term ends in 65 days, so `make run` shows its 90-day renewal reminder and planner.
_AGE_DAYS: Final = {("acme-widgets.example", STANDARD): 300}

# (domain, organization, country, ours, [(sku, plan, seats, users, status, billing)])
_DemoSub = tuple[str, str, int, int, str, str]
_DEMO: Final[list[tuple[str, str, str, bool, list[_DemoSub]]]] = [
    (
        "acme-widgets.example",
        "Acme Widgets Ltd",
        "GB",
        True,
        [
            (STANDARD, ANNUAL_MONTHLY_PAY, 25, 19, "ACTIVE", ONLINE),
            (STARTER, FLEXIBLE, 10, 9, "ACTIVE", ONLINE),
            (ENTERPRISE_ESSENTIALS, TRIAL, 10, 4, "ACTIVE", ONLINE),
        ],
    ),
    (
        "northwind.example",
        "Northwind Traders",
        "US",
        True,
        [
            (PLUS, ANNUAL_YEARLY_PAY, 50, 48, "ACTIVE", ONLINE),
            (STARTER, FLEXIBLE, 30, 12, "ACTIVE", ONLINE),
            (FRONTLINE_STARTER, FLEXIBLE, 40, 31, "ACTIVE", OFFLINE),
        ],
    ),
    (
        "globex.example",
        "Globex Corporation",
        "US",
        True,
        [
            (ENTERPRISE_STANDARD, ANNUAL_MONTHLY_PAY, 120, 97, "ACTIVE", ONLINE),
            (ENTERPRISE_PLUS, FLEXIBLE, 15, 15, "ACTIVE", ONLINE),
            (STARTER, FLEXIBLE, 5, 3, SUSPENDED, ONLINE),
        ],
    ),
    (
        "initech.example",
        "Initech",
        "GB",
        True,
        [
            (STANDARD, FLEXIBLE, 8, 6, "ACTIVE", ONLINE),
            (STARTER, ANNUAL_YEARLY_PAY, 12, 7, "ACTIVE", ONLINE),
        ],
    ),
    # Managed by another reseller: hidden from lists, 403 on every customer-scoped call.
    (
        "hooli.example",
        "Hooli",
        "US",
        False,
        [
            (PLUS, ANNUAL_MONTHLY_PAY, 200, 180, "ACTIVE", ONLINE),
        ],
    ),
]

_WORDS: Final = (
    "acme",
    "alpine",
    "aurora",
    "beacon",
    "cedar",
    "cobalt",
    "delta",
    "ember",
    "falcon",
    "granite",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lumen",
    "meridian",
    "nimbus",
    "orchid",
    "pioneer",
    "quartz",
    "summit",
    "tundra",
    "vertex",
    "willow",
    "zephyr",
)
_SUFFIXES: Final = ("Ltd", "LLC", "GmbH", "Partners", "Group", "Co")


def _reference_ms(now_ms: int | None) -> int:
    # Midnight UTC of today, so worlds built on the same day are identical.
    now = wall_clock_ms() if now_ms is None else now_ms
    return now - now % DAY_MS


def demo_world(
    seed: int = 7, *, now_ms: int | None = None, clock: Callable[[], int] | None = None
) -> World:
    """Five customers (one not ours), every plan, one OFFLINE and one SUSPENDED subscription,
    and their users (some suspended, some who stopped or never signed in: see people.py)."""
    rng = random.Random(seed)
    now = _reference_ms(now_ms)
    world = World(seed=seed, clock=clock or wall_clock_ms)
    for domain, org, country, ours, subs in _DEMO:
        customer = world.add_customer(domain, org, country_code=country, ours=ours)
        for sku, plan, seats, users, status, billing in subs:
            # Jitter usage a little per seed, but keep the full and nearly full ones as they are.
            if seats - users > 3:
                users = max(0, users + rng.randint(-2, 2))
            # Trials must still be inside their 30 days; paid plans are older.
            age_days = rng.randint(5, 25) if plan == TRIAL else rng.randint(40, 300)
            age_days = _AGE_DAYS.get((domain, sku), age_days)
            world.add_subscription(
                customer.customer_id,
                sku,
                plan,
                seats,
                users=users,
                status=status,
                billing_method=billing,
                creation_time_ms=now - age_days * DAY_MS,
            )
    world.populate_users(now)
    return world


def generated_world(
    n_subscriptions: int,
    seed: int = 0,
    *,
    n_customers: int | None = None,
    offline_fraction: float = 0.02,
    trial_fraction: float = 0.05,
    suspended_fraction: float = 0.02,
    forbidden_customers: int = 0,
    now_ms: int | None = None,
) -> World:
    """A large world, e.g. `generated_world(25_000, n_customers=10_000)`; fast to build."""
    if n_customers is None:
        n_customers = max(1, math.ceil(n_subscriptions / 2.5))
    skus = sorted(SKUS)
    if not n_customers <= n_subscriptions <= n_customers * len(skus):
        raise ValueError(
            f"cannot spread {n_subscriptions} subscriptions over {n_customers} customers"
        )
    rng = random.Random(seed)
    now = _reference_ms(now_ms)
    world = World(seed=seed)
    counts = _spread(rng, n_subscriptions, n_customers, len(skus))
    forbidden = set(rng.sample(range(n_customers), min(forbidden_customers, n_customers)))
    for index, count in enumerate(counts):
        word = _WORDS[index % len(_WORDS)]
        customer = world.add_customer(
            f"{word}-{index}.example",
            f"{word.title()} {_SUFFIXES[index % len(_SUFFIXES)]} {index}",
            ours=index not in forbidden,
        )
        for sku in rng.sample(skus, count):
            plan, seats = _plan_and_seats(rng, trial_fraction)
            age_days = rng.randint(1, 29) if plan == TRIAL else rng.randint(1, 700)
            world.add_subscription(
                customer.customer_id,
                sku,
                plan,
                seats,
                users=rng.randint(seats // 2, seats),
                status=SUSPENDED if rng.random() < suspended_fraction else "ACTIVE",
                billing_method=OFFLINE if rng.random() < offline_fraction else ONLINE,
                creation_time_ms=now - age_days * DAY_MS,
            )
    return world


def _spread(rng: random.Random, total: int, buckets: int, cap: int) -> list[int]:
    counts = [1] * buckets
    open_buckets = [i for i in range(buckets) if cap > 1]
    for _ in range(total - buckets):
        pick = rng.randrange(len(open_buckets))
        bucket = open_buckets[pick]
        counts[bucket] += 1
        if counts[bucket] == cap:
            open_buckets[pick] = open_buckets[-1]
            open_buckets.pop()
    return counts


def _plan_and_seats(rng: random.Random, trial_fraction: float) -> tuple[str, int]:
    roll = rng.random()
    if roll < trial_fraction:
        return TRIAL, rng.randint(1, TRIAL_MAX_SEATS)
    if roll < 0.55:
        return ANNUAL_MONTHLY_PAY, rng.randint(5, 300)
    if roll < 0.65:
        return ANNUAL_YEARLY_PAY, rng.randint(5, 300)
    return FLEXIBLE, rng.randint(3, 150)
