"""Delivery of CloudEvents to an HTTP target with Eventarc's semantics, compressed in time.

Eventarc (standard) delivers through a Pub/Sub push subscription: each event is POSTed on its own,
at least once, in no guaranteed order; any answer but 2xx, or no answer, is retried with
exponential backoff (10 s doubling to 600 s, for up to 24 h by default), after which the event is
gone unless a dead-letter topic catches it. Here the backoff is configurable and short, attempts
are bounded, and what is given up is counted (`stats().dropped`) and listed (`dropped()`), never
silent. Fault injection makes the at-least-once and no-ordering promises visible on demand:
`duplicate_every=N` sends every Nth event twice (same `ce-id`, as a real redelivery);
`shuffle_window=N` holds up to N events (at most `shuffle_hold` seconds) and releases them in random
order.
"""

from __future__ import annotations

import http.client
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass

from licence_manager_local.eventarc.encode import OutgoingEvent

log = logging.getLogger("licence_manager_local.eventarc")


@dataclass(frozen=True)
class RetryPolicy:
    """`max_attempts` attempts in all (1: never retried, like a function deployed without retry
    on failure); between them `initial_backoff` seconds, times `multiplier` after each failure,
    at most `max_backoff`."""

    initial_backoff: float = 0.2
    max_backoff: float = 10.0
    multiplier: float = 2.0
    max_attempts: int = 8

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_backoff < 0 or self.max_backoff < self.initial_backoff:
            raise ValueError("need 0 <= initial_backoff <= max_backoff")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")

    def backoff(self, failed_attempts: int) -> float:
        """Seconds to wait after the `failed_attempts`-th failure."""
        delay = self.initial_backoff * self.multiplier ** max(failed_attempts - 1, 0)
        return float(min(delay, self.max_backoff))


@dataclass(frozen=True)
class DeliveryStats:
    submitted: int  # events handed over: one per document change
    duplicated: int  # extra copies injected by duplicate_every
    delivered: int  # deliveries the target answered 2xx (injected copies included)
    retried: int  # failed attempts that were tried again
    dropped: int  # deliveries given up after max_attempts, or events that could not be built
    abandoned: int  # deliveries still queued or waiting to retry when stop() gave up on them
    pending: int  # deliveries not finished yet (held, queued, in flight or waiting to retry)


@dataclass(frozen=True)
class DroppedEvent:
    id: str
    type: str
    subject: str
    attempts: int
    error: str


class EventDelivery:
    """A pool of worker threads POSTing binary-mode CloudEvents to one target URL."""

    def __init__(
        self,
        target_url: str,
        *,
        retry: RetryPolicy | None = None,
        workers: int = 4,
        timeout: float = 10.0,
        duplicate_every: int = 0,
        shuffle_window: int = 0,
        shuffle_hold: float = 0.25,
        seed: int | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if duplicate_every < 0 or shuffle_window < 0:
            raise ValueError("duplicate_every and shuffle_window must not be negative")
        self.target_url = target_url
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.duplicate_every = duplicate_every
        self.shuffle_window = shuffle_window
        self.shuffle_hold = shuffle_hold
        self._workers = workers
        self._random = random.Random(seed)
        # Loopback targets only: never route them through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._cond = threading.Condition()
        self._queue: deque[OutgoingEvent] = deque()
        self._held: list[OutgoingEvent] = []
        self._held_since = 0.0
        self._in_flight = 0
        self._closing = False
        self._abandon = threading.Event()
        self._threads: list[threading.Thread] = []
        self._dropped: list[DroppedEvent] = []
        self._counts = dict.fromkeys(
            ("submitted", "duplicated", "delivered", "retried", "dropped", "abandoned"), 0
        )

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        for number in range(self._workers):
            thread = threading.Thread(
                target=self._work, name=f"eventarc-delivery-{number}", daemon=True
            )
            self._threads.append(thread)
        if self.shuffle_window > 1:
            self._threads.append(
                threading.Thread(target=self._release_held, name="eventarc-shuffle", daemon=True)
            )
        for thread in self._threads:
            thread.start()

    def stop(self, drain: bool = True, timeout: float = 10.0) -> DeliveryStats:
        """Stop accepting events; with `drain`, first wait up to `timeout` seconds for every
        pending delivery (retries included) to finish. What is left is abandoned and counted."""
        if drain:
            with self._cond:
                self._release_all()
            self.wait_idle(timeout)
        with self._cond:
            self._closing = True
            left = len(self._queue) + len(self._held)
            self._counts["abandoned"] += left
            self._queue.clear()
            self._held.clear()
            self._cond.notify_all()
        self._abandon.set()  # wakes deliveries waiting to retry: they count themselves abandoned
        if left:
            log.warning("eventarc stand-in: abandoned %d undelivered event(s) at stop", left)
        for thread in self._threads:
            thread.join(timeout=self.timeout + 1.0)
        return self.stats()

    # -- intake ----------------------------------------------------------------------------------

    def submit(self, event: OutgoingEvent) -> None:
        with self._cond:
            if self._closing:
                raise RuntimeError("event delivery is stopped")
            self._counts["submitted"] += 1
            log.debug("eventarc stand-in: queued %s (%s)", event.id, event.subject)
            copies = [event]
            if self.duplicate_every and self._counts["submitted"] % self.duplicate_every == 0:
                copies.append(event)
                self._counts["duplicated"] += 1
            if self.shuffle_window > 1:
                if not self._held:
                    self._held_since = time.monotonic()
                self._held.extend(copies)
                if len(self._held) >= self.shuffle_window:
                    self._release_all()
            else:
                self._queue.extend(copies)
            self._cond.notify_all()

    def record_undeliverable(self, event_id: str, subject: str, error: str) -> None:
        """Count an event that could not even be built (e.g. a field of an unsupported type)."""
        with self._cond:
            self._counts["submitted"] += 1
            self._counts["dropped"] += 1
            self._dropped.append(DroppedEvent(event_id, "", subject, 0, error))
        log.error("eventarc stand-in: dropped change to %s: %s", subject, error)

    # -- observation -----------------------------------------------------------------------------

    def stats(self) -> DeliveryStats:
        with self._cond:
            return DeliveryStats(**self._counts, pending=self._pending())

    def dropped(self) -> list[DroppedEvent]:
        with self._cond:
            return list(self._dropped)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is pending; False if `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    # -- internals -------------------------------------------------------------------------------

    def _pending(self) -> int:
        return len(self._queue) + len(self._held) + self._in_flight

    def _release_all(self) -> None:
        """Move held events to the queue in random order (caller holds the lock)."""
        if self._held:
            self._random.shuffle(self._held)
            self._queue.extend(self._held)
            self._held.clear()
            self._cond.notify_all()

    def _release_held(self) -> None:
        with self._cond:
            while not self._closing:
                if self._held and time.monotonic() - self._held_since >= self.shuffle_hold:
                    self._release_all()
                self._cond.wait(max(self.shuffle_hold / 4, 0.01))

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if self._closing:
                    return
                event = self._queue.popleft()
                self._in_flight += 1
            try:
                self._deliver(event)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _deliver(self, event: OutgoingEvent) -> None:
        attempt = 0
        while True:
            attempt += 1
            log.debug(
                "eventarc stand-in: posting %s (%s), attempt %d", event.id, event.subject, attempt
            )
            error = self._post(event)
            if error is None:
                self._count("delivered")
                log.debug("eventarc stand-in: delivered %s (%s)", event.id, event.subject)
                return
            if attempt >= self.retry.max_attempts:
                with self._cond:
                    self._counts["dropped"] += 1
                    self._dropped.append(
                        DroppedEvent(event.id, event.type, event.subject, attempt, error)
                    )
                log.error(
                    "eventarc stand-in: dropped %s (%s) after %d attempt(s): %s",
                    event.id, event.subject, attempt, error,
                )  # fmt: skip
                return
            delay = self.retry.backoff(attempt)
            self._count("retried")
            log.warning(
                "eventarc stand-in: delivery of %s (%s) failed (%s); retry %d in %.2fs",
                event.id, event.subject, error, attempt, delay,
            )  # fmt: skip
            if self._abandon.wait(delay):
                self._count("abandoned")
                return

    def _post(self, event: OutgoingEvent) -> str | None:
        """POST once: None on a 2xx answer, else what went wrong."""
        request = urllib.request.Request(
            self.target_url, data=event.body, headers=dict(event.headers), method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
                status: int = response.status
        except urllib.error.HTTPError as error:
            return f"HTTP {error.code}"
        except (OSError, http.client.HTTPException) as error:
            return f"unreachable: {error}"
        return None if 200 <= status < 300 else f"HTTP {status}"

    def _count(self, name: str) -> None:
        with self._cond:
            self._counts[name] += 1
