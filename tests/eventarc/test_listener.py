"""The stand-in's listener against the Firestore emulator: the emulator resends the whole
collection on every change, and the listener must report each real change once, and nothing
for the documents resent unchanged."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from licence_manager_local.eventarc.listener import listen_for_changes


class Recorder:
    def __init__(self) -> None:
        self.snapshots: list[list[tuple[str, str, Any]]] = []
        self._changed = threading.Condition()

    def __call__(self, changes: Sequence[Any], read_time: datetime) -> None:
        seen = [
            (change.type.name, change.document.id, (change.document.to_dict() or {}).get("v"))
            for change in changes
        ]
        with self._changed:
            self.snapshots.append(seen)
            self._changed.notify_all()

    def changes(self) -> list[tuple[str, str, Any]]:
        return [change for snapshot in self.snapshots[1:] for change in snapshot]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[tuple[str, str, Any]]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.changes()) < count and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
        return self.changes()


def test_reports_each_change_once_and_nothing_for_documents_resent_unchanged(
    firestore_client: Any,
) -> None:
    collection = firestore_client.collection("licences")
    batch = firestore_client.batch()
    for number in range(40):
        batch.set(collection.document(f"C{number:03d}_sku"), {"v": 0})
    batch.commit()
    recorder = Recorder()
    watch = listen_for_changes(collection, recorder)
    try:
        deadline = time.monotonic() + 20
        while not recorder.snapshots and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(recorder.snapshots[0]) == 40
        assert {kind for kind, _, _ in recorder.snapshots[0]} == {"ADDED"}

        writes = [
            lambda: collection.document("C001_sku").set({"v": 1}),
            lambda: collection.document("C002_sku").set({"v": 5}),
            lambda: collection.document("new_sku").set({"v": 7}),
            lambda: collection.document("C003_sku").delete(),
            lambda: collection.document("C001_sku").set({"v": 2}),
        ]
        for done, write in enumerate(writes, start=1):
            write()  # one at a time, so that no two land in one snapshot
            recorder.wait_for(done)
        time.sleep(1.0)  # anything spurious would arrive with the emulator's next resend
        changes = recorder.changes()
    finally:
        watch.unsubscribe()

    assert sorted(changes, key=str) == sorted(
        [
            ("MODIFIED", "C001_sku", 1),
            ("MODIFIED", "C002_sku", 5),
            ("ADDED", "new_sku", 7),
            ("REMOVED", "C003_sku", 0),
            ("MODIFIED", "C001_sku", 2),
        ],
        key=str,
    )
