"""Coalescing a channel's messages inside one process: the first notification for a channel
becomes its batch's leader and waits for the channel's rate slot; notifications for the same
channel (and, for Chat, the same SKU thread) arriving meanwhile join and go in the same message.

Concurrent requests of one send_alerts instance share it; across instances each sends its own
batches and the channel's 429 + Retry-After is the backstop (docs/architecture.md)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class BatchOutcome(StrEnum):
    POSTED = "posted"  # SENT, FAILED or UNCONFIRMED: settled either way
    RETRY = "retry"  # handed back untouched: Pub/Sub redelivers it
    TAKEN_OVER = "taken_over"  # another attempt holds the delivery now
    # SENDING when its sender failed unexpectedly: not handed back (it may have been posted);
    # its redelivery finds it stale and flags it UNCONFIRMED.
    UNSETTLED = "unsettled"


@dataclass(eq=False)
class BatchItem:
    notification_id: str
    token: str
    done: threading.Event = field(default_factory=threading.Event)
    outcome: BatchOutcome = BatchOutcome.RETRY


SendBatch = Callable[[list[BatchItem]], None]  # sets each item's outcome


class Batches:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, list[BatchItem]] = {}
        self._leading: set[str] = set()

    def submit(
        self,
        key: str,
        item: BatchItem,
        wait_for_slot: Callable[[], None],
        send: SendBatch,
        follower_timeout: float,
    ) -> BatchOutcome:
        """Send the item in the next batch of `key`; returns its outcome."""
        with self._lock:
            self._queues.setdefault(key, []).append(item)
            leader = key not in self._leading
            self._leading.add(key)
        if not leader:
            if not item.done.wait(follower_timeout):
                return BatchOutcome.RETRY
            return item.outcome
        try:
            while True:
                wait_for_slot()
                with self._lock:
                    batch = self._queues.pop(key, [])
                try:
                    send(batch)
                finally:
                    for member in batch:
                        member.done.set()
                with self._lock:  # more arrived while sending: they go in the next slot
                    if not self._queues.get(key):
                        self._leading.discard(key)
                        return item.outcome
        except BaseException:
            with self._lock:
                stranded = self._queues.pop(key, [])
                self._leading.discard(key)
            for member in stranded:
                member.done.set()  # outcome RETRY: each hands its delivery back
            raise
