"""One contract, two subscription sources: the in-memory fake and the real Reseller adapter
(google-api-python-client against the simulator) must agree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from licence_manager.ports import AccessDenied, SubscriptionSource
from licence_manager_local.simulator import World, start_simulator
from tests.builders import subscription
from tests.fakes.memory import FakeSubscriptionSource
from tests.integration.conftest import RecordedSleeps, reseller_source

# (customer domain, SKU, plan, seats, users, billing)
ROWS = [
    ("alpha.example", "1010020027", "FLEXIBLE", 10, 4, "ONLINE"),
    ("alpha.example", "1010020028", "ANNUAL_YEARLY_PAY", 20, 20, "ONLINE"),
    ("beta.example", "1010020025", "ANNUAL_MONTHLY_PAY", 5, 1, "ONLINE"),
    ("beta.example", "1010020027", "FLEXIBLE", 3, 3, "OFFLINE"),
    ("bravo.example", "1010020028", "TRIAL", 10, 2, "ONLINE"),
    ("gone.example", "1010020028", "FLEXIBLE", 10, 2, "ONLINE"),
]
FORBIDDEN = "gone.example"


def build_fake() -> tuple[FakeSubscriptionSource, dict[str, str]]:
    ids = {domain: f"C-{domain.split('.')[0]}" for domain, *_ in ROWS}
    fake = FakeSubscriptionSource()
    for domain, sku, plan, seats, users, billing in ROWS:
        sub = subscription(
            customer_id=ids[domain],
            domain=domain,
            sku_id=sku,
            plan="ANNUAL" if plan.startswith("ANNUAL_MONTHLY") else plan,
            total=seats,
            assigned=users,
        )
        (fake.subscriptions if billing == "ONLINE" else fake.offline).append(sub)
    fake.forbidden = {ids[FORBIDDEN]}
    return fake, ids


def build_world() -> tuple[World, dict[str, str]]:
    world = World(seed=1)
    ids = {}
    for domain in dict.fromkeys(d for d, *_ in ROWS):
        ids[domain] = world.add_customer(
            domain, domain.title(), ours=domain != FORBIDDEN
        ).customer_id
    for domain, sku, plan, seats, users, billing in ROWS:
        world.add_subscription(ids[domain], sku, plan, seats, users=users, billing_method=billing)
    return world, ids


@pytest.fixture(params=["fake", "reseller-simulator"])
def source_and_ids(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[SubscriptionSource, dict[str, str]]]:
    if request.param == "fake":
        yield build_fake()
        return
    world, ids = build_world()
    with start_simulator(world, strict=True) as simulator:
        yield reseller_source(simulator.url, RecordedSleeps()), ids


def test_listing_returns_online_subscriptions_of_our_customers(source_and_ids) -> None:
    source, _ = source_and_ids
    listing = source.list_subscriptions(None)
    assert listing.complete
    assert listing.offline_skipped == 1
    seen = sorted(
        (s.customer_domain, s.sku_id, s.plan_name, s.total_seats, s.licensed_number_of_seats)
        for s in listing.subscriptions
    )
    assert seen == [
        ("alpha.example", "1010020027", "FLEXIBLE", 10, 4),
        ("alpha.example", "1010020028", "ANNUAL_YEARLY_PAY", 20, 20),
        ("beta.example", "1010020025", "ANNUAL", 5, 1),
        ("bravo.example", "1010020028", "TRIAL", 10, 2),
    ]


def test_prefix_filters_by_customer_domain(source_and_ids) -> None:
    source, _ = source_and_ids
    assert {s.customer_domain for s in source.list_subscriptions("b").subscriptions} == {
        "beta.example",
        "bravo.example",
    }
    assert source.list_subscriptions("zz").subscriptions == []


def test_one_customer_listing_and_profile(source_and_ids) -> None:
    source, ids = source_and_ids
    subs = source.list_customer_subscriptions(ids["beta.example"])
    assert [s.sku_id for s in subs] == ["1010020025"]  # the offline one is left out
    assert source.get_customer(ids["alpha.example"]).customer_domain == "alpha.example"


def test_a_customer_not_ours_is_access_denied(source_and_ids) -> None:
    source, ids = source_and_ids
    with pytest.raises(AccessDenied):
        source.list_customer_subscriptions(ids[FORBIDDEN])
    with pytest.raises(AccessDenied):
        source.get_customer(ids[FORBIDDEN])
