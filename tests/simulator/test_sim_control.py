"""The control surface and fault injection, used the way other tests will use them."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from licence_manager_local.simulator import (
    ControlError,
    RunningSimulator,
    SimulatorControl,
    World,
    demo_world,
    error_body,
    reseller_service,
    start_simulator,
)
from licence_manager_local.simulator.demo import ENTERPRISE_PLUS, STANDARD, STARTER

pytestmark = pytest.mark.timeout(30)


def _status_of(call: Any) -> int:
    try:
        call.execute()
    except HttpError as exc:
        return int(exc.resp.status)
    return 200


def test_control_off_answers_404() -> None:
    with start_simulator(demo_world(1), control=False) as sim:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(sim.url + "_control/world", timeout=5)
        assert caught.value.code == 404
        with pytest.raises(ControlError) as refused:
            SimulatorControl(sim.url).fail_next(503)
        assert refused.value.status == 404
        # The API itself still works.
        assert reseller_service(sim.url).subscriptions().list().execute()["subscriptions"]


def test_fail_next_503_then_success(service: Any, control: SimulatorControl) -> None:
    control.fail_next(503, count=2)
    for _ in range(2):
        with pytest.raises(HttpError) as caught:
            service.subscriptions().list().execute()
        assert caught.value.resp.status == 503
        error = error_body(caught.value)
        assert error["errors"][0]["reason"] == "backendError"
        assert error["status"] == "UNAVAILABLE"
    assert service.subscriptions().list().execute()["subscriptions"]


def test_fail_next_429_has_rate_limit_reason(service: Any, control: SimulatorControl) -> None:
    control.fail_next(429)
    with pytest.raises(HttpError) as caught:
        service.customers().get(customerId="globex.example").execute()
    assert caught.value.resp.status == 429
    error = error_body(caught.value)
    assert error["errors"][0]["reason"] == "rateLimitExceeded"
    assert error["status"] == "RESOURCE_EXHAUSTED"


def test_fail_next_can_target_one_method(
    service: Any, control: SimulatorControl, world: World
) -> None:
    control.fail_next(503, method="subscriptions.changeSeats")
    assert _status_of(service.subscriptions().list()) == 200
    sub = world.find_subscription("acme-widgets.example", STANDARD)
    seats = {"numberOfSeats": 30}
    call = service.subscriptions().changeSeats(
        customerId=sub.customer_id, subscriptionId=sub.subscription_id, body=seats
    )
    assert _status_of(call) == 503
    # The refused call changed nothing, so the same id still works.
    assert world.find_subscription("acme-widgets.example", STANDARD).seats == 25
    assert _status_of(call) == 200


def test_latency_is_measurable(service: Any, control: SimulatorControl) -> None:
    control.set_faults(latency_ms=150)
    started = time.monotonic()
    service.subscriptions().list().execute()
    assert time.monotonic() - started >= 0.15
    control.set_faults(latency_ms=0)
    started = time.monotonic()
    service.subscriptions().list().execute()
    assert time.monotonic() - started < 0.15


def test_hang_times_out_the_client_but_the_change_lands(
    sim: RunningSimulator, control: SimulatorControl, world: World
) -> None:
    impatient = reseller_service(sim.url, timeout=0.3)
    sub = world.find_subscription("acme-widgets.example", STANDARD)
    control.hang_next(1.0, method="subscriptions.changeSeats")
    with pytest.raises((TimeoutError, socket.timeout)):
        impatient.subscriptions().changeSeats(
            customerId=sub.customer_id,
            subscriptionId=sub.subscription_id,
            body={"numberOfSeats": 40},
        ).execute()
    after = world.find_subscription("acme-widgets.example", STANDARD)
    assert after.seats == 40
    assert after.subscription_id != sub.subscription_id
    assert reseller_service(sim.url).subscriptions().list().execute()["subscriptions"]


def test_random_fault_rates_are_seeded(service: Any, control: SimulatorControl) -> None:
    def pattern() -> list[int]:
        control.set_faults(rate_503=0.5, seed=42)
        return [_status_of(service.subscriptions().list(maxResults=1)) for _ in range(12)]

    first = pattern()
    assert first == pattern()
    assert set(first) == {200, 503}
    control.clear_faults()
    control.set_faults(rate_429=1.0)
    assert _status_of(service.subscriptions().list()) == 429
    control.clear_faults()
    assert _status_of(service.subscriptions().list()) == 200


def test_call_counters(service: Any, control: SimulatorControl, world: World) -> None:
    assert control.stats() == {}
    for _ in range(3):
        service.subscriptions().list().execute()
    service.customers().get(customerId="globex.example").execute()
    control.fail_next(503)
    _status_of(service.subscriptions().list())  # faulted calls count too
    assert control.stats() == {"subscriptions.list": 4, "customers.get": 1}
    control.reset_stats()
    assert control.stats() == {}


def test_set_users_changes_licensed_count_up_to_the_cap(
    service: Any, control: SimulatorControl
) -> None:
    state = control.set_users("acme-widgets.example", STARTER, 7)
    assert state["licensedNumberOfSeats"] == 7
    listed = service.subscriptions().list(customerId="acme-widgets.example").execute()
    starter = next(s for s in listed["subscriptions"] if s["skuId"] == STARTER)
    assert starter["seats"]["licensedNumberOfSeats"] == 7
    # More users than seats: Google assigns up to the cap, the rest wait for a licence.
    state = control.set_users("acme-widgets.example", STARTER, 13)
    assert state["licensedNumberOfSeats"] == 10 and state["users"] == 13
    body = (
        service.subscriptions()
        .changeSeats(
            customerId="acme-widgets.example",
            subscriptionId=state["subscriptionId"],
            body={"maximumNumberOfSeats": 20},
        )
        .execute()
    )
    assert body["seats"]["licensedNumberOfSeats"] == 13


def test_add_customer_and_subscription_then_forbid(service: Any, control: SimulatorControl) -> None:
    customer = control.add_customer("newco.example", "NewCo")
    sub = control.add_subscription(
        "newco.example", STANDARD, "ANNUAL_MONTHLY_PAY", 10, users=4, purchase_order_id="PO-9"
    )
    assert sub["customerId"] == customer["customerId"]
    got = (
        service.subscriptions()
        .get(customerId=customer["customerId"], subscriptionId=sub["subscriptionId"])
        .execute()
    )
    assert got["seats"] == {
        "kind": "subscriptions#seats",
        "numberOfSeats": 10,
        "licensedNumberOfSeats": 4,
    }
    assert got["purchaseOrderId"] == "PO-9"
    control.set_forbidden("newco.example")
    assert _status_of(service.customers().get(customerId="newco.example")) == 403
    control.set_forbidden("newco.example", forbidden=False)
    assert _status_of(service.customers().get(customerId="newco.example")) == 200


def test_update_subscription_status_plan_and_seats(service: Any, control: SimulatorControl) -> None:
    state = control.update_subscription(
        "globex.example", ENTERPRISE_PLUS, status="SUSPENDED", plan_name="ANNUAL_YEARLY_PAY"
    )
    got = (
        service.subscriptions()
        .get(customerId="globex.example", subscriptionId=state["subscriptionId"])
        .execute()
    )
    assert got["status"] == "SUSPENDED"
    assert got["plan"]["planName"] == "ANNUAL_YEARLY_PAY"
    assert got["seats"]["numberOfSeats"] == 15


def test_control_rejects_nonsense(control: SimulatorControl) -> None:
    with pytest.raises(ControlError) as caught:
        control.add_subscription("acme-widgets.example", STARTER, "FLEXIBLE", 5)
    assert caught.value.status == 400
    with pytest.raises(ControlError):
        control.update_subscription("acme-widgets.example", STARTER, status="DANCING")
    with pytest.raises(ControlError):
        control.fail_next(418)
    with pytest.raises(ControlError):
        control.set_users("nobody.example", STARTER, 1)


def test_reset_restores_world_faults_and_counters(service: Any, control: SimulatorControl) -> None:
    before = control.snapshot()
    control.set_users("acme-widgets.example", STARTER, 1)
    control.add_customer("temp.example", "Temp")
    control.fail_next(503, count=5)
    _status_of(service.subscriptions().list())
    control.reset()
    assert control.snapshot() == before
    assert control.stats() == {}
    assert control.faults()["queued"] == []
    assert _status_of(service.subscriptions().list()) == 200


def test_snapshot_shows_the_world(control: SimulatorControl) -> None:
    snap = control.snapshot()
    assert len(snap["customers"]) == 5
    assert len(snap["subscriptions"]) == 12
    hooli = next(c for c in snap["customers"] if c["customerDomain"] == "hooli.example")
    assert hooli["ours"] is False


def test_drift_route_moves_usage(control: SimulatorControl) -> None:
    before = control.snapshot()["subscriptions"]
    assert control.drift(steps=3, probability=1.0) > 0
    after = control.snapshot()["subscriptions"]
    assert [s["users"] for s in before] != [s["users"] for s in after]


def test_background_drift_thread() -> None:
    world = demo_world(3)
    before = [s.users for s in world.subscriptions()]
    with start_simulator(world, drift_seconds=0.02) as sim:
        deadline = time.monotonic() + 5
        while [s.users for s in sim.world.subscriptions()] == before:
            assert time.monotonic() < deadline, "drift never ran"
            time.sleep(0.02)


def test_concurrent_clients_page_consistently(sim: RunningSimulator) -> None:
    control = SimulatorControl(sim.url)
    control.set_faults(latency_ms=100)
    results: list[list[tuple[str, str]]] = []
    failures: list[BaseException] = []

    def shard() -> None:
        try:
            service = reseller_service(sim.url)
            keys: list[tuple[str, str]] = []
            token = None
            while True:
                page = service.subscriptions().list(maxResults=3, pageToken=token).execute()
                keys += [(s["customerDomain"], s["skuId"]) for s in page["subscriptions"]]
                token = page.get("nextPageToken")
                if not token:
                    break
            results.append(keys)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=shard) for _ in range(8)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not failures
    assert len(results) == 8 and all(r == results[0] for r in results)
    assert len(results[0]) == 11
    # 8 shards x 4 pages x 100 ms would take 3.2 s one call at a time.
    assert time.monotonic() - started < 1.6
    assert control.stats()["subscriptions.list"] == 32
