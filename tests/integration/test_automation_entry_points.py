"""evaluate_thresholds, apply_topup and send_alerts served by functions-framework's own app and
fed what production sends them: Eventarc's binary protobuf CloudEvent for a licence document,
and Pub/Sub CloudEvents carrying request and notification ids. Behind them: the Firestore
emulator, the Reseller simulator and the SendGrid stand-in."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cloudevents.conversion import to_structured
from cloudevents.http import CloudEvent
from functions_framework import create_app

from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import DeliveryStatus
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import RequestStatus
from licence_manager.services import request_records
from licence_manager.services.settings import save_settings
from licence_manager.services.sync import SyncUsage
from licence_manager_local.eventarc.encode import DocumentVersion, firestore_cloud_event
from licence_manager_local.sendgrid_standin import RunningStandIn, start_sendgrid_standin
from licence_manager_local.simulator import RunningSimulator, World
from tests.fakes.memory_automation import RecordingPublisher
from tests.integration.conftest import running

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    world = World(seed=1)
    customer = world.add_customer("acme.example", "Acme Ltd", alternate_email="it@acme.example")
    world.add_subscription(customer.customer_id, "1010020028", "FLEXIBLE", 10, users=9)
    yield from running(world)


@pytest.fixture
def sendgrid() -> Iterator[RunningStandIn]:
    with start_sendgrid_standin() as standin:
        yield standin


@pytest.fixture
def wired(
    monkeypatch: pytest.MonkeyPatch,
    firestore_client: Any,
    simulator: RunningSimulator,
    sendgrid: RunningStandIn,
) -> tuple[FirestoreStore, RecordingPublisher]:
    """The functions' own composition root, with Pub/Sub replaced by a recorder so the test
    can see (and hand on) each published id."""
    from licence_manager import bootstrap

    monkeypatch.setenv("RESELLER_API_ENDPOINT", simulator.url)
    monkeypatch.setenv("SENDGRID_API_KEY", sendgrid.api_key)
    monkeypatch.setenv("SENDGRID_API_HOST", sendgrid.url)
    monkeypatch.setenv("ALERT_SENDER_EMAIL", "lm@reseller.example")
    publisher = RecordingPublisher()
    monkeypatch.setattr(bootstrap, "publisher", lambda: publisher)
    store = bootstrap.store()
    bootstrap.usage_sync()(SyncUsage())
    return store, publisher


def pubsub_event(body: dict[str, str]) -> tuple[dict[str, str], bytes]:
    data = {
        "message": {"data": base64.b64encode(json.dumps(body).encode()).decode(), "messageId": "1"},
        "subscription": "projects/p/subscriptions/s",
    }
    event = CloudEvent(
        {
            "type": "google.cloud.pubsub.topic.v1.messagePublished",
            "source": "//pubsub.googleapis.com/projects/p/topics/t",
        },
        data,
    )
    return to_structured(event)


def client(name: str) -> Any:
    return create_app(name, str(FUNCTIONS / name / "main.py"), "cloudevent").test_client()


def licence_event(store: FirestoreStore, key: LicenceKey) -> Any:
    snapshot = store._db.collection("licences").document(key.doc_id).get()
    version = DocumentVersion.from_snapshot(snapshot)
    return firestore_cloud_event(
        old=None, new=version, project=store._db.project, time=datetime.now(UTC)
    )


def test_the_three_functions_carry_a_top_up_from_event_to_email(
    wired: tuple[FirestoreStore, RecordingPublisher],
    simulator: RunningSimulator,
    sendgrid: RunningStandIn,
) -> None:
    store, publisher = wired
    (customer,) = store.customers()
    key = LicenceKey(customer.customer_id, "1010020028")
    save_settings(
        FirestoreUnitOfWork(store._db),
        key,
        LicenceSettings(
            low_licence_alert=True,
            alert_vacant_at_or_below=1,
            auto_top_up=True,
            top_up_when_vacant_below=2,
            top_up_target_vacant=3,
            max_total_seats=100,
        ),
        "test",
        datetime.now(UTC),
    )
    event = licence_event(store, key)

    response = client("evaluate_thresholds").post("/", headers=dict(event.headers), data=event.body)
    assert response.status_code == 200
    (request_id,) = publisher.top_ups
    assert len(publisher.notifications) == 1  # the low-licence alert

    headers, body = pubsub_event({"requestId": request_id})
    assert client("apply_topup").post("/", headers=headers, data=body).status_code == 200
    assert store.request(request_id).status is RequestStatus.APPLIED  # type: ignore[union-attr]
    sub = simulator.world.find_subscription(customer.customer_id, "1010020028")
    assert sub.seats == 12  # 1 vacant → 3 vacant
    assert len(publisher.notifications) == 2  # and the confirmation

    for notification_id in publisher.notifications:
        headers, body = pubsub_event({"notificationId": notification_id})
        assert client("send_alerts").post("/", headers=headers, data=body).status_code == 200
    assert sorted(m.subject.split(":")[0] for m in sendgrid.outbox) == [
        "2 licences added",
        "Low licences",
    ]
    assert all(m.recipients == ("it@acme.example",) for m in sendgrid.outbox)
    for notification in store.notifications_of(customer.customer_id):
        assert notification.status is DeliveryStatus.SENT

    # duplicates of every message change nothing more
    for name, body_json in [
        ("apply_topup", {"requestId": request_id}),
        *[("send_alerts", {"notificationId": n}) for n in publisher.notifications],
    ]:
        headers, body = pubsub_event(body_json)
        assert client(name).post("/", headers=headers, data=body).status_code == 200
    assert simulator.world.find_subscription(customer.customer_id, "1010020028").seats == 12
    assert len(sendgrid.outbox) == 2


def test_a_busy_request_answers_an_error_so_pub_sub_redelivers(
    wired: tuple[FirestoreStore, RecordingPublisher],
) -> None:
    store, _ = wired
    (customer,) = store.customers()
    key = LicenceKey(customer.customer_id, "1010020028")
    save_settings(
        FirestoreUnitOfWork(store._db),
        key,
        LicenceSettings(
            auto_top_up=True,
            top_up_when_vacant_below=2,
            top_up_target_vacant=3,
            max_total_seats=100,
        ),
        "test",
        datetime.now(UTC),
    )
    from licence_manager import bootstrap

    evaluation = bootstrap.evaluate_licence()(key)
    assert evaluation is not None and evaluation.new_request is not None
    request_id = evaluation.new_request.request_id
    lease = bootstrap.apply_top_up()._lease
    now = datetime.now(UTC)
    bootstrap.unit_of_work().run(lambda tx: request_records.take(tx, request_id, now, lease))
    headers, body = pubsub_event({"requestId": request_id})
    response = client("apply_topup").post("/", headers=headers, data=body)
    assert response.status_code == 500  # RetryLater: Pub/Sub will deliver it again


def test_malformed_messages_are_dropped_not_retried(
    wired: tuple[FirestoreStore, RecordingPublisher],
) -> None:
    for name in ("apply_topup", "send_alerts"):
        headers, body = pubsub_event({"unexpected": "x"})
        assert client(name).post("/", headers=headers, data=body).status_code == 200
    garbage = {
        "ce-id": "1",
        "ce-source": "//firestore.googleapis.com/projects/p/databases/(default)",
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.firestore.document.v1.written",
        "Content-Type": "application/protobuf",
    }
    response = client("evaluate_thresholds").post("/", headers=garbage, data=b"\x00not-proto")
    assert response.status_code == 200


def test_an_event_for_a_licence_written_again_since_is_skipped(
    wired: tuple[FirestoreStore, RecordingPublisher],
) -> None:
    """A burst of writes is not one evaluation per write: an event whose document has been
    written again since leaves the evaluation to the newer write's own event."""
    store, publisher = wired
    (customer,) = store.customers()
    key = LicenceKey(customer.customer_id, "1010020028")
    settings = LicenceSettings(
        auto_top_up=True, top_up_when_vacant_below=2, top_up_target_vacant=3, max_total_seats=100
    )
    save_settings(FirestoreUnitOfWork(store._db), key, settings, "test", datetime.now(UTC))
    stale = licence_event(store, key)
    store._db.collection("licences").document(key.doc_id).update({"customerName": "Acme Plc"})
    current = licence_event(store, key)

    evaluate = client("evaluate_thresholds")
    assert evaluate.post("/", headers=dict(stale.headers), data=stale.body).status_code == 200
    assert publisher.top_ups == []  # 1 vacant of 10 is below 2, yet nothing was decided
    assert evaluate.post("/", headers=dict(current.headers), data=current.body).status_code == 200
    assert len(publisher.top_ups) == 1
