"""Decoding Google's Reseller notifications, from payloads shaped as Google documents them."""

import base64
import json
import logging
from datetime import UTC, datetime

import pytest

from licence_manager.domain.reseller_events import (
    ResellerEvent,
    UnreadableEvent,
    decode_reseller_event,
    encode_reseller_event,
)

DELIVERED = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
# The example on https://developers.google.com/workspace/admin/reseller/v1/how-tos/push, as sent.
GOOGLES_EXAMPLE = {
    "sku_id": "Google-Apps-Unlimited",
    "event_type": "SUBSCRIPTION_CANCELLED",
    "customer_domain_name": "domain.com",
    "subscription_id": "1234567",
    "customer_id": "C0abcdef",
    "message_id": "8675309",
    "publish_time": {"seconds": 1457731846, "nanos": 349000000},
    "reseller_customer_id": "C0reseller",
}


def test_googles_documented_example_decodes() -> None:
    event = decode_reseller_event(GOOGLES_EXAMPLE, DELIVERED)
    assert event.customer_id == "C0abcdef"
    assert event.event_type == "SUBSCRIPTION_CANCELLED"
    assert event.event_time == datetime(2016, 3, 11, 21, 30, 46, 349000, tzinfo=UTC)
    assert (event.sku_id, event.subscription_id) == ("Google-Apps-Unlimited", "1234567")
    assert event.customer_domain == "domain.com"
    assert event.message_id == "8675309"
    assert event.known and not event.is_assignment_change


def test_an_assignment_change_with_seconds_as_a_string_and_no_nanos() -> None:
    body = {**GOOGLES_EXAMPLE, "event_type": "LICENSE_ASSIGNMENT_CHANGED"}
    body["publish_time"] = {"seconds": "1457731846"}
    event = decode_reseller_event(body, DELIVERED)
    assert event.is_assignment_change
    assert event.event_time == datetime(2016, 3, 11, 21, 30, 46, tzinfo=UTC)


def test_without_a_publish_time_the_pubsub_delivery_time_is_used() -> None:
    body = {k: v for k, v in GOOGLES_EXAMPLE.items() if k != "publish_time"}
    assert decode_reseller_event(body, DELIVERED).event_time == DELIVERED


def test_suspension_and_cancellation_reasons_are_kept() -> None:
    suspended = {
        **GOOGLES_EXAMPLE,
        "event_type": "SUBSCRIPTION_SUSPENDED",
        "subscription_suspension_reasons": ["PENDING_TOS_ACCEPTANCE", "TRIAL_ENDED"],
    }
    assert decode_reseller_event(suspended, DELIVERED).reasons == (
        "PENDING_TOS_ACCEPTANCE",
        "TRIAL_ENDED",
    )
    cancelled = {**GOOGLES_EXAMPLE, "subscription_cancellation_reason": "TRANSFERRED_OUT"}
    assert decode_reseller_event(cancelled, DELIVERED).reasons == ("TRANSFERRED_OUT",)


def test_an_unknown_event_type_decodes_as_unknown() -> None:
    event = decode_reseller_event({**GOOGLES_EXAMPLE, "event_type": "SOMETHING_NEW"}, DELIVERED)
    assert event.event_type == "SOMETHING_NEW"
    assert not event.known


@pytest.mark.parametrize(
    "body",
    [
        [],
        "LICENSE_ASSIGNMENT_CHANGED",
        {"event_type": "LICENSE_ASSIGNMENT_CHANGED"},
        {**GOOGLES_EXAMPLE, "customer_id": "  "},
        {**GOOGLES_EXAMPLE, "event_type": ""},
        {**GOOGLES_EXAMPLE, "customer_id": {"id": "C0"}},
        {**GOOGLES_EXAMPLE, "publish_time": {"seconds": "soon"}},
        {**GOOGLES_EXAMPLE, "publish_time": 12},
    ],
)
def test_a_notification_that_names_no_customer_or_time_is_unreadable(body: object) -> None:
    with pytest.raises(UnreadableEvent):
        decode_reseller_event(body, DELIVERED)


def test_encoding_gives_googles_shape_back() -> None:
    event = ResellerEvent(
        customer_id="C0abcdef",
        event_type="SUBSCRIPTION_CANCELLED",
        event_time=datetime(2016, 3, 11, 21, 30, 46, 349000, tzinfo=UTC),
        sku_id="Google-Apps-Unlimited",
        subscription_id="1234567",
        customer_domain="domain.com",
        message_id="8675309",
    )
    assert encode_reseller_event(event, "C0reseller") == GOOGLES_EXAMPLE
    assert decode_reseller_event(encode_reseller_event(event), DELIVERED) == event


def _pushed(body: object, raw: bytes | None = None) -> dict[str, object]:
    data = raw if raw is not None else json.dumps(body).encode()
    return {
        "message": {
            "data": base64.b64encode(data).decode(),
            "messageId": "m-1",
            "publishTime": "2026-12-06T03:00:00Z",
            "attributes": {},
        },
        "subscription": "projects/p/subscriptions/reseller-events",
    }


class Recorder:
    def __init__(self) -> None:
        self.events: list[ResellerEvent] = []

    def __call__(self, event: ResellerEvent) -> object:
        from licence_manager.services.event_sync import EventHandled, EventOutcome

        self.events.append(event)
        return EventHandled(EventOutcome.COALESCED)


@pytest.fixture
def handler(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    from licence_manager import bootstrap

    recorder = Recorder()
    monkeypatch.setattr(bootstrap, "react_to_reseller_event", lambda: recorder)
    return recorder


def test_the_entry_point_hands_a_decoded_event_on(handler: Recorder) -> None:
    from licence_manager.entrypoints import react_to_reseller_event_message

    body = {k: v for k, v in GOOGLES_EXAMPLE.items() if k != "publish_time"}
    react_to_reseller_event_message(_pushed(body))
    [event] = handler.events
    assert event.customer_id == "C0abcdef"
    assert event.event_time == datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # the message's


@pytest.mark.parametrize(
    "raw", [b"not json", b"\xff\xfe", json.dumps({"event_type": "X"}).encode(), b"[1, 2]"]
)
def test_a_malformed_message_is_acknowledged_and_logged(
    handler: Recorder, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    from licence_manager.entrypoints import react_to_reseller_event_message

    with caplog.at_level(logging.ERROR):
        react_to_reseller_event_message(_pushed(None, raw))  # returns: Pub/Sub acks it
    assert handler.events == []
    assert "dropping unreadable reseller event" in caplog.text
