"""The api function's settings and additions routes, through functions-framework, on the
Firestore emulator after a real sync from the Reseller simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from functions_framework import create_app

from licence_manager.services.sync import SyncUsage
from licence_manager_local.demo_prices import seed_demo_prices
from licence_manager_local.simulator import RunningSimulator, World
from tests.api.conftest import SETTINGS_OFF
from tests.fakes.memory_automation import RecordingPublisher
from tests.integration.conftest import running
from tests.signin import bearer, provision_ops

API = Path(__file__).resolve().parents[2] / "functions" / "api" / "main.py"
SKU = "1010020028"


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    world = World(seed=2)
    customer = world.add_customer("acme.example", "Acme Ltd")
    world.add_subscription(customer.customer_id, SKU, "FLEXIBLE", 10, users=6)
    world.add_subscription(customer.customer_id, "1010020027", "TRIAL", 8, users=2)
    yield from running(world)


@pytest.fixture
def api(
    monkeypatch: pytest.MonkeyPatch, firestore_client: Any, simulator: RunningSimulator
) -> tuple[Any, str, RecordingPublisher]:
    from licence_manager import bootstrap

    monkeypatch.setenv("RESELLER_API_ENDPOINT", simulator.url)
    monkeypatch.setenv("LICENCE_MANAGER_LOCAL", "1")
    publisher = RecordingPublisher()
    monkeypatch.setattr(bootstrap, "publisher", lambda: publisher)
    bootstrap.usage_sync()(SyncUsage())
    (customer,) = bootstrap.store().customers()
    provision_ops(bootstrap.store())
    seed_demo_prices(bootstrap.store())  # additions are priced against the spending limit
    client = create_app("api", str(API), "http").test_client()
    return SignedIn(client, bearer(client)), customer.customer_id, publisher


class SignedIn:
    """A test client that sends the signed-in user's token with every request."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self._client, self._headers = client, headers

    def __getattr__(self, method: str) -> Any:
        call = getattr(self._client, method)
        return lambda *args, **kwargs: call(*args, headers=self._headers, **kwargs)


def test_settings_default_to_off_and_explain_themselves(api: Any) -> None:
    client, customer, _ = api
    body = client.get(f"/api/v1/customers/{customer}/licences/{SKU}/settings").get_json()
    assert body["lowLicenceAlert"] is False and body["autoTopUp"] is False
    assert body["description"] == "No alerts or automatic top-ups."


def test_saved_settings_read_back_with_a_description(api: Any) -> None:
    client, customer, _ = api
    url = f"/api/v1/customers/{customer}/licences/{SKU}/settings"
    saved = client.put(
        url,
        json={
            **SETTINGS_OFF,
            "autoTopUp": True,
            "topUpWhenVacantBelow": 3,
            "topUpTargetVacant": 5,
            "maxSeatsPerMonth": 50,
        },
    )
    assert saved.status_code == 200
    body = client.get(url).get_json()
    assert body["topUpTargetVacant"] == 5
    assert body["description"] == (
        "When vacant seats fall below 3, add seats to get back to 5 vacant, at most 50 a month."
    )


def test_invalid_settings_answer_422_with_a_message_per_field(api: Any) -> None:
    client, customer, _ = api
    url = f"/api/v1/customers/{customer}/licences/{SKU}/settings"
    response = client.put(url, json={**SETTINGS_OFF, "autoTopUp": "yes", "colour": "red"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert set(response.get_json()["errors"]) == {"autoTopUp", "colour"}
    response = client.put(
        url,
        json={
            **SETTINGS_OFF,
            "autoTopUp": True,
            "topUpWhenVacantBelow": 5,
            "topUpTargetVacant": 2,
            "maxSeatsPerMonth": 50,
        },
    )
    assert response.get_json()["errors"] == {
        "topUpTargetVacant": "The vacant seats to get back to must be at least the trigger "
        "threshold."
    }
    assert client.get(url).get_json()["autoTopUp"] is False  # nothing saved


def test_an_addition_is_accepted_as_a_request_for_apply_topup(api: Any) -> None:
    client, customer, publisher = api
    url = f"/api/v1/customers/{customer}/licences/{SKU}/additions"
    response = client.post(url, json={"seats": 5})
    assert response.status_code == 202
    body = response.get_json()
    assert (body["status"], body["totalBefore"], body["totalAfter"]) == ("PENDING", 10, 15)
    assert publisher.top_ups == [body["id"]]
    progress = client.get(f"{url}/{body['id']}").get_json()
    assert progress["id"] == body["id"] and progress["source"] == "manual"


def test_additions_are_validated(api: Any) -> None:
    client, customer, publisher = api
    base = f"/api/v1/customers/{customer}/licences"
    assert client.post(f"{base}/{SKU}/additions", json={"seats": 0}).status_code == 422
    assert client.post(f"{base}/{SKU}/additions", json={"seats": "2"}).status_code == 422
    trial = client.post(f"{base}/1010020027/additions", json={"seats": 3})
    assert trial.status_code == 422
    assert "capped at 10" in trial.get_json()["detail"]
    assert client.post(f"{base}/999/additions", json={"seats": 1}).status_code == 404
    assert publisher.top_ups == []
