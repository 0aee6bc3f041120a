"""Nothing is bought automatically while the anomaly guard holds a licence: the buying rule
refuses, evaluation decides nothing, and the claim re-checks in its transaction. An admin's own
addition is still made (domain.buying's docstring)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from licence_manager.domain.anomaly import TopUpPause
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.buying import BuyingControl, refusal
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import RequestStatus, TopUpRequest
from tests.automation_harness import flexible, restore_policy
from tests.concurrent_world import World
from tests.unit.test_money_property import GUARD_RACE_STEPS

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
KEY = LicenceKey("C01", "1010020028")
PAUSE = TopUpPause(T0, "anomaly guard", "assigned users rose by 15", 15, 5, 20, T0, 40)


def _request(source: Source) -> TopUpRequest:
    return TopUpRequest(
        request_id="r1",
        key=KEY,
        source=source,
        requested_by="someone",
        plan_name="FLEXIBLE",
        seats_to_add=2,
        total_before=10,
        total_after=12,
        created_at=T0,
    )


def _refusal(source: Source, paused: TopUpPause | None) -> str | None:
    return refusal(
        _request(source),
        control=BuyingControl(),
        settings=LicenceSettings(auto_top_up=True, max_total_seats=40),
        settings_saved_at=None,
        added_this_month=0,
        plan_now="FLEXIBLE",
        reclaimable=None,
        paused=paused,
        now=T0 + timedelta(seconds=5),
    )


def test_the_rule_refuses_automatic_requests_while_paused_and_lets_an_admins_own_go() -> None:
    assert _refusal(Source.AUTOMATIC, None) is None
    reason = _refusal(Source.AUTOMATIC, PAUSE)
    assert reason is not None and reason.startswith("automatic top-ups are paused: assigned")
    assert _refusal(Source.MANUAL, PAUSE) is None
    assert _refusal(Source.PURCHASE, PAUSE) is None


def test_a_pause_landing_between_decision_and_claim_stops_the_buy() -> None:
    world = World(flexible(total=10, assigned=5), restore_policy())
    for action, arg in GUARD_RACE_STEPS:
        world.step(action, arg)
    [request] = world.store.requests_of(world.key)
    assert request.status is RequestStatus.SUPERSEDED
    assert "automatic top-ups are paused" in request.message
    assert world.google.history == []


def test_while_paused_evaluation_decides_nothing_and_a_manual_addition_is_made() -> None:
    world = World(flexible(total=10, assigned=5), restore_policy())
    world.step("guard", (1, 1))
    world.step("users", 9)
    world.step("sync", None)  # +4: paused, and vacant below the trigger
    world.drain()
    assert world.store.automation_state(world.key).top_ups_paused is not None
    assert world.store.requests_of(world.key) == []
    world.step("manual", 3)
    world.drain()
    [manual] = world.store.requests_of(world.key)
    assert manual.status is RequestStatus.APPLIED
    assert [c.source for c in world.google.history] == ["manual"]
    # the admin resumes: evaluated at once, and the automatic top-up follows
    world.step("users", 13)
    world.step("sync", None)
    world.drain()
    world.step("resume", None)
    world.drain()
    automatic = [r for r in world.store.requests_of(world.key) if r.source is Source.AUTOMATIC]
    assert [r.status for r in automatic] == [RequestStatus.APPLIED]
    actions = [e.action for e in world.store.audit_entries(world.key)]
    assert actions.count(AuditAction.TOP_UPS_PAUSED) == 1
    assert actions.count(AuditAction.TOP_UPS_RESUMED) == 1
