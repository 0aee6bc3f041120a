# The client's watch module has no type hints; this file is a thin subclass of it.
# mypy: disable-error-code="no-untyped-call"
"""A collection listener whose cost per change barely grows with the collection.

The Eventarc stand-in paid 25 / 79 / 272 ms of CPU per delivered update with 50 / 260 / 1,000
documents watched, so a burst of ten writes queued behind each other in the one listener
thread. Two things made it linear in the collection:
- the Firestore emulator answers every change with a RESET and the whole result set again (a
  probe of 300 documents: 10 updates, 3,000 document changes received; listeners over disjoint
  id ranges each get their whole range again for a change anywhere in the collection), and the
  client decodes every one of them into a DocumentSnapshot before finding it unchanged;
- the client's `Watch` hands its callback every document, sorted with a Python comparator, on
  every snapshot, and copies its document map on every insert and remove.
This listener keeps the client's stream handling, resume tokens and change computation, skips
decoding a resent document whose update time it already holds, and drops the sort and the
copies: the callback gets no documents, only the changes, in the client's order (removals,
additions, modifications). Production Firestore sends only what changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.base_document import DocumentSnapshot
from google.cloud.firestore_v1.watch import WATCH_TARGET_ID, DocTreeEntry, Watch, WatchDocTree

ChangesCallback = Callable[[Sequence[Any], datetime], None]


class _MutableDocTree(WatchDocTree):
    """The client's tree copies its whole map on every insert and remove (it is persistent so a
    snapshot can keep the old one); nothing here keeps an old tree, so change it in place."""

    def insert(self, key: Any, value: Any) -> _MutableDocTree:
        self._dict[key] = DocTreeEntry(value, self._index)
        self._index += 1
        return self

    def remove(self, key: Any) -> _MutableDocTree:
        del self._dict[key]
        return self


class _ChangesOnlyWatch(Watch):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.doc_tree = _MutableDocTree()

    def on_snapshot(self, proto: Any) -> None:
        resent = self._already_held(proto)
        if resent is None:
            super().on_snapshot(proto)
        elif not self._closing.locked():
            name, snapshot = resent
            self.change_map[name] = snapshot

    def _already_held(self, proto: Any) -> tuple[str, Any] | None:
        """The name and held snapshot of a document the server sent again unchanged."""
        if proto is None or proto._pb.WhichOneof("response_type") != "document_change":
            return None
        change = proto._pb.document_change
        if WATCH_TARGET_ID not in change.target_ids:
            return None
        held = self.doc_map.get(change.document.name)
        if held is None or held.update_time.timestamp_pb() != change.document.update_time:
            return None
        return change.document.name, held

    def push(self, read_time: datetime, next_resume_token: bytes) -> None:
        # Watch.push without the sort of every document (see the module docstring).
        deletes, adds, updates = self._extract_changes(self.doc_map, self.change_map, read_time)
        # A document resent unchanged is the held snapshot itself; the client would sort every
        # one of them with its Python comparator only to find each unchanged.
        updates = [doc for doc in updates if doc is not self.doc_map[doc.reference._document_path]]
        self.doc_tree, self.doc_map, applied = self._compute_snapshot(
            self.doc_tree, self.doc_map, deletes, adds, updates
        )
        if not self.has_pushed or applied:
            self._snapshot_callback([], applied, read_time)
            self.has_pushed = True
        self.change_map.clear()
        self.resume_token = next_resume_token


def listen_for_changes(collection: Any, on_changes: ChangesCallback) -> Any:
    """Listen to a collection and call `on_changes(changes, read_time)` per snapshot, the first
    one included (every existing document as ADDED). Returns the watch, whose `unsubscribe()`
    ends it, as `on_snapshot` does."""
    # As CollectionReference.on_snapshot does. (An explicit order_by on the document id would
    # be public, but the client's comparator then fails on it: "Can only compare fields that
    # exist in the DocumentSnapshot".)
    return _ChangesOnlyWatch.for_query(
        collection._query(),
        lambda _documents, changes, read_time: on_changes(changes, read_time),
        DocumentSnapshot,
    )
