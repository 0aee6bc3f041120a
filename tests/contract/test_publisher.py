"""One contract, two publishers: the recording fake and the real Pub/Sub adapter on Google's
emulator must deliver each id to the right topic, in the body the functions read."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from google.api_core.exceptions import NotFound
from google.cloud import pubsub_v1  # type: ignore[attr-defined]

from licence_manager.adapters.pubsub_publisher import PubSubPublisher
from licence_manager.entrypoints import MONTH_END_CUSTOMER_JOB, MONTH_END_JOB, pubsub_json
from licence_manager.ports import Publisher
from tests.fakes.memory_automation import RecordingPublisher

TOP_UPS = "topup-requests"
ALERTS = "alerts"
MONTH_END = "month-end-report"
MONTH_END_CUSTOMERS = "month-end-customer"

# A publisher, and what arrived on a topic: (topic, how many to wait for) -> bodies.
Received = Callable[[str, int], list[dict[str, Any]]]


def as_the_functions_read_it(data: bytes) -> dict[str, Any]:
    """Decoded as a push delivery reaches the functions: base64 in a CloudEvent's message."""
    return pubsub_json({"message": {"data": base64.b64encode(data).decode()}})


def pull(subscriber: Any, subscription: str, count: int, timeout: float = 10.0) -> list[Any]:
    """Pull and acknowledge until `count` messages have arrived (or time runs out)."""
    messages: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(messages) < count and time.monotonic() < deadline:
        response = subscriber.pull(subscription=subscription, max_messages=10, timeout=5)
        received = list(response.received_messages)
        if received:
            subscriber.acknowledge(subscription=subscription, ack_ids=[r.ack_id for r in received])
        messages += [r.message for r in received]
    return messages


def recording() -> tuple[Publisher, Received]:
    fake = RecordingPublisher()

    def received(topic: str, _count: int) -> list[dict[str, Any]]:
        if topic == TOP_UPS:
            return [{"requestId": i} for i in fake.top_ups]
        if topic == MONTH_END:
            return [
                {"job": MONTH_END_JOB, "month": month, "after": after}
                for month, after in fake.month_end_pages
            ]
        if topic == MONTH_END_CUSTOMERS:
            return [
                {"job": MONTH_END_CUSTOMER_JOB, "customerId": customer, "month": month}
                for customer, month in fake.month_end_customers
            ]
        return [{"notificationId": i} for i in fake.notifications]

    return fake, received


@pytest.fixture
def emulated(
    pubsub_emulator: Any, project_id: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[PubSubPublisher, Any, dict[str, str]]]:
    """The adapter on the emulator, a subscriber, and a pull subscription per topic."""
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator.host)
    client = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    subscriptions = {}
    for topic in (TOP_UPS, ALERTS, MONTH_END, MONTH_END_CUSTOMERS):
        topic_path = client.topic_path(project_id, topic)
        client.create_topic(name=topic_path)
        subscriptions[topic] = subscriber.subscription_path(project_id, f"{topic}-pull")
        subscriber.create_subscription(name=subscriptions[topic], topic=topic_path)
    try:
        publisher = PubSubPublisher(
            client, project_id, TOP_UPS, ALERTS, MONTH_END, MONTH_END_CUSTOMERS
        )
        yield publisher, subscriber, subscriptions
    finally:
        client.stop()
        subscriber.close()


@pytest.fixture(params=["recording", "pubsub-emulator"])
def publisher_and_received(request: pytest.FixtureRequest) -> tuple[Publisher, Received]:
    if request.param == "recording":
        return recording()
    publisher, subscriber, subscriptions = request.getfixturevalue("emulated")

    def received(topic: str, count: int) -> list[dict[str, Any]]:
        messages = pull(subscriber, subscriptions[topic], count)
        return [as_the_functions_read_it(m.data) for m in messages]

    return publisher, received


def test_each_id_arrives_as_json_on_its_own_topic(
    publisher_and_received: tuple[Publisher, Received],
) -> None:
    publisher, received = publisher_and_received

    publisher.publish_top_up("C01_1010020028-auto-1")
    publisher.publish_notification("C01_1010020028-low-1")
    publisher.publish_top_up("C01_1010020027-manual-7")

    top_ups = received(TOP_UPS, 2)
    assert sorted(top_ups, key=str) == [
        {"requestId": "C01_1010020027-manual-7"},
        {"requestId": "C01_1010020028-auto-1"},
    ]
    assert received(ALERTS, 1) == [{"notificationId": "C01_1010020028-low-1"}]


def test_the_month_end_plan_arrives_as_the_month_end_entry_point_reads_it(
    publisher_and_received: tuple[Publisher, Received],
) -> None:
    publisher, received = publisher_and_received
    customers = [f"C{n:03d}" for n in range(1, 121)]  # more than one client batch

    publisher.publish_month_end_customers("2026-11", customers)
    publisher.publish_month_end_customers("2026-11", [])
    publisher.publish_month_end_page("2026-11", "C120")

    each = received(MONTH_END_CUSTOMERS, len(customers))
    assert sorted(each, key=lambda b: b["customerId"]) == [
        {"job": MONTH_END_CUSTOMER_JOB, "customerId": c, "month": "2026-11"} for c in customers
    ]
    assert received(MONTH_END, 1) == [{"job": MONTH_END_JOB, "month": "2026-11", "after": "C120"}]


def test_an_id_published_again_is_delivered_again(
    publisher_and_received: tuple[Publisher, Received],
) -> None:
    """Republishing is how a lost publish is repaired; the consumers claim each id once."""
    publisher, received = publisher_and_received

    publisher.publish_notification("C01_1010020028-auto-1-applied")
    publisher.publish_notification("C01_1010020028-auto-1-applied")

    assert received(ALERTS, 2) == [{"notificationId": "C01_1010020028-auto-1-applied"}] * 2


def test_the_id_travels_in_the_utf8_json_data_not_in_attributes(emulated: Any) -> None:
    publisher, subscriber, subscriptions = emulated

    publisher.publish_top_up("C01_1010020028-auto-1")

    (message,) = pull(subscriber, subscriptions[TOP_UPS], 1)
    assert json.loads(message.data.decode("utf-8")) == {"requestId": "C01_1010020028-auto-1"}
    assert dict(message.attributes) == {}


def test_publishing_to_a_missing_topic_fails_loudly(
    pubsub_emulator: Any, project_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unpublished message must fail the invocation, so its trigger is retried."""
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator.host)
    client = pubsub_v1.PublisherClient()
    try:
        publisher = PubSubPublisher(client, project_id, "no-such-topic", ALERTS)
        with pytest.raises(NotFound):
            publisher.publish_top_up("r1")
    finally:
        client.stop()
