"""Alerts to channels are posted once or flagged: a 429 waits and posts once, an ambiguous
failure (5xx, timeout) is flagged UNCONFIRMED and never re-sent, a duplicate message posts
nothing more, and alerts arriving together for one channel go as one message."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from licence_manager.domain.channels import Channel, ChannelDelivery, ChannelKind, delivery_of
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationType,
    Recipient,
)
from licence_manager.domain.rate_slots import RateSlots
from licence_manager.services.alerts import SendNotification
from licence_manager.services.channel_delivery import DeliverToChannels
from licence_manager.services.errors import RetryLater
from tests.builders import T0
from tests.fakes.channels import MemoryChannelStore, ScriptedSender
from tests.fakes.memory_automation import InMemoryStore, RecordingMailer
from tests.fakes.unit_of_work import MemoryUnitOfWork

CHAT = Channel(
    "C01",
    "chat1",
    ChannelKind.GOOGLE_CHAT,
    "Ops space",
    "https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t",
)
SLACK = Channel(
    "C01", "slack1", ChannelKind.SLACK, "#licences", "https://hooks.slack.com/services/T/B/X"
)


class World:
    def __init__(self, *script: str, channels: tuple[Channel, ...] = (CHAT,)) -> None:
        self.store = InMemoryStore()
        self.uow = MemoryUnitOfWork(self.store)
        self.channels = MemoryChannelStore()
        for channel in channels:
            self.channels.add_channel(channel)
        self.sender = ScriptedSender(*script)
        self.slept: list[float] = []
        self.now = [T0]

    def notify(self, notification_id: str, sku: str = "1010020028") -> None:
        self.store.notification_records[notification_id] = Notification(
            notification_id,
            LicenceKey("C01", sku),
            NotificationType.LOW_LICENCES,
            T0,
            {"vacant": 1},
        )

    def deliver(self, **options: object) -> DeliverToChannels:
        return DeliverToChannels(
            self.uow,
            self.channels,
            self.sender,
            "",
            clock=lambda: self.now[0],
            sleep=options.pop("sleep", self.slept.append),  # type: ignore[arg-type]
            coalesce_seconds=options.pop("coalesce_seconds", 0.0),  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        )

    def delivery(self, notification_id: str, channel: Channel = CHAT) -> ChannelDelivery | None:
        stored = self.store.notification(notification_id)
        assert stored is not None
        return delivery_of(stored, channel.channel_id)


def test_a_429_waits_its_retry_after_and_posts_once() -> None:
    world = World("429:2.5", "ok")
    world.notify("n1")
    world.deliver()("n1")
    assert len(world.sender.posted) == 1 and world.sender.calls == 2
    assert world.slept == [2.5]
    found = world.delivery("n1")
    assert found is not None and found.status is DeliveryStatus.SENT


def test_a_5xx_is_flagged_unconfirmed_and_never_sent_again() -> None:
    world = World("5xx")
    world.notify("n1")
    deliver = world.deliver()
    deliver("n1")
    deliver("n1")  # Pub/Sub redelivers, ops press nothing: still one post
    assert len(world.sender.posted) == 1
    found = world.delivery("n1")
    assert found is not None and found.status is DeliveryStatus.UNCONFIRMED
    assert "may have been posted" in (found.error or "")


def test_a_duplicate_message_posts_nothing_more() -> None:
    world = World()
    world.notify("n1")
    world.deliver()("n1")
    world.deliver()("n1")  # another instance, the same Pub/Sub message again
    assert len(world.sender.posted) == 1


def test_a_rejected_post_is_failed_for_good() -> None:
    world = World("reject")
    world.notify("n1")
    world.deliver()("n1")
    world.deliver()("n1")
    found = world.delivery("n1")
    assert found is not None and found.status is DeliveryStatus.FAILED
    assert world.sender.calls == 1


def test_a_long_retry_after_hands_the_delivery_back_and_a_redelivery_posts_it_once() -> None:
    world = World("429:120")
    world.notify("n1")
    with pytest.raises(RetryLater):
        world.deliver()("n1")
    found = world.delivery("n1")
    assert found is not None and found.status is DeliveryStatus.PENDING
    assert world.sender.posted == []
    world.deliver()("n1")
    assert len(world.sender.posted) == 1
    found = world.delivery("n1")
    assert found is not None and found.status is DeliveryStatus.SENT


def test_a_sender_that_died_while_posting_is_flagged_on_redelivery_not_resent() -> None:
    world = World()
    world.notify("n1")
    stored = world.store.notification_records["n1"]
    sending = ChannelDelivery("chat1", DeliveryStatus.SENDING, "dead", T0)
    world.store.notification_records["n1"] = replace(stored, channel_deliveries=(sending,))
    world.now[0] = T0 + timedelta(minutes=3)  # past the lease
    world.deliver()("n1")
    assert world.sender.posted == []
    found = world.delivery("n1")
    assert found is not None and found.status is DeliveryStatus.UNCONFIRMED


def test_one_channel_failing_does_not_stop_another() -> None:
    world = World("5xx", "ok", channels=(CHAT, SLACK))
    world.notify("n1")
    world.deliver()("n1")
    chat, slack = world.delivery("n1", CHAT), world.delivery("n1", SLACK)
    assert chat is not None and chat.status is DeliveryStatus.UNCONFIRMED
    assert slack is not None and slack.status is DeliveryStatus.SENT


def test_alerts_arriving_while_a_channel_is_rate_limited_go_as_one_message() -> None:
    world = World(channels=(SLACK,))
    for n in ("n1", "n2", "n3"):
        world.notify(n, sku=f"sku-{n}")
    slots = RateSlots(1.0)
    slots.reserve(SLACK.doc_id, time.monotonic())  # a message went out just now
    deliver = world.deliver(sleep=time.sleep, slots=slots)
    first = threading.Thread(target=deliver, args=("n1",))
    first.start()
    time.sleep(0.2)  # n1 waits for the slot; n2 and n3 arrive meanwhile
    others = [threading.Thread(target=deliver, args=(n,)) for n in ("n2", "n3")]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(5)
    assert len(world.sender.posted) == 1
    body = json.loads(world.sender.posted[0].body)
    assert body["text"].count("Low licences") == 3
    for n in ("n1", "n2", "n3"):
        found = world.delivery(n, SLACK)
        assert found is not None and found.status is DeliveryStatus.SENT and found.batch_size == 3


def test_the_emails_own_writes_keep_the_channel_deliveries() -> None:
    world = World()
    world.notify("n1")
    world.store.save_recipient(Recipient("C01", "admin@acme.example"))
    mailer = RecordingMailer()

    class PostsWhileEmailing(RecordingMailer):
        def send(self, email):  # type: ignore[no-untyped-def]
            world.deliver()("n1")  # the channel step of another delivery, meanwhile
            return mailer.send(email)

    SendNotification(world.store, world.uow, PostsWhileEmailing(), "", lambda: T0)("n1")
    stored = world.store.notification("n1")
    assert stored is not None and stored.status is DeliveryStatus.SENT
    found = world.delivery("n1")
    assert found is not None and found.status is DeliveryStatus.SENT


def test_a_burst_for_one_channel_goes_as_one_message_after_a_short_wait() -> None:
    world = World(channels=(SLACK,))
    for n in ("n1", "n2", "n3"):
        world.notify(n, sku=f"sku-{n}")
    deliver = world.deliver(sleep=time.sleep, coalesce_seconds=0.3)
    threads = [threading.Thread(target=deliver, args=(n,)) for n in ("n1", "n2", "n3")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(world.sender.posted) == 1
    assert json.loads(world.sender.posted[0].body)["text"].count("Low licences") == 3


def test_the_channel_step_never_logs_the_url(caplog: pytest.LogCaptureFixture) -> None:
    world = World("429:1", "ok", channels=(CHAT,))
    world.notify("n1")
    world.notify("n2")
    world.sender.script.extend(["5xx"])
    with caplog.at_level(logging.DEBUG):
        world.deliver()("n1")
        world.deliver()("n2")
    assert any("channel message" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        text = record.getMessage() + str(record.__dict__)
        assert "spaces/A/messages" not in text and "token=t" not in text


def test_an_email_resent_from_the_page_is_not_posted_to_channels_again() -> None:
    world = World()
    world.notify("n1")
    resend = replace(
        world.store.notification_records["n1"],
        notification_id="n1-resend-1",
        facts={"resendOf": "n1", "resentBy": "admin@acme.example"},
    )
    world.store.notification_records["n1-resend-1"] = resend
    world.deliver()("n1")
    world.deliver()("n1-resend-1")
    assert len(world.sender.posted) == 1
