"""`make run` posts the demo customer's alerts to its Google Chat space in the channel stand-in:
a low-licence alert arrives there once, in its SKU's thread, after an injected 429."""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.settings import LicenceSettings
from licence_manager.services.settings import save_settings
from licence_manager_local import run
from licence_manager_local.emulators import free_port
from licence_manager_local.simulator import SimulatorControl
from tests.local.test_topup_flow import eventually


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[run.Endpoints, str]]:
    local = run.Stack(tmp_path_factory.mktemp("local-run"))
    args = argparse.Namespace(
        sync_interval=0, drift_seconds=0, port=free_port(), demo_settings=False
    )
    try:
        endpoints = run.start(local, args, threading.Event())
        channels = json.loads((local.workdir / "endpoints.json").read_text())["channels"]
        yield endpoints, channels
    finally:
        local.stop()


def control(base: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + "/_control" + path, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def test_a_low_licence_alert_reaches_the_demo_chat_space_once(
    stack: tuple[run.Endpoints, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from google.cloud import firestore

    endpoints, channels = stack
    simulator = SimulatorControl(endpoints.simulator)
    customers = simulator.snapshot()["customers"]
    demo = sorted(customers, key=lambda c: c["customerDomain"])[0]["customerId"]
    flexible = next(
        s
        for s in simulator.snapshot()["subscriptions"]
        if s["customerId"] == demo
        and s["planName"] == "FLEXIBLE"
        and s["billingMethod"] == "ONLINE"
    )
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", endpoints.firestore_host)
    uow = FirestoreUnitOfWork(firestore.Client(project=run.PROJECT))
    settings = LicenceSettings(low_licence_alert=True, alert_vacant_at_or_below=2)
    key = LicenceKey(demo, flexible["skuId"])
    simulator.set_users(demo, flexible["skuId"], flexible["seats"] - 1)
    control(channels, "/reset", {})
    control(channels, "/faults", {"kind": "refuse", "code": 429, "retryAfter": 1})
    save_settings(uow, key, settings, "test", datetime.now(UTC))
    run.trigger_sync()

    posts = eventually(lambda: control(channels, "/outbox"), timeout=90, what="a Chat message")
    time.sleep(3)  # a duplicate would have arrived by now
    posts = control(channels, "/outbox")
    assert len(posts) == 1, posts
    (post,) = posts
    assert post["kind"] == "google_chat" and post["target"] == "DEMO"
    assert post["thread_key"] == f"licence-manager-{demo}-{flexible['skuId']}"
    assert "Low licences" in post["body"]["text"]
