"""The event path on Google's emulators: the simulator publishes a Reseller notification to the
Pub/Sub emulator (on a topic of Google's project, as resellernotify names it), our subscription
on it delivers the message in Pub/Sub's push body to the function's entry point, which re-lists
the customer through the simulator and records it in the Firestore emulator. And the coalescing
document under concurrent function instances (separate Firestore clients)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from licence_manager.adapters.firestore_relists import FirestoreRelistGate
from licence_manager.adapters.firestore_store import FirestoreLicenceStore
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.relist_coalescing import Arrival, Coalescing
from licence_manager.entrypoints import react_to_reseller_event_message
from licence_manager.ops.notifications import register_notifications
from licence_manager.services.sync import SyncUsage, UsageSync
from licence_manager_local import topology
from licence_manager_local.emulators import Emulator
from licence_manager_local.pubsub_push import push_body
from licence_manager_local.simulator import (
    RunningSimulator,
    SimulatorControl,
    demo_world,
    reseller_service,
    start_simulator,
)
from licence_manager_local.simulator.demo import STARTER
from licence_manager_local.simulator.notifications import DEFAULT_TOPIC, Notifier, pubsub_sink
from tests.fakes.unit_of_work import unit_of_work_for
from tests.integration.conftest import RecordedSleeps, reseller_source

ACME = "acme-widgets.example"
SA = "lm-local@licence-manager-local.iam.gserviceaccount.com"


@pytest.fixture
def simulator(
    pubsub_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningSimulator]:
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator.host)
    notifier = Notifier(pubsub_sink())
    with start_simulator(demo_world(7), strict=True, notifier=notifier) as running:
        yield running
    notifier.stop()


def pull_all(subscription: str, want: int, timeout: float = 20) -> list[Any]:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    subscriber = pubsub_v1.SubscriberClient()
    got: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        answer = subscriber.pull(
            request={"subscription": subscription, "max_messages": 50}, timeout=5
        )
        got += answer.received_messages
    if got:
        subscriber.acknowledge(
            request={"subscription": subscription, "ack_ids": [m.ack_id for m in got]}
        )
    return got


def test_a_new_user_reaches_firestore_through_the_event_path(
    simulator: RunningSimulator,
    firestore_client: Any,
    project_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = FirestoreLicenceStore(firestore_client)
    source = reseller_source(simulator.url, RecordedSleeps())
    UsageSync(source, store, unit_of_work_for(store), "Europe/London")(SyncUsage())
    control = SimulatorControl(simulator.url)
    acme = next(c for c in control.snapshot()["customers"] if c["customerDomain"] == ACME)
    key = LicenceKey(acme["customerId"], STARTER)
    sub = next(
        s
        for s in control.snapshot()["subscriptions"]
        if s["customerDomain"] == ACME and s["skuId"] == STARTER
    )
    control.update_subscription(ACME, STARTER, seats=sub["users"] + 10)

    topic = register_notifications(reseller_service(simulator.url), SA)
    assert topic == DEFAULT_TOPIC  # Google's project, not ours
    topology.create_reseller_events_route(project_id, topic, None, pulled=True)
    subscription = f"projects/{project_id}/subscriptions/{topology.RESELLER_EVENTS.subscription}"
    before = store.licences_by_key([key])[key].usage.assigned
    control.add_user(ACME, sku_id=STARTER)
    [message] = pull_all(subscription, 1)

    monkeypatch.setenv("RESELLER_API_ENDPOINT", simulator.url)
    pushed = SimpleNamespace(
        data=message.message.data,
        attributes=message.message.attributes,
        message_id=message.message.message_id,
        publish_time=message.message.publish_time,
        delivery_attempt=message.delivery_attempt,
    )
    react_to_reseller_event_message(json.loads(push_body(pushed, subscription)))
    assert store.licences_by_key([key])[key].usage.assigned == before + 1
    state = FirestoreRelistGate(firestore_client).state(key.customer_id)
    assert state.relists == 1
    assert simulator.stats.snapshot().get("subscriptions.list", 0) >= 2  # sync + the re-list


def test_concurrent_instances_share_one_coalescing_document(
    firestore_emulator: Emulator, project_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve instances (each its own client) take one customer's events at once: exactly one
    re-lists now, exactly one owns the follow-up, the rest coalesce; the follow-up is claimed
    once."""
    from google.cloud import firestore

    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", firestore_emulator.host)
    rule = Coalescing(window=timedelta(seconds=2), claim_lease=timedelta(seconds=30))
    gates = [FirestoreRelistGate(firestore.Client(project=project_id)) for _ in range(12)]
    gates[0].state("C-warm")  # connect once before the race
    now = datetime.now(UTC)
    start = threading.Barrier(len(gates))
    arrivals: dict[str, Arrival] = {}
    lock = threading.Lock()

    def arrive(n: int, gate: FirestoreRelistGate) -> None:
        start.wait()
        decided = gate.arrive("C01", now + timedelta(milliseconds=n), f"t{n}", rule)
        with lock:
            arrivals[f"t{n}"] = decided.arrival

    threads = [threading.Thread(target=arrive, args=(n, g)) for n, g in enumerate(gates)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kinds = list(arrivals.values())
    assert kinds.count(Arrival.RELIST_NOW) == 1, arrivals
    assert kinds.count(Arrival.FOLLOW_UP) == 1, arrivals
    [owner] = [token for token, kind in arrivals.items() if kind is Arrival.FOLLOW_UP]
    due = now + rule.window
    claims = [gate.claim("C01", token, due) for token, gate in zip(arrivals, gates, strict=True)]
    assert claims.count(True) == 1
    assert gates[5].claim("C01", owner, due) is False  # claimed already
    assert gates[7].state("C01").relists == 2
