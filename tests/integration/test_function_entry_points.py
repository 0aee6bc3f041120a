"""Each function's main.py served by functions-framework's own app, fed the events production
sends: a Pub/Sub CloudEvent from Cloud Scheduler's topic, and HTTP requests for the api."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cloudevents.conversion import to_structured
from cloudevents.http import CloudEvent
from functions_framework import create_app

from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
from licence_manager_local.simulator import RunningSimulator, demo_world
from tests.integration.conftest import running
from tests.signin import OPS, bearer, provision_ops

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    yield from running(demo_world(seed=7))


@pytest.fixture
def local_env(
    monkeypatch: pytest.MonkeyPatch, firestore_client: Any, simulator: RunningSimulator
) -> Any:
    monkeypatch.setenv("RESELLER_API_ENDPOINT", simulator.url)
    monkeypatch.setenv("LICENCE_MANAGER_LOCAL", "1")
    provision_ops(FirestoreApiStore(firestore_client))
    return firestore_client


def scheduler_event(body: dict[str, Any], sent: datetime | None = None) -> CloudEvent:
    sent = sent or datetime.now(UTC)
    attributes = {
        "type": "google.cloud.pubsub.topic.v1.messagePublished",
        "source": "//pubsub.googleapis.com/projects/p/topics/sync-usage",
        "time": sent.isoformat().replace("+00:00", "Z"),
    }
    data = {
        "message": {
            "data": base64.b64encode(json.dumps(body).encode()).decode(),
            "messageId": "1",
            "publishTime": attributes["time"],
        },
        "subscription": "projects/p/subscriptions/sync-usage-to-sync_usage",
    }
    return CloudEvent(attributes, data)


def sync_client() -> Any:
    app = create_app("sync_usage", str(FUNCTIONS / "sync_usage" / "main.py"), "cloudevent")
    return app.test_client()


def post_event(client: Any, event: CloudEvent) -> Any:
    headers, body = to_structured(event)
    return client.post("/", headers=headers, data=body)


def test_a_scheduler_cloudevent_runs_a_sync(local_env: Any, simulator: RunningSimulator) -> None:
    response = post_event(sync_client(), scheduler_event({"job": "sync-usage"}))
    assert response.status_code == 200
    ours = {c.customer_id for c in simulator.world.customers() if c.ours}
    online = [
        s
        for s in simulator.world.subscriptions()
        if s.billing_method == "ONLINE" and s.customer_id in ours
    ]
    licences = list(local_env.collection("licences").stream())
    assert len(licences) == len(online)
    assert local_env.collection("sync_runs").document("latest").get().exists


def test_a_pubsub_push_in_the_emulator_format_is_converted(local_env: Any) -> None:
    """The Pub/Sub emulator pushes the raw push envelope; functions-framework converts it."""
    push = {
        "message": {
            "data": base64.b64encode(b"{}").decode(),
            "messageId": "7",
            "publishTime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        },
        "subscription": "projects/p/subscriptions/sync-usage-to-sync_usage",
    }
    response = sync_client().post("/projects/p/topics/sync-usage", json=push)
    assert response.status_code == 200
    assert len(list(local_env.collection("licences").stream())) > 0


def test_a_stale_redelivery_is_dropped(local_env: Any) -> None:
    stale = scheduler_event({}, sent=datetime.now(UTC) - timedelta(hours=1))
    assert post_event(sync_client(), stale).status_code == 200
    assert list(local_env.collection("licences").stream()) == []


def test_a_malformed_message_is_dropped_not_retried(local_env: Any) -> None:
    bad = scheduler_event({"shards": "not-a-list"})
    assert post_event(sync_client(), bad).status_code == 200
    assert list(local_env.collection("licences").stream()) == []


def api_client() -> Any:
    return create_app("api", str(FUNCTIONS / "api" / "main.py"), "http").test_client()


def test_the_api_lists_customers_and_their_licences(local_env: Any) -> None:
    post_event(sync_client(), scheduler_event({}))
    client = api_client()
    headers = bearer(client)
    customers = client.get("/api/v1/customers", headers=headers).get_json()["customers"]
    assert {c["customerDomain"] for c in customers} >= {"acme-widgets.example", "globex.example"}
    shown = {"customerId", "customerDomain", "name", "timeZone", "canChange"}
    assert all(set(c) == shown for c in customers)
    licences = client.get(
        f"/api/v1/customers/{customers[0]['customerId']}/licences", headers=headers
    ).get_json()
    assert licences
    for licence in licences:
        assert set(licence) >= {
            "skuId",
            "skuName",
            "planName",
            "assigned",
            "total",
            "vacant",
            "utilisation",
            "status",
            "updatedAt",
        }
        assert licence["vacant"] == max(licence["total"] - licence["assigned"], 0)
        assert 0 <= licence["utilisation"] <= 1


def test_the_api_answers_problems_as_rfc9457(local_env: Any) -> None:
    client = api_client()
    headers = bearer(client)
    response = client.get("/api/v1/customers/nobody/licences", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"].startswith("There is no customer nobody that you can see")
    missing = client.get("/api/v1/nothing-here", headers=headers)
    assert (missing.status_code, missing.mimetype) == (404, "application/problem+json")


def test_outside_local_mode_there_is_no_dev_sign_in_and_no_unverified_token_gets_in(
    local_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LICENCE_MANAGER_LOCAL")
    client = api_client()
    response = client.get("/api/v1/customers")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert client.post("/api/v1/session", json={"email": OPS}).status_code in (404, 405)
    forged = client.get("/api/v1/customers", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401
