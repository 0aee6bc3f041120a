"""The simulator's Reseller notifications: registered through the real client (the ops command's
code), published in Google's payload shape when a licence is assigned or a subscription changes,
duplicated, delayed or dropped on demand."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from licence_manager.domain.reseller_events import decode_reseller_event
from licence_manager.ops.notifications import (
    notification_details,
    register_notifications,
    unregister_notifications,
)
from licence_manager_local.simulator import (
    RunningSimulator,
    SimulatorControl,
    demo_world,
    reseller_service,
    start_simulator,
)
from licence_manager_local.simulator.demo import STARTER
from licence_manager_local.simulator.notifications import DEFAULT_TOPIC, Notifier

from .conftest import NOW_MS

ACME = "acme-widgets.example"
SA = "licence-manager-events@project.iam.gserviceaccount.com"


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def __call__(self, topic: str, data: bytes) -> None:
        with self._lock:
            self.messages.append((topic, json.loads(data)))

    def bodies(self) -> list[dict[str, Any]]:
        with self._lock:
            return [body for _, body in self.messages]


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def sim(sink: Sink) -> Iterator[RunningSimulator]:
    notifier = Notifier(sink, seed=3)
    with start_simulator(demo_world(7, now_ms=NOW_MS), strict=True, notifier=notifier) as running:
        yield running
    notifier.stop()


@pytest.fixture
def control(sim: RunningSimulator) -> SimulatorControl:
    return SimulatorControl(sim.url)


@pytest.fixture
def service(sim: RunningSimulator) -> Any:
    return reseller_service(sim.url)


def wait_for(sink: Sink, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while len(sink.bodies()) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return sink.bodies()


def acme_id(control: SimulatorControl) -> str:
    return next(
        c["customerId"] for c in control.snapshot()["customers"] if c["customerDomain"] == ACME
    )


def headroom(control: SimulatorControl, sku: str = STARTER) -> None:
    """A flexible cap well above the users, so a new user is licensed (and, at Google, a
    flexible plan's cap change sends no event)."""
    sub = next(
        s
        for s in control.snapshot()["subscriptions"]
        if s["customerDomain"] == ACME and s["skuId"] == sku
    )
    control.update_subscription(ACME, sku, seats=sub["users"] + 20)


def test_nothing_is_published_until_an_account_registers(
    control: SimulatorControl, service: Any, sink: Sink
) -> None:
    headroom(control)
    control.add_user(ACME, sku_id=STARTER)
    time.sleep(0.2)
    assert sink.bodies() == []
    assert register_notifications(service, SA) == DEFAULT_TOPIC
    assert notification_details(service) == (DEFAULT_TOPIC, [SA])
    assert wait_for(sink, 1, timeout=0.3) == []  # the world as registered is the baseline


def test_a_new_licensed_user_publishes_googles_assignment_event(
    control: SimulatorControl, service: Any, sink: Sink
) -> None:
    headroom(control)
    register_notifications(service, SA)
    control.add_user(ACME, sku_id=STARTER, email="new.starter@acme-widgets.example")
    [body] = wait_for(sink, 1)
    assert sink.messages[0][0] == DEFAULT_TOPIC
    assert set(body) == {
        "sku_id",
        "event_type",
        "customer_domain_name",
        "subscription_id",
        "customer_id",
        "message_id",
        "publish_time",
        "reseller_customer_id",
    }
    event = decode_reseller_event(body, datetime.now(UTC))
    assert event.event_type == "LICENSE_ASSIGNMENT_CHANGED"
    assert (event.customer_id, event.sku_id) == (acme_id(control), STARTER)
    assert event.customer_domain == ACME
    assert abs(time.time() - event.event_time.timestamp()) < 5


def test_subscription_changes_publish_their_event_types(
    control: SimulatorControl, service: Any, sink: Sink
) -> None:
    register_notifications(service, SA)
    control.update_subscription(ACME, STARTER, seats=500)  # flexible cap: no event at Google
    control.update_subscription(ACME, STARTER, status="SUSPENDED")
    control.update_subscription(ACME, STARTER, status="ACTIVE")
    types = [b["event_type"] for b in wait_for(sink, 2)]
    assert types == ["SUBSCRIPTION_SUSPENDED", "SUBSCRIPTION_SUSPENSION_REVOKED"]
    assert sink.bodies()[0]["subscription_suspension_reasons"] == ["RESELLER_INITIATED"]


def test_unregistering_the_last_account_stops_the_events(
    control: SimulatorControl, service: Any, sink: Sink
) -> None:
    headroom(control)
    register_notifications(service, SA)
    assert unregister_notifications(service, SA) == DEFAULT_TOPIC
    control.add_user(ACME, sku_id=STARTER)
    assert wait_for(sink, 1, timeout=0.3) == []


def test_duplicates_drops_and_delays_on_demand(
    control: SimulatorControl, service: Any, sink: Sink
) -> None:
    headroom(control)
    register_notifications(service, SA)
    control.set_notifications(duplicate=1.0)
    control.add_user(ACME, sku_id=STARTER)
    first, second = wait_for(sink, 2)
    assert first == second  # the same message twice, message_id included

    control.set_notifications(duplicate=0.0, drop=1.0)
    control.add_user(ACME, sku_id=STARTER)
    time.sleep(0.3)
    assert len(sink.bodies()) == 2
    assert control.notifications()["dropped"] == 1

    control.set_notifications(drop=0.0, delay_ms=400)
    began = time.monotonic()
    control.add_user(ACME, sku_id=STARTER)
    assert len(wait_for(sink, 3)) == 3
    assert time.monotonic() - began >= 0.35
    state = control.notifications()
    assert state["published"] == 3 and state["duplicated"] == 1
    assert state["byType"] == {"LICENSE_ASSIGNMENT_CHANGED": 3}


def test_bad_fault_settings_are_refused(control: SimulatorControl) -> None:
    from licence_manager_local.simulator import ControlError

    with pytest.raises(ControlError):
        control.set_notifications(drop=1.5)
    with pytest.raises(ControlError):
        control.set_notifications(delay_ms=-1)


def test_the_ops_commands_register_print_the_topic_and_unregister(
    sim: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI as ops run it: the client built from the environment (here the simulator's
    endpoint, as RESELLER_API_ENDPOINT gives it locally)."""
    import io

    from licence_manager.cli import main

    monkeypatch.setenv("RESELLER_API_ENDPOINT", sim.url)
    out = io.StringIO()
    assert main(["ops", "register-notifications", "--service-account", SA], out=out) == 0
    assert out.getvalue().strip() == DEFAULT_TOPIC
    out = io.StringIO()
    assert main(["ops", "notification-details"], out=out) == 0
    assert out.getvalue().split() == ["topic:", DEFAULT_TOPIC, SA]
    out = io.StringIO()
    assert main(["ops", "unregister-notifications", "--service-account", SA], out=out) == 0
    assert SA in out.getvalue()
    assert notification_details(reseller_service(sim.url)) == (DEFAULT_TOPIC, [])


def _seen(**changes: Any) -> Any:
    from licence_manager_local.simulator.notifications import _Seen

    base = {
        "licensed": 5,
        "seats": 10,
        "plan": "FLEXIBLE",
        "status": "ACTIVE",
        "annual": False,
        "subscription_id": "s1",
        "domain": "acme.example",
    }
    return _Seen(**{**base, **changes})


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, _seen(), [("NEW_SUBSCRIPTION_CREATED", ())]),
        (_seen(), None, [("SUBSCRIPTION_CANCELLED", ("OTHER",))]),
        (_seen(), _seen(licensed=6), [("LICENSE_ASSIGNMENT_CHANGED", ())]),
        (_seen(), _seen(seats=20), []),  # a flexible cap: Google sends nothing
        (_seen(), _seen(subscription_id="s2"), []),  # a new id alone
        (
            _seen(plan="ANNUAL", annual=True),
            _seen(plan="ANNUAL", annual=True, seats=12),
            [("COMMITMENT_CHANGED", ())],
        ),
        (_seen(), _seen(plan="ANNUAL", annual=True), [("PRICE_PLAN_SWITCHED", ())]),
        (_seen(), _seen(status="CANCELLED"), [("SUBSCRIPTION_CANCELLED", ("RESELLER_INITIATED",))]),
    ],
)
def test_which_changes_google_announces(before: Any, after: Any, expected: list[Any]) -> None:
    from licence_manager_local.simulator.notifications import events_between

    assert events_between(before, after) == expected
