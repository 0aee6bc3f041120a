"""Eventarc for the Firestore emulator: no emulator delivers Firestore document events, so this
listens to collections (Listen, which the emulator supports; see listener.py) and turns every
document change into the CloudEvent Eventarc would POST to a gen2 function."""

from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

from licence_manager.firestore_events import EVENT_TYPES, WRITTEN
from licence_manager_local.eventarc.delivery import (
    DeliveryStats,
    DroppedEvent,
    EventDelivery,
    RetryPolicy,
)
from licence_manager_local.eventarc.encode import (
    DEFAULT_DATABASE,
    DEFAULT_NAMESPACE,
    DocumentVersion,
    firestore_cloud_event,
    matches,
)
from licence_manager_local.eventarc.listener import listen_for_changes

log = logging.getLogger("licence_manager_local.eventarc")


class EventarcStandIn:
    """Watches top-level `collections` and delivers one CloudEvent per document change to
    `target_url`, as an Eventarc Firestore trigger on `event_type` for `collection/{id}` would.

    `old_value` comes from the last version of each document seen here (the listener's initial
    snapshot included), so updates and deletes carry the document as it was. The initial
    snapshot's documents are not delivered unless `include_existing`. Delivery is at least once,
    unordered, retried per `retry` (see EventDelivery for the fault injection options).

    Not modelled: several writes that land in one listener snapshot arrive as one change (the
    last), where Eventarc would send one event per write; no Authorization header is sent.
    """

    def __init__(
        self,
        client: Any,
        collections: Sequence[str],
        target_url: str,
        project: str | None = None,
        database: str = DEFAULT_DATABASE,
        location: str = "nam5",
        retry: RetryPolicy | None = None,
        *,
        namespace: str = DEFAULT_NAMESPACE,
        event_type: str = WRITTEN,
        include_existing: bool = False,
        workers: int = 4,
        timeout: float = 10.0,
        duplicate_every: int = 0,
        shuffle_window: int = 0,
        shuffle_hold: float = 0.25,
        seed: int | None = None,
    ) -> None:
        bad = [name for name in collections if not name or "/" in name]
        if bad or not collections:
            raise ValueError(f"need one or more top-level collection names, got {collections!r}")
        if event_type not in EVENT_TYPES:
            raise ValueError(f"not a Firestore document event type: {event_type!r}")
        self.client = client
        self.collections = list(collections)
        self.project: str = project or client.project
        self.database = database
        self.location = location
        self.namespace = namespace
        self.event_type = event_type
        self.include_existing = include_existing
        self.delivery = EventDelivery(
            target_url,
            retry=retry,
            workers=workers,
            timeout=timeout,
            duplicate_every=duplicate_every,
            shuffle_window=shuffle_window,
            shuffle_hold=shuffle_hold,
            seed=seed,
        )
        self._lock = threading.Lock()
        self._last_seen: dict[str, DocumentVersion] = {}
        self._ready = {name: threading.Event() for name in self.collections}
        self._watches: list[Any] = []

    @property
    def target_url(self) -> str:
        return self.delivery.target_url

    def start(self, timeout: float = 30.0) -> EventarcStandIn:
        """Subscribe and wait for each collection's initial snapshot, so that every write made
        after start() returns is delivered."""
        if self._watches:
            return self
        self.delivery.start()
        for name in self.collections:
            self._watches.append(
                listen_for_changes(
                    self.client.collection(name), functools.partial(self._on_snapshot, name)
                )
            )
        for name, ready in self._ready.items():
            if not ready.wait(timeout):
                self.stop(drain=False)
                raise TimeoutError(f"no initial snapshot of {name!r} after {timeout}s")
        return self

    def stop(self, drain: bool = True, timeout: float = 10.0) -> DeliveryStats:
        """Unsubscribe, then (with `drain`) let pending deliveries finish for up to `timeout`
        seconds; anything left is abandoned and counted."""
        watches, self._watches = self._watches, []
        for watch in watches:
            try:
                watch.unsubscribe()
            except Exception:  # a broken stream is closed all the same
                log.exception("eventarc stand-in: unsubscribing failed")
        return self.delivery.stop(drain=drain, timeout=timeout)

    def __enter__(self) -> EventarcStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stats(self) -> DeliveryStats:
        return self.delivery.stats()

    def dropped(self) -> list[DroppedEvent]:
        return self.delivery.dropped()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self.delivery.wait_idle(timeout)

    # -- listener --------------------------------------------------------------------------------

    def _on_snapshot(self, collection: str, changes: Sequence[Any], read_time: datetime) -> None:
        initial = not self._ready[collection].is_set()
        log.debug(
            "eventarc stand-in: snapshot of %s with %d change(s), read %s",
            collection,
            len(changes),
            read_time,
        )
        try:
            with self._lock:
                for change in changes:
                    try:
                        self._on_change(change, read_time, self.include_existing or not initial)
                    except Exception:  # one bad change must not end the listener
                        log.exception("eventarc stand-in: could not handle a document change")
        finally:
            self._ready[collection].set()

    def _on_change(self, change: Any, read_time: datetime, deliver: bool) -> None:
        snapshot = change.document
        path: str = snapshot.reference.path
        old: DocumentVersion | None
        new: DocumentVersion | None
        if change.type.name == "REMOVED":
            old = self._last_seen.pop(path, None) or DocumentVersion.from_snapshot(snapshot)
            new, time = None, read_time  # a delete's commit time is not reported; read time is
        else:
            old, new = self._last_seen.get(path), DocumentVersion.from_snapshot(snapshot)
            self._last_seen[path] = new
            time = new.update_time or read_time
        if not deliver or not matches(self.event_type, old, new):
            return
        event_id = str(uuid.uuid4())
        try:
            event = firestore_cloud_event(
                old=old,
                new=new,
                project=self.project,
                time=time,
                database=self.database,
                namespace=self.namespace,
                location=self.location,
                event_type=self.event_type,
                event_id=event_id,
            )
        except (TypeError, ValueError) as error:
            self.delivery.record_undeliverable(event_id, f"documents/{path}", str(error))
            return
        try:
            self.delivery.submit(event)
        except RuntimeError:  # a last snapshot racing stop(): nothing is delivering any more
            log.warning("eventarc stand-in: stopped; not delivering %s", event.subject)
