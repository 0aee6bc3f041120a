"""Firestore helpers: seeding a synced state fast, counting writes on the emulator (documents
whose update time moved) and counting reads (documents the client received)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters.firestore_store import LISTED_IN, digest_document
from licence_manager.adapters.reseller import is_online, subscription_from_api
from licence_manager.domain.model import Customer, LicenceKey, Subscription
from licence_manager.domain.observation import LicenceContext, record_observation
from licence_manager.domain.usage_digest import (
    UsageDigest,
    document_id,
    entry_size,
    fingerprint,
    parts_for,
)
from licence_manager_local.simulator import World
from licence_manager_local.simulator.wire import subscription_json

# Every collection the usage sync may write.
SYNC_COLLECTIONS = (
    "licences",
    "usage_daily",
    "audit_events",
    "audit_heads",
    "customers",
    "recipients",
    "sync_runs",
    "sync_digests",
)
Versions = dict[str, Any]


def online_subscriptions(world: World) -> list[Subscription]:
    """What subscriptions.list returns for `world`, as the sync parses it."""
    ours = {c.customer_id for c in world.customers() if c.ours}
    items = [subscription_json(s) for s in world.subscriptions() if s.customer_id in ours]
    return [subscription_from_api(item) for item in items if is_online(item)]


def seed_synced_state(
    client: Any,
    world: World,
    at: datetime,
    time_zone: str,
    shards: list[str] | None = None,
) -> int:
    """Write what a first sync of `world` at `at` in these shards writes (licences listed in
    their shard's usage digest, their rollup of the day, audit entry and head, customers, the
    digests), with batched writes instead of one transaction per licence: the first sync is not
    what is measured, the syncs after it are. Returns the number of documents written."""
    writes: list[tuple[str, str, dict[str, Any]]] = []
    by_shard: dict[str, dict[LicenceKey, str]] = {}
    subscriptions = online_subscriptions(world)
    for subscription in subscriptions:
        prefix = next((p for p in shards or [] if subscription.customer_domain.startswith(p)), "")
        by_shard.setdefault(prefix, {})[subscription.key] = ""
    layouts = {
        prefix: UsageDigest(prefix, parts_for(sum(entry_size(k, "f" * 12) for k in keys), 1))
        for prefix, keys in by_shard.items()
    }
    documents: dict[str, tuple[str, int, dict[LicenceKey, str]]] = {}
    for subscription in subscriptions:
        change = record_observation(LicenceContext(), subscription, at, time_zone)
        assert change is not None
        doc_id = subscription.key.doc_id
        prefix = next((p for p in shards or [] if subscription.customer_domain.startswith(p)), "")
        digest = layouts[prefix]
        home = digest.home(subscription.key)
        documents.setdefault(home, (prefix, digest.parts, {}))[2][subscription.key] = fingerprint(
            change.licence.usage
        )
        writes.append(
            ("licences", doc_id, {**codec.licence_to_doc(change.licence), LISTED_IN: home})
        )
        if change.daily is not None:
            writes.append(("usage_daily", change.daily.doc_id, codec.daily_to_doc(change.daily)))
        writes.append(("audit_heads", doc_id, codec.head_to_doc(change.audit_head)))
        writes += [("audit_events", e.doc_id, codec.audit_to_doc(e)) for e in change.audit]
    for prefix, digest in layouts.items():  # every part of every shard, empty ones too
        for part in range(digest.parts):
            documents.setdefault(document_id(prefix, part), (prefix, digest.parts, {}))
    for doc_id, (prefix, parts, entries) in documents.items():
        writes.append(("sync_digests", doc_id, digest_document(prefix, parts, entries)))
    for customer in world.customers():
        if customer.ours:
            record = Customer(
                customer.customer_id, customer.domain, customer.organization_name, time_zone
            )
            writes.append(("customers", customer.customer_id, codec.customer_to_doc(record)))
    batch_write(client, writes)
    return len(writes)


def batch_write(client: Any, writes: list[tuple[str, str, dict[str, Any]]]) -> None:
    def commit(chunk: list[tuple[str, str, dict[str, Any]]]) -> None:
        batch = client.batch()
        for collection, doc_id, doc in chunk:
            batch.set(client.collection(collection).document(doc_id), doc)
        batch.commit()

    chunks = [writes[i : i + 500] for i in range(0, len(writes), 500)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(commit, chunks))


def document_versions(client: Any, collections: Iterable[str] = SYNC_COLLECTIONS) -> Versions:
    """Every document's update time, fetched without its fields."""
    from google.cloud.firestore_v1.field_path import FieldPath

    def scan(collection: str) -> Versions:
        query = client.collection(collection).select([FieldPath.document_id()])
        return {snap.reference.path: snap.update_time for snap in query.stream()}

    found: Versions = {}
    with ThreadPoolExecutor(max_workers=4) as pool:
        for part in pool.map(scan, list(collections)):
            found.update(part)
    return found


def writes_by_collection(before: Versions, after: Versions) -> Counter[str]:
    """Documents created or updated between two scans, by collection."""
    return Counter(
        path.split("/", 1)[0] for path, version in after.items() if before.get(path) != version
    )


class ReadCounter:
    """Documents returned to the client, as Firestore bills reads: each document a query or a
    get returns is one read, and a query that returns nothing still costs one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reads = 0
        self.calls: Counter[str] = Counter()

    def add(self, call: str, documents: int) -> None:
        with self._lock:
            self.calls[call] += 1
            self.reads += max(documents, 1) if call == "run_query" else documents

    def reset(self) -> None:
        with self._lock:
            self.reads = 0
            self.calls.clear()


@contextmanager
def counting_reads() -> Iterator[ReadCounter]:
    """Wrap the Firestore GAPIC client's read RPCs (RunQuery, BatchGetDocuments, GetDocument,
    RunAggregationQuery) for every client in this process while the block runs."""
    from google.cloud.firestore_v1.services.firestore.client import FirestoreClient

    counter = ReadCounter()
    originals: dict[str, Callable[..., Any]] = {}

    def streaming(name: str, has_document: Callable[[Any], bool]) -> Callable[..., Any]:
        original = getattr(FirestoreClient, name)
        originals[name] = original

        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            responses = original(self, *args, **kwargs)

            def counted() -> Iterator[Any]:
                documents = 0
                try:
                    for response in responses:
                        documents += has_document(response)
                        yield response
                finally:
                    counter.add(name, documents)

            return counted()

        return wrapper

    def unary(name: str) -> Callable[..., Any]:
        original = getattr(FirestoreClient, name)
        originals[name] = original

        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            counter.add(name, 1)
            return result

        return wrapper

    patches = {
        "run_query": streaming("run_query", lambda r: bool(r._pb.HasField("document"))),
        # A get of a document that does not exist is billed as a read too.
        "batch_get_documents": streaming(
            "batch_get_documents",
            lambda r: bool(r._pb.HasField("found") or r._pb.HasField("missing")),
        ),
        "run_aggregation_query": streaming("run_aggregation_query", lambda r: True),
        "get_document": unary("get_document"),
    }
    for name, wrapper in patches.items():
        setattr(FirestoreClient, name, wrapper)
    try:
        yield counter
    finally:
        for name, original in originals.items():
            setattr(FirestoreClient, name, original)
