"""The month-end job fanned out through the real Pub/Sub emulator: send_alerts (its main.py under
functions-framework, its own composition root, the Firestore emulator and the SendGrid stand-in)
is fed what its subscriptions pull, as a push subscription would deliver it. One customer fails
on its first attempt: Pub/Sub redelivers that message alone, and every customer gets one report
and one email, however often the scheduler's message arrives."""

from __future__ import annotations

import base64
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cloudevents.conversion import to_structured
from cloudevents.http import CloudEvent
from functions_framework import create_app
from google.cloud import pubsub_v1  # type: ignore[attr-defined]

from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.domain.model import Customer
from licence_manager.domain.notifications import Recipient
from licence_manager.services.month_end import CustomerMonthEnd, PlanMonthEnd
from licence_manager_local.sendgrid_standin import RunningStandIn, start_sendgrid_standin

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
TOPICS = ("month-end-report", "month-end-customer", "alerts")
CUSTOMERS = [f"C{n:02d}" for n in range(1, 6)]
FLAKY = "C03"


@pytest.fixture
def sendgrid() -> Iterator[RunningStandIn]:
    with start_sendgrid_standin() as standin:
        yield standin


class Bus:
    """Pull subscriptions on the emulator standing in for the push subscriptions to send_alerts."""

    def __init__(self, project: str) -> None:
        self.publisher = pubsub_v1.PublisherClient()
        self.subscriber = pubsub_v1.SubscriberClient()
        self.subscriptions = {}
        for topic in TOPICS:
            path = self.publisher.topic_path(project, topic)
            self.publisher.create_topic(name=path)
            self.subscriptions[topic] = self.subscriber.subscription_path(project, f"{topic}-pull")
            self.subscriber.create_subscription(
                name=self.subscriptions[topic], topic=path, ack_deadline_seconds=10
            )
        self.project = project

    def publish(self, topic: str, data: bytes) -> None:
        self.publisher.publish(self.publisher.topic_path(self.project, topic), data).result(30)

    def deliver_all(self, send_alerts: Any) -> Counter[int]:
        """Push every waiting message to send_alerts until none is left; a failed one is nacked
        (Pub/Sub redelivers it). Returns how many deliveries answered each status code."""
        statuses: Counter[int] = Counter()
        idle = 0
        while idle < 3:  # three empty rounds in a row: nothing in flight either
            delivered = False
            for subscription in self.subscriptions.values():
                response = self.subscriber.pull(
                    request={
                        "subscription": subscription,
                        "max_messages": 50,
                        "return_immediately": True,
                    },
                    timeout=5,
                )
                for received in response.received_messages:
                    delivered = True
                    status = push(send_alerts, received.message.data)
                    statuses[status] += 1
                    if status == 200:
                        self.subscriber.acknowledge(
                            subscription=subscription, ack_ids=[received.ack_id]
                        )
                    else:
                        self.subscriber.modify_ack_deadline(
                            subscription=subscription,
                            ack_ids=[received.ack_id],
                            ack_deadline_seconds=0,
                        )
            idle = 0 if delivered else idle + 1
            if not delivered:
                time.sleep(0.2)
        return statuses

    def close(self) -> None:
        self.publisher.stop()
        self.subscriber.close()


def push(send_alerts: Any, data: bytes) -> int:
    event = CloudEvent(
        {
            "type": "google.cloud.pubsub.topic.v1.messagePublished",
            "source": "//pubsub.googleapis.com/projects/p/topics/t",
        },
        {"message": {"data": base64.b64encode(data).decode(), "messageId": "1"}},
    )
    headers, body = to_structured(event)
    return int(send_alerts.post("/", headers=headers, data=body).status_code)


@pytest.fixture
def bus(pubsub_emulator: Any, project_id: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bus]:
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator.host)
    running = Bus(project_id)
    try:
        yield running
    finally:
        running.close()


# return_immediately: the emulator's answer to "is anything left?", which the real service dropped.
@pytest.mark.filterwarnings("ignore:The return_immediately flag:DeprecationWarning")
def test_the_month_end_fans_out_and_retries_only_the_customer_that_failed(
    firestore_client: Any, bus: Bus, sendgrid: RunningStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    from licence_manager import bootstrap

    monkeypatch.setenv("SENDGRID_API_KEY", sendgrid.api_key)
    monkeypatch.setenv("SENDGRID_API_HOST", sendgrid.url)
    monkeypatch.setenv("ALERT_SENDER_EMAIL", "lm@reseller.example")
    bootstrap.clear()
    store = FirestoreStore(firestore_client)
    for customer_id in CUSTOMERS:
        domain = f"{customer_id.lower()}.example"
        store.save_customer(Customer(customer_id, domain, customer_id, "Etc/UTC"))
        store.save_recipient(Recipient(customer_id, f"billing@{domain}"))
    # Pages of two, so the plan crosses pages through its own topic.
    monkeypatch.setattr(
        bootstrap,
        "month_end_planner",
        lambda: PlanMonthEnd(bootstrap.report_store(), bootstrap.publisher(), page_size=2),
    )
    handle = bootstrap.month_end_customer()
    calls: Counter[str] = Counter()

    def fails_once(customer_id: str, month: date) -> CustomerMonthEnd:
        calls[customer_id] += 1
        if customer_id == FLAKY and calls[customer_id] == 1:
            raise RuntimeError("injected failure")
        return handle(customer_id, month)

    monkeypatch.setattr(bootstrap, "month_end_customer", lambda: fails_once)
    send_alerts = create_app(
        "send_alerts", str(FUNCTIONS / "send_alerts" / "main.py"), "cloudevent"
    ).test_client()

    job = b'{"job": "month-end-report", "month": "2026-10"}'
    bus.publish("month-end-report", job)
    first = bus.deliver_all(send_alerts)
    bus.publish("month-end-report", job)  # the scheduler's message again: a rerun
    second = bus.deliver_all(send_alerts)

    assert first[500] == 1  # the injected failure, and nothing else
    assert second[500] == 0
    assert calls == {c: 2 for c in CUSTOMERS} | {FLAKY: 3}  # one retry, then the rerun's
    reports = firestore_client.collection("monthly_additions").stream()
    assert sorted(d.id for d in reports) == [f"{c}_2026-10" for c in CUSTOMERS]
    emails = [m for m in sendgrid.outbox if m.subject.startswith("Licence additions")]
    assert sorted(m.recipients[0] for m in emails) == [
        f"billing@{c.lower()}.example" for c in CUSTOMERS
    ]
