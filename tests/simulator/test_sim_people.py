"""Customers' users without HTTP, and their /_control/ routes: made up on first need, kept in
step with the Reseller world's user counts, restored by reset."""

from __future__ import annotations

import random

import pytest

from licence_manager_local.simulator import (
    ControlError,
    RunningSimulator,
    SimulatorControl,
    World,
    demo_world,
    generated_world,
)
from licence_manager_local.simulator.demo import STANDARD, STARTER
from licence_manager_local.simulator.users import NEVER

from .conftest import ADMIN_NOW_MS, NOW_MS

ACME = "acme-widgets.example"


def _consistent(world: World) -> None:
    for customer in world.customers():
        with world.lock:
            workspace = world.workspace(customer.customer_id)
            for sku_id, sub in workspace.subs.items():
                assert sub.users == len(workspace.directory.wanting(sku_id)), (customer, sku_id)
                holders = workspace.directory.holders(sku_id, sub.seats)
                assert len(holders) == sub.licensed


def test_demo_users_are_deterministic_and_include_reclaimable_ones() -> None:
    first = demo_world(7, now_ms=NOW_MS)
    second = demo_world(7, now_ms=NOW_MS)
    _consistent(first)
    for customer in first.customers():
        one = first.workspace(customer.customer_id).directory.users
        two = second.workspace(customer.customer_id).directory.users
        assert {k: u.snapshot() for k, u in one.items()} == {
            k: u.snapshot() for k, u in two.items()
        }
    users = [u for d in first.people.directories() for u in d.users.values()]
    long_ago = NOW_MS - 60 * 86_400_000
    assert sum(u.suspended for u in users) >= 5
    assert sum(u.last_login_ms() is None and u.created_ms < long_ago for u in users) >= 3
    assert sum((u.last_login_ms() or NOW_MS) < long_ago for u in users) >= 5
    assert sum(u.last_login_ms() is not None and u.sso for u in users) >= 5
    assert next(u.email for u in users if u.is_admin) == "admin@acme-widgets.example"


def test_generated_worlds_make_users_only_when_asked() -> None:
    world = generated_world(300, seed=4)
    assert world.people.directories() == []
    customer = world.customers()[3]
    workspace = world.workspace(customer.customer_id)
    assert len(world.people.directories()) == 1
    assert len(workspace.directory.users) == sum(s.users for s in workspace.subs.values())
    again = generated_world(300, seed=4).workspace(customer.customer_id)
    assert sorted(again.directory.users) == sorted(workspace.directory.users)


def test_drift_keeps_users_and_seats_in_step_and_suspends_people() -> None:
    world = demo_world(7, now_ms=NOW_MS, clock=lambda: ADMIN_NOW_MS)
    rng = random.Random(5)
    for _ in range(40):
        world.drift(rng, probability=0.5)
    _consistent(world)
    users = [u for d in world.people.directories() for u in d.users.values()]
    assert sum(u.suspended_ms == ADMIN_NOW_MS for u in users) >= 5  # suspended by drift
    assert sum(u.dormant and u.last_login_ms() is not None for u in users) > 20
    assert sum(u.last_login_ms() == ADMIN_NOW_MS for u in users) > 50


def test_clone_copies_users() -> None:
    world = demo_world(7, now_ms=NOW_MS)
    copy = world.clone()
    with world.lock:
        workspace = world.workspace(ACME)
        workspace.directory.remove(next(iter(workspace.directory.users.values())))
        workspace.recount()
    assert len(copy.workspace(ACME).directory.users) == len(workspace.directory.users) + 1
    _consistent(copy)


# ----- control routes -----


def test_control_users_move_the_reseller_counts(
    admin_sim: RunningSimulator, admin_control: SimulatorControl
) -> None:
    def users(sku: str) -> int:
        subs = admin_control.snapshot()["subscriptions"]
        return next(s for s in subs if s["customerDomain"] == ACME and s["skuId"] == sku)["users"]

    starters = users(STARTER)
    added = admin_control.add_user(ACME, sku_id=STARTER, email="pat@acme-widgets.example")
    assert added["lastLoginTime"] == NEVER and added["licences"] == [STARTER]
    assert users(STARTER) == starters + 1
    moved = admin_control.update_user(ACME, "pat@acme-widgets.example", skuId=STANDARD)
    assert moved["edition"] == STANDARD and users(STARTER) == starters
    admin_control.unassign_licence(ACME, STANDARD, "pat@acme-widgets.example")
    assert admin_control.users(ACME)["users"]
    admin_control.assign_licence(ACME, STARTER, "pat@acme-widgets.example")
    assert users(STARTER) == starters + 1
    admin_control.delete_user(ACME, "pat@acme-widgets.example")
    assert users(STARTER) == starters

    admin_control.reset()
    emails = {u["primaryEmail"] for u in admin_control.users(ACME)["users"]}
    assert "pat@acme-widgets.example" not in emails


def test_control_set_last_login_and_suspend(admin_control: SimulatorControl) -> None:
    email = admin_control.users(ACME)["users"][1]["primaryEmail"]
    state = admin_control.update_user(
        ACME, email, lastLoginTime="2025-10-01T12:00:00.000Z", suspended=True, dormant=True
    )
    assert state["lastLoginTime"] == "2025-10-01T12:00:00.000Z"
    assert state["suspended"] and state["dormant"]
    assert admin_control.update_user(ACME, email, lastLoginTime=NEVER)["lastLoginTime"] == NEVER


def test_control_refusals(admin_control: SimulatorControl) -> None:
    with pytest.raises(ControlError) as caught:
        admin_control.add_user(ACME, email="someone@elsewhere.example")
    assert caught.value.status == 400
    with pytest.raises(ControlError):
        admin_control.add_user(ACME, sku_id="Google-Vault")  # no such subscription
    with pytest.raises(ControlError):
        admin_control.update_user(ACME, "nobody@acme-widgets.example", suspended=True)
    with pytest.raises(ControlError):
        admin_control.set_admin_api_access(ACME, "SOMETIMES")
