"""The world without HTTP: generation, drift, and the small parsers."""

from __future__ import annotations

import random
import time

import pytest

from licence_manager_local.simulator import ApiError, World, demo_world, generated_world
from licence_manager_local.simulator.catalogue import SKUS, TRIAL_MAX_SEATS
from licence_manager_local.simulator.demo import STARTER
from licence_manager_local.simulator.fields import apply_fields, parse_fields
from licence_manager_local.simulator.paging import decode_token, encode_token

NOW_MS = 1_767_225_600_000


def test_demo_world_is_deterministic_and_varied() -> None:
    first = demo_world(7, now_ms=NOW_MS).snapshot()
    assert first == demo_world(7, now_ms=NOW_MS).snapshot()
    assert first != demo_world(8, now_ms=NOW_MS).snapshot()
    subs = first["subscriptions"]
    assert len({c["customerDomain"] for c in first["customers"]}) >= 3
    assert {s["planName"] for s in subs} == {
        "ANNUAL_MONTHLY_PAY",
        "ANNUAL_YEARLY_PAY",
        "FLEXIBLE",
        "TRIAL",
    }
    assert {s["billingMethod"] for s in subs} == {"ONLINE", "OFFLINE"}
    assert "SUSPENDED" in {s["status"] for s in subs}
    assert all(s["skuId"] in SKUS for s in subs)
    assert all(s["licensedNumberOfSeats"] <= s["seats"] for s in subs)
    assert any(s["licensedNumberOfSeats"] == s["seats"] for s in subs)


def test_generated_world_shape_and_speed() -> None:
    started = time.monotonic()
    world = generated_world(25_000, seed=1, n_customers=10_000, forbidden_customers=10)
    assert time.monotonic() - started < 5
    subs = world.subscriptions()
    customers = world.customers()
    assert len(subs) == 25_000 and len(customers) == 10_000
    assert sum(not c.ours for c in customers) == 10
    assert len({(s.customer_id, s.sku_id) for s in subs}) == 25_000
    assert all(s.seats <= TRIAL_MAX_SEATS for s in subs if s.is_trial)
    assert any(s.billing_method == "OFFLINE" for s in subs)
    assert generated_world(50, seed=2).snapshot() == generated_world(50, seed=2).snapshot()


def test_generated_world_rejects_impossible_spread() -> None:
    with pytest.raises(ValueError):
        generated_world(10, n_customers=20)
    with pytest.raises(ValueError):
        generated_world(100, n_customers=2)


def test_drift_never_exceeds_the_cap_and_grows_slowly() -> None:
    world = generated_world(400, seed=5)
    start = sum(s.users for s in world.subscriptions())
    rng = random.Random(9)
    for _ in range(200):
        world.drift(rng)
        for sub in world.subscriptions():
            assert 0 <= sub.licensed <= sub.seats
    end = sum(s.users for s in world.subscriptions())
    assert end > start


def test_drift_leaves_suspended_subscriptions_alone() -> None:
    world = demo_world(7, now_ms=NOW_MS)
    suspended = world.find_subscription("globex.example", STARTER)
    rng = random.Random(1)
    for _ in range(50):
        world.drift(rng, probability=1.0)
    assert world.find_subscription("globex.example", STARTER).users == suspended.users


def test_drift_does_not_change_subscription_ids() -> None:
    world = demo_world(7, now_ms=NOW_MS)
    ids = [s.subscription_id for s in world.subscriptions()]
    world.drift(random.Random(2), probability=1.0)
    assert [s.subscription_id for s in world.subscriptions()] == ids


def test_annual_commitment_interval_covers_now() -> None:
    world = World(clock=lambda: NOW_MS)
    world.add_customer("old.example", "Old")
    three_years_ago = NOW_MS - 3 * 365 * 86_400_000 - 5 * 86_400_000
    sub = world.add_subscription(
        "old.example", STARTER, "ANNUAL_YEARLY_PAY", 5, creation_time_ms=three_years_ago
    )
    assert sub.commitment_start_ms is not None and sub.commitment_end_ms is not None
    assert sub.commitment_start_ms <= NOW_MS < sub.commitment_end_ms


def test_page_token_round_trip_and_mismatch() -> None:
    token = encode_token(("acme.example", "1010020027"), "|a")
    assert decode_token(token, "|a") == ("acme.example", "1010020027")
    with pytest.raises(ApiError):
        decode_token(token, "|b")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("a", {"a": {"x": 1, "y": 2}}),
        ("a/x,b", {"a": {"x": 1}, "b": [{"p": 1, "q": 2}]}),
        ("b(q)", {"b": [{"q": 2}]}),
        ("a(x,y),a/x", {"a": {"x": 1, "y": 2}}),
        ("*", {"a": {"x": 1, "y": 2}, "b": [{"p": 1, "q": 2}]}),
    ],
)
def test_fields_selection(spec: str, expected: object) -> None:
    body = {"a": {"x": 1, "y": 2}, "b": [{"p": 1, "q": 2}]}
    assert apply_fields(body, parse_fields(spec)) == expected


@pytest.mark.parametrize("spec", ["a(", "a)", ",", "a//b", "a(b"])
def test_fields_syntax_errors_are_400(spec: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_fields(spec)
    assert caught.value.code == 400
