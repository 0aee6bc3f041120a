"""Eventarc's delivery promises, kept and broken on purpose: retries with backoff, counted drops,
injected duplicates and reordering."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from licence_manager_local.emulators import free_port
from licence_manager_local.eventarc import (
    DocumentVersion,
    EventDelivery,
    OutgoingEvent,
    RetryPolicy,
    firestore_cloud_event,
)
from tests.eventarc.targets import failing_first, serving

FAST = RetryPolicy(initial_backoff=0.01, max_backoff=0.05, max_attempts=4)


def event(number: int) -> OutgoingEvent:
    new = DocumentVersion(f"licences/L{number}", {"n": number}, None, None)
    return firestore_cloud_event(
        old=None, new=new, project="p", time=datetime.now(UTC), event_id=f"e{number}"
    )


def test_backoff_grows_exponentially_to_its_cap() -> None:
    policy = RetryPolicy(initial_backoff=0.2, max_backoff=1.0, multiplier=2.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.2, 0.4, 0.8, 1.0, 1.0]
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_a_target_that_fails_twice_still_gets_the_event() -> None:
    with serving(failing_first(2, status=500)) as target:
        delivery = EventDelivery(target.url, retry=FAST, workers=1)
        delivery.start()
        delivery.submit(event(1))
        assert delivery.wait_idle(5)
        stats = delivery.stop()
    assert target.ids() == ["e1", "e1", "e1"]
    assert (stats.delivered, stats.retried, stats.dropped, stats.pending) == (1, 2, 0, 0)


def test_a_target_that_always_fails_has_the_event_counted_as_dropped() -> None:
    with serving(lambda n: 503) as target:
        delivery = EventDelivery(target.url, retry=FAST, workers=2)
        delivery.start()
        delivery.submit(event(1))
        delivery.submit(event(2))
        assert delivery.wait_idle(5)
        stats = delivery.stop()
        assert len(target.received) == 2 * FAST.max_attempts
    assert (stats.submitted, stats.delivered, stats.retried, stats.dropped) == (2, 0, 6, 2)
    dropped = sorted(delivery.dropped(), key=lambda d: d.id)
    assert [(d.id, d.subject, d.attempts, d.error) for d in dropped] == [
        ("e1", "documents/licences/L1", 4, "HTTP 503"),
        ("e2", "documents/licences/L2", 4, "HTTP 503"),
    ]


def test_an_unreachable_target_is_retried_then_dropped() -> None:
    delivery = EventDelivery(f"http://127.0.0.1:{free_port()}/", retry=FAST, timeout=1.0)
    delivery.start()
    delivery.submit(event(1))
    assert delivery.wait_idle(5)
    stats = delivery.stop()
    assert (stats.delivered, stats.retried, stats.dropped) == (0, 3, 1)
    assert delivery.dropped()[0].error.startswith("unreachable")


def test_a_backoff_is_waited_between_attempts() -> None:
    slow = RetryPolicy(initial_backoff=0.1, max_backoff=0.2, max_attempts=3)
    with serving(failing_first(2)) as target:
        delivery = EventDelivery(target.url, retry=slow, workers=1)
        delivery.start()
        started = time.monotonic()
        delivery.submit(event(1))
        assert delivery.wait_idle(5)
        assert time.monotonic() - started >= 0.1 + 0.2
        delivery.stop()


def test_stop_without_draining_abandons_what_is_left_and_says_so() -> None:
    with serving(lambda n: 503) as target:
        patient = RetryPolicy(initial_backoff=5.0, max_backoff=5.0, max_attempts=10)
        delivery = EventDelivery(target.url, retry=patient, workers=1)
        delivery.start()
        for number in range(3):
            delivery.submit(event(number))
        deadline = time.monotonic() + 5
        while not target.received and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        stats = delivery.stop(drain=False)
        assert time.monotonic() - started < 2  # the 5 s backoff was cut short
    assert (stats.submitted, stats.delivered, stats.abandoned, stats.pending) == (3, 0, 3, 0)
    with pytest.raises(RuntimeError):
        delivery.submit(event(9))


def test_every_nth_event_is_delivered_twice_with_the_same_id() -> None:
    with serving() as target:
        delivery = EventDelivery(target.url, duplicate_every=3, workers=2)
        delivery.start()
        for number in range(9):
            delivery.submit(event(number))
        assert delivery.wait_idle(5)
        stats = delivery.stop()
        ids = target.ids()
    assert sorted(ids) == sorted([f"e{n}" for n in range(9)] + ["e2", "e5", "e8"])
    assert (stats.submitted, stats.duplicated, stats.delivered) == (9, 3, 12)


def test_without_injection_one_worker_keeps_submission_order() -> None:
    with serving() as target:
        delivery = EventDelivery(target.url, workers=1)
        delivery.start()
        for number in range(8):
            delivery.submit(event(number))
        assert delivery.wait_idle(5)
        delivery.stop()
        assert target.ids() == [f"e{n}" for n in range(8)]


def test_workers_deliver_that_many_events_at_once() -> None:
    # Eventarc POSTs each event on its own, never waiting for the previous answer: the target
    # answers only once all ten requests are in flight together, or fails them all.
    arrived = threading.Barrier(10, timeout=5)

    def together(n: int) -> int:
        try:
            arrived.wait()
        except threading.BrokenBarrierError:
            return 500
        return 204

    with serving(together, answer_outside_lock=True) as target:
        delivery = EventDelivery(target.url, retry=FAST, workers=10)
        delivery.start()
        for number in range(10):
            delivery.submit(event(number))
        assert delivery.wait_idle(10)
        stats = delivery.stop()
    assert (stats.delivered, stats.retried, stats.dropped) == (10, 0, 0)
    assert target.most_at_once == 10


def test_a_shuffle_window_reorders_events() -> None:
    with serving() as target:
        delivery = EventDelivery(target.url, workers=1, shuffle_window=8, shuffle_hold=30.0, seed=7)
        delivery.start()
        for number in range(8):
            delivery.submit(event(number))
        assert delivery.wait_idle(5)
        delivery.stop()
        ids = target.ids()
    assert sorted(ids) == [f"e{n}" for n in range(8)]
    assert ids != [f"e{n}" for n in range(8)]


def test_a_part_filled_shuffle_window_is_released_after_its_hold_time() -> None:
    with serving() as target:
        delivery = EventDelivery(target.url, workers=1, shuffle_window=100, shuffle_hold=0.5)
        delivery.start()
        for number in range(3):
            delivery.submit(event(number))
        assert delivery.stats().pending == 3
        assert delivery.wait_idle(2)
        delivery.stop()
        assert sorted(target.ids()) == ["e0", "e1", "e2"]
