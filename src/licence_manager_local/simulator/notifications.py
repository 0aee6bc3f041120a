"""Google's Reseller notifications (resellernotify), published by the simulator.

After every call that may change the world (an API call, a control call, a drift step) the
notifier compares each subscription with what it last saw and publishes the events Google would,
in Google's payload shape (licence_manager.domain.reseller_events): LICENSE_ASSIGNMENT_CHANGED
when licensedNumberOfSeats moves, COMMITMENT_CHANGED for an annual plan's seats,
PRICE_PLAN_SWITCHED, SUBSCRIPTION_SUSPENDED / _SUSPENSION_REVOKED / _CANCELLED and
NEW_SUBSCRIPTION_CREATED. A flexible
plan's cap change has no event, as at Google. Only while a service account is registered
(resellernotify.register), and only for the reseller's own customers.

`/_control/notifications` makes delivery as unreliable as Google warns it may be: each message
duplicated or dropped with a probability, delayed by `delay_ms` (with `reorder`, by a random
part of it, so messages overtake each other).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from licence_manager.domain.reseller_events import ResellerEvent, encode_reseller_event

from .model import Subscription

log = logging.getLogger(__name__)
Sink = Callable[[str, bytes], None]  # (topic name, message data)
RESELLER_CUSTOMER_ID = "C0reseller"
DEFAULT_TOPIC = f"projects/partner-watch/topics/{RESELLER_CUSTOMER_ID}"
_ACTIVE, _SUSPENDED, _CANCELLED = "ACTIVE", "SUSPENDED", "CANCELLED"


@dataclass(frozen=True, slots=True)
class _Seen:
    licensed: int
    seats: int
    plan: str
    status: str
    annual: bool
    subscription_id: str
    domain: str

    @classmethod
    def of(cls, sub: Subscription) -> _Seen:
        return cls(
            sub.licensed,
            sub.seats,
            sub.plan_name,
            sub.status,
            sub.is_annual,
            sub.subscription_id,
            sub.customer_domain,
        )


def events_between(before: _Seen | None, after: _Seen | None) -> list[tuple[str, tuple[str, ...]]]:
    """The event types (with reasons) Google would send for one subscription's change."""
    if after is None:
        return [] if before is None else [("SUBSCRIPTION_CANCELLED", ("OTHER",))]
    if before is None:
        return [("NEW_SUBSCRIPTION_CREATED", ())]
    found: list[tuple[str, tuple[str, ...]]] = []
    if after.status != before.status:
        if after.status == _SUSPENDED:
            found.append(("SUBSCRIPTION_SUSPENDED", ("RESELLER_INITIATED",)))
        elif after.status == _CANCELLED:
            found.append(("SUBSCRIPTION_CANCELLED", ("RESELLER_INITIATED",)))
        elif before.status == _SUSPENDED and after.status == _ACTIVE:
            found.append(("SUBSCRIPTION_SUSPENSION_REVOKED", ()))
    if after.plan != before.plan:
        found.append(("PRICE_PLAN_SWITCHED", ()))
    if after.annual and before.annual and after.seats != before.seats:
        found.append(("COMMITMENT_CHANGED", ()))
    if after.licensed != before.licensed:
        found.append(("LICENSE_ASSIGNMENT_CHANGED", ()))
    return found


@dataclass
class DeliveryFaults:
    duplicate: float = 0.0  # probability a message is published twice
    drop: float = 0.0  # probability a message is never published
    delay_ms: int = 0
    reorder: bool = False  # delay each message by a random part of delay_ms

    def snapshot(self) -> dict[str, Any]:
        return {
            "duplicate": self.duplicate,
            "drop": self.drop,
            "delay_ms": self.delay_ms,
            "reorder": self.reorder,
        }


@dataclass
class NotifierStats:
    published: int = 0
    duplicated: int = 0
    dropped: int = 0
    failed: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


class Notifier:
    """Diffs the world and queues Google's payloads; a thread publishes them when due."""

    def __init__(self, sink: Sink, topic: str = DEFAULT_TOPIC, seed: int = 0) -> None:
        self.topic = topic
        self.registered: list[str] = []  # service accounts, as resellernotify.register keeps them
        self.faults = DeliveryFaults()
        self.stats = NotifierStats()
        self._sink = sink
        self._rng = random.Random(seed)
        self._seen: dict[tuple[str, str], _Seen] = {}
        self._lock = threading.Condition()
        self._queue: list[tuple[float, int, bytes, str]] = []
        self._order = itertools.count()
        self._ids = itertools.count(1)
        self._stopping = False
        self._thread: threading.Thread | None = None

    def register(
        self, service_account: str, subscriptions: list[Subscription], ours: Callable[[str], bool]
    ) -> str:
        """Add a service account; the first one starts the notifications from the world as it
        is now (nothing is watched while nobody is registered)."""
        with self._lock:
            if not self.registered:
                self._baseline(subscriptions, ours)
            if service_account and service_account not in self.registered:
                self.registered.append(service_account)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._deliver, name="reseller-notify", daemon=True
                )
                self._thread.start()
            return self.topic

    def unregister(self, service_account: str) -> str:
        with self._lock:
            if service_account in self.registered:
                self.registered.remove(service_account)
            return self.topic

    def baseline(self, subscriptions: list[Subscription], ours: Callable[[str], bool]) -> None:
        """What the world is now, without announcing it (after a reset)."""
        with self._lock:
            self._baseline(subscriptions, ours)

    def _baseline(self, subscriptions: list[Subscription], ours: Callable[[str], bool]) -> None:
        self._seen = {
            (s.customer_id, s.sku_id): _Seen.of(s) for s in subscriptions if ours(s.customer_id)
        }

    @property
    def watching(self) -> bool:
        with self._lock:
            return bool(self.registered)

    def observe(self, subscriptions: list[Subscription], ours: Callable[[str], bool]) -> int:
        """Compare the world with what was last seen; queue an event per change (if anyone is
        registered to hear it). Returns how many events were queued."""
        now = {(s.customer_id, s.sku_id): s for s in subscriptions if ours(s.customer_id)}
        with self._lock:
            queued = 0
            if not self.registered:
                return 0
            for key in sorted(self._seen.keys() | now.keys()):
                sub = now.get(key)
                after = _Seen.of(sub) if sub is not None else None
                before = self._seen.get(key)
                if after == before:
                    continue
                for kind, reasons in events_between(before, after):
                    seen = after or before
                    assert seen is not None
                    self._queue_event(key, kind, reasons, seen)
                    queued += 1
                if after is None:
                    del self._seen[key]
                else:
                    self._seen[key] = after
            return queued

    def _queue_event(
        self, key: tuple[str, str], kind: str, reasons: tuple[str, ...], seen: _Seen
    ) -> None:
        event = ResellerEvent(
            customer_id=key[0],
            event_type=kind,
            event_time=datetime.now(UTC),
            sku_id=key[1],
            subscription_id=seen.subscription_id,
            customer_domain=seen.domain,
            message_id=str(next(self._ids)),
            reasons=reasons,
        )
        data = json.dumps(encode_reseller_event(event, RESELLER_CUSTOMER_ID)).encode()
        self.stats.by_type[kind] = self.stats.by_type.get(kind, 0) + 1
        if self._rng.random() < self.faults.drop:
            self.stats.dropped += 1
            return
        copies = 2 if self._rng.random() < self.faults.duplicate else 1
        self.stats.duplicated += copies - 1
        for _ in range(copies):
            delay = self.faults.delay_ms / 1000
            if self.faults.reorder:
                delay *= self._rng.random()
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._order), data, kind))
        self._lock.notify()

    def _deliver(self) -> None:
        while True:
            with self._lock:
                while not self._stopping and (
                    not self._queue or self._queue[0][0] > time.monotonic()
                ):
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._lock.wait(wait)
                if self._stopping:
                    return
                _, _, data, kind = heapq.heappop(self._queue)
                topic = self.topic
            try:
                self._sink(topic, data)
                with self._lock:
                    self.stats.published += 1
            except Exception:
                log.exception("could not publish a reseller notification (%s)", kind)
                with self._lock:
                    self.stats.failed += 1

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "topicName": self.topic,
                "serviceAccountEmailAddresses": list(self.registered),
                **self.faults.snapshot(),
                "pending": len(self._queue),
                "published": self.stats.published,
                "duplicated": self.stats.duplicated,
                "dropped": self.stats.dropped,
                "failed": self.stats.failed,
                "byType": dict(self.stats.by_type),
            }


def pubsub_sink() -> Sink:
    """Publishes with google-cloud-pubsub (to the emulator when PUBSUB_EMULATOR_HOST is set),
    creating the topic on first use as Google does when a reseller registers."""
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    publisher = pubsub_v1.PublisherClient()
    made: set[str] = set()

    def publish(topic: str, data: bytes) -> None:
        if topic not in made:
            with contextlib.suppress(AlreadyExists):
                publisher.create_topic(name=topic)
            made.add(topic)
        publisher.publish(topic, data).result(timeout=30)

    return publish
