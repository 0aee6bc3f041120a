"""SendGrid's Event Webhook through the api: a signed batch updates each notification's status
and flags a bouncing address on the Notifications page; unsigned or tampered batches change
nothing. End to end: the SendGrid stand-in, after a real send, posts signed events to a live api."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

import pytest

from licence_manager.adapters.sendgrid_mailer import SendGridMailer
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationType,
    Recipient,
)
from licence_manager.services.alerts import SendNotification
from licence_manager.services.email_events import RecordEmailEvents
from licence_manager_local.sendgrid_standin import start_sendgrid_standin
from licence_manager_local.sendgrid_standin.events import EventSigner, event
from licence_manager_local.serving import BackgroundServer, quiet_server
from tests.api.conftest import ACME, STANDARD, Api, build_api
from tests.builders import T0
from tests.fakes.channels import MemoryBounceStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

EVENTS = "/api/v1/sendgrid/events"
IT = "it@acme.example"  # the seeded recipient (conftest)


def events_api(signer: EventSigner) -> tuple[Api, MemoryBounceStore]:
    bounces = MemoryBounceStore()
    holder: dict[str, Any] = {}

    def record(events: Any) -> int:
        return RecordEmailEvents(MemoryUnitOfWork(holder["api"].store), bounces)(events)

    api = build_api(
        email_events=record, bounces=lambda: bounces, sendgrid_event_public_key=signer.public_key
    )
    holder["api"] = api
    return api, bounces


def sent_to(api: Api, nid: str, *recipients: str) -> None:
    api.store.notification_records[nid] = Notification(
        nid,
        LicenceKey(ACME, STANDARD),
        NotificationType.LOW_LICENCES,
        T0,
        status=DeliveryStatus.SENT,
        recipients=recipients,
    )


def post(api: Api, signer: EventSigner, events: list[dict[str, Any]], **tamper: Any) -> Any:
    body = json.dumps(events).encode()
    headers = signer.headers(body)
    headers.update(tamper)
    return api.client().post(EVENTS, data=body, headers=headers)


def test_a_signed_bounce_marks_the_email_and_flags_the_address() -> None:
    signer = EventSigner()
    api, _ = events_api(signer)
    sent_to(api, "n-bounce", IT)
    answer = post(api, signer, [event("bounce", IT, "m1", {"notificationId": "n-bounce"})])
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"events": 1, "notifications": 1}
    stored = api.store.notification("n-bounce")
    assert stored is not None and stored.status is DeliveryStatus.BOUNCED
    (recipient,) = [
        r
        for r in api.call("GET", f"/api/v1/customers/{ACME}/recipients").get_json()
        if r["email"] == IT
    ]
    assert recipient["bouncing"]["event"] == "bounce"
    page = api.call("GET", f"/api/v1/customers/{ACME}/notifications?problems=true").get_json()
    assert "n-bounce" in [n["id"] for n in page["notifications"]]


def test_a_late_delivered_does_not_hide_the_bounce() -> None:
    signer = EventSigner()
    api, _ = events_api(signer)
    sent_to(api, "n1", IT)
    now = int(time.time())
    post(api, signer, [event("bounce", IT, "m1", {"notificationId": "n1"}, now)])
    post(api, signer, [event("delivered", IT, "m1", {"notificationId": "n1"}, now - 30)])
    stored = api.store.notification("n1")
    assert stored is not None and stored.status is DeliveryStatus.BOUNCED


@pytest.mark.parametrize(
    "tamper",
    [
        {"X-Twilio-Email-Event-Webhook-Timestamp": "1"},  # the signed timestamp changed
        {"X-Twilio-Email-Event-Webhook-Signature": "bm90IGEgc2lnbmF0dXJl"},
        {"X-Twilio-Email-Event-Webhook-Signature": ""},
    ],
)
def test_unsigned_or_tampered_events_change_nothing(tamper: dict[str, str]) -> None:
    signer = EventSigner()
    api, bounces = events_api(signer)
    sent_to(api, "n1", IT)
    answer = post(api, signer, [event("bounce", IT, "m1", {"notificationId": "n1"})], **tamper)
    assert answer.status_code == 401
    stored = api.store.notification("n1")
    assert stored is not None and stored.status is DeliveryStatus.SENT
    assert bounces.bouncing(ACME) == {}


def test_another_key_is_refused() -> None:
    api, _ = events_api(EventSigner())
    sent_to(api, "n1", IT)
    answer = post(api, EventSigner(), [event("bounce", IT, "m1", {"notificationId": "n1"})])
    assert answer.status_code == 401


def test_without_a_key_events_are_refused() -> None:
    api = build_api(sendgrid_event_public_key="")
    assert api.client().post(EVENTS, json=[]).status_code == 503


def test_the_standin_posts_signed_events_after_a_real_send() -> None:
    signer = EventSigner()
    api, bounces = events_api(signer)
    bouncer = "bounce.me@acme.example"
    api.store.save_recipient(Recipient(ACME, bouncer))
    sent_to(api, "n-live")
    pending = replace(api.store.notification_records["n-live"], status=DeliveryStatus.PENDING)
    api.store.notification_records["n-live"] = pending
    server = BackgroundServer(quiet_server(api.app, "127.0.0.1", 0), _never(), "api")
    try:
        with start_sendgrid_standin() as standin:
            standin.app.event_webhook.signer = signer
            standin.app.event_webhook.url = f"http://127.0.0.1:{server.port}{EVENTS}"
            standin.app.event_webhook.auto = True
            mailer = SendGridMailer(standin.api_key, "lm@reseller.example", host=standin.url)
            SendNotification(api.store, MemoryUnitOfWork(api.store), mailer, "")("n-live")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                stored = api.store.notification("n-live")
                if stored is not None and len(stored.recipient_outcomes) == 2:
                    break
                time.sleep(0.1)
    finally:
        server.stop()
    stored = api.store.notification("n-live")
    assert stored is not None and stored.status is DeliveryStatus.BOUNCED
    assert {o.email: o.event for o in stored.recipient_outcomes} == {
        IT: "delivered",
        bouncer: "bounce",
    }
    assert set(bounces.bouncing(ACME)) == {bouncer}


def _never() -> Any:
    import threading

    return threading.Event()
