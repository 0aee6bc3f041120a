"""The sweeper drives a channel message left PENDING (handed back after a long 429, its Pub/Sub
message then dead-lettered) as it drives an unsent email; never one flagged UNCONFIRMED."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from licence_manager.domain.notifications import DeliveryStatus
from licence_manager.services.errors import RetryLater
from licence_manager.services.sweeper import FIRST_DELIVERY_GRACE, SweepRequests
from tests.builders import T0
from tests.fakes.memory_automation import RecordingPublisher
from tests.unit.test_channel_delivery import World


def _emailed(world: World, notification_id: str) -> None:
    """The email went out: only the channel step can be left undone."""
    world.notify(notification_id)
    stored = world.store.notification_records[notification_id]
    sent = replace(stored, status=DeliveryStatus.SENT, sent_at=T0)
    world.store.notification_records[notification_id] = sent


def _sweep(world: World, after: timedelta) -> list[str]:
    publisher = RecordingPublisher()
    clock = lambda: T0 + after  # noqa: E731
    SweepRequests(world.uow, world.store, world.store, publisher, clock)()
    return publisher.notifications


def test_a_channel_message_handed_back_is_republished_once_old_enough_then_posted_once() -> None:
    world = World("429:3600", "5xx")
    _emailed(world, "deferred")
    with pytest.raises(RetryLater):
        world.deliver()("deferred")  # nothing posted; its Pub/Sub message then dead-letters
    _emailed(world, "ambiguous")
    world.deliver()("ambiguous")  # a 5xx: it may have been posted, so flagged
    flagged = world.delivery("ambiguous")
    assert flagged is not None and flagged.status is DeliveryStatus.UNCONFIRMED
    assert world.sender.posted and len(world.sender.posted) == 1

    assert _sweep(world, FIRST_DELIVERY_GRACE - timedelta(seconds=1)) == []
    republished = _sweep(world, FIRST_DELIVERY_GRACE)
    assert republished == ["deferred"]  # never the UNCONFIRMED one

    for notification_id in republished:  # send_alerts takes the republished message
        world.deliver()(notification_id)
    posted = world.delivery("deferred")
    assert posted is not None and posted.status is DeliveryStatus.SENT
    assert len(world.sender.posted) == 2  # one each: nothing re-sent
    assert _sweep(world, FIRST_DELIVERY_GRACE * 10) == []  # settled: nothing more to drive
