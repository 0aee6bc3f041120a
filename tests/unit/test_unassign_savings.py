"""A user unassigned from a flexible plan is a saving (domain.savings.FLEXIBLE_USER_REMOVED),
recorded in the transaction that records the unassign, once per request whatever the
deliveries and crashes; an annual seat, or a seat someone else removed first, is none."""

from __future__ import annotations

from datetime import timedelta

from licence_manager.domain.savings import SavingKind
from tests.unit.test_unassign_exactly_once import ANN, KEY, LEASE, VAULT, World


def savings(world: World) -> list[tuple[SavingKind, int, str]]:
    return [(s.kind, s.seats, s.detail) for s in world.store.saving_records.values()]


def test_a_flexible_user_unassigned_is_one_saving_however_often_it_is_delivered() -> None:
    world = World(plan="FLEXIBLE")
    request_id = world.asked()
    world.deliver(request_id)
    world.deliver(request_id)

    assert savings(world) == [(SavingKind.FLEXIBLE_USER_REMOVED, 1, f"{ANN} removed")]
    totals = world.store.saving_totals_records[KEY.customer_id]
    assert totals is not None
    (saving,) = world.store.saving_records.values()
    assert saving.key == KEY and saving.sku_name and saving.month


def test_a_crash_after_the_delete_still_counts_the_saving_once() -> None:
    world = World(plan="FLEXIBLE")
    request_id = world.asked()
    world.licensing.crash_after = True
    world.deliver(request_id)
    world.now += LEASE + timedelta(seconds=1)
    world.deliver(request_id)

    assert len(world.licensing.deletes) == 1
    assert savings(world) == [(SavingKind.FLEXIBLE_USER_REMOVED, 1, f"{ANN} removed")]


def test_an_annual_seat_unassigned_saves_nothing_now() -> None:
    world = World(plan="ANNUAL_MONTHLY_PAY")
    world.deliver(world.asked())

    assert len(world.licensing.deletes) == 1
    assert savings(world) == []


def test_a_seat_someone_else_removed_first_is_not_our_saving() -> None:
    world = World(plan="FLEXIBLE")
    request_id = world.asked()
    world.licensing.held[(VAULT, VAULT)].discard(ANN)

    world.deliver(request_id)

    assert world.licensing.deletes == []
    assert savings(world) == []
