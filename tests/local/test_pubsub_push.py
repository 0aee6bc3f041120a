"""The local push stand-in (pubsub_push.py) against the Pub/Sub emulator: it delivers as many
messages at once as it is told (the emulator's own push delivers two), in the body
functions-framework reads, and a failed push is nacked, so the emulator delivers it again."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from licence_manager_local import topology
from licence_manager_local.emulators import Emulator
from licence_manager_local.pubsub_push import PushStandIn
from tests.eventarc.targets import serving

AT_ONCE = 5


@pytest.fixture
def pulled_route(
    pubsub_emulator: Emulator, project_id: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, str, str]:
    """(a publisher, its topic path, a pull subscription path) made as make run makes them."""
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator.host)
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    topology.create_routes(
        project_id,
        {r.function: "http://127.0.0.1:9" for r in topology.ROUTES},
        pulled={"apply_topup"},
    )
    publisher = pubsub_v1.PublisherClient()
    route = next(r for r in topology.ROUTES if r.function == "apply_topup")
    subscription = f"projects/{project_id}/subscriptions/{route.subscription}"
    return publisher, publisher.topic_path(project_id, route.topic), subscription


def wait_for(check: Callable[[], bool], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_the_stand_in_pushes_as_many_messages_at_once_as_it_is_told(
    pulled_route: tuple[Any, str, str],
) -> None:
    publisher, topic, subscription = pulled_route
    arrived = threading.Barrier(AT_ONCE, timeout=10)

    def together(n: int) -> int:
        try:
            arrived.wait()
        except threading.BrokenBarrierError:
            return 500
        return 204

    with serving(together, answer_outside_lock=True) as target:
        stand_in = PushStandIn(subscription, target.url, AT_ONCE).start()
        try:
            for n in range(AT_ONCE):
                publisher.publish(topic, json.dumps({"requestId": f"r{n}"}).encode()).result()
            assert wait_for(lambda: len(target.received) >= AT_ONCE)
        finally:
            stand_in.stop()
    assert target.most_at_once == AT_ONCE
    bodies = [json.loads(r.body) for r in target.received[:AT_ONCE]]
    assert {b["subscription"] for b in bodies} == {subscription}
    sent = {json.loads(base64.b64decode(b["message"]["data"]))["requestId"] for b in bodies}
    assert sent == {f"r{n}" for n in range(AT_ONCE)}
    assert all(b["message"]["messageId"] for b in bodies)


def test_a_failed_push_is_delivered_again(pulled_route: tuple[Any, str, str]) -> None:
    publisher, topic, subscription = pulled_route
    with serving(lambda n: 503 if n == 1 else 204) as target:
        stand_in = PushStandIn(subscription, target.url, AT_ONCE).start()
        try:
            publisher.publish(topic, b'{"requestId": "r"}').result()
            assert wait_for(lambda: len(target.received) >= 2)
        finally:
            stand_in.stop()
    first, again = (json.loads(r.body)["message"] for r in target.received[:2])
    assert again["messageId"] == first["messageId"]
    assert again["data"] == first["data"]
