"""The usage sync in a process of its own, as sync_usage runs it (the same adapters, the same
service), so that its memory and CPU are its own and not the simulator's. It reads one JSON
command per line on stdin (`{"shards": ["acme-", ...]}` or `{"shards": null}`), runs one sync
and answers one JSON line: the report's counts, the wall time, the time each phase took and the
process's peak resident memory so far.

Started by bench.sync_scale with FIRESTORE_EMULATOR_HOST, GOOGLE_CLOUD_PROJECT,
RESELLER_API_ENDPOINT and SYNC_MAX_PARALLEL_SHARDS set."""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from bench.firestore_tools import counting_reads
from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
from licence_manager.adapters.reseller import ResellerApi
from licence_manager.adapters.reseller_client import build_reseller_service
from licence_manager.config import Settings
from licence_manager.domain.usage_digest import UsageDigest
from licence_manager.ports import HeartbeatRead, SubscriptionListing, SyncRunRecord
from licence_manager.ports.unit_of_work import Transaction
from licence_manager.services.sync import SyncReport, SyncUsage, UsageSync

T = TypeVar("T")


class Phases:
    """Seconds spent per phase, per shard (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.listing: dict[str, float] = {}
        self.pages: dict[str, int] = {}
        self.stored_read: dict[str, float] = {}
        self.heartbeat: dict[str, float] = {}  # the run record and freshness heartbeat
        self.record_seconds = 0.0
        self.records = 0

    def clear(self) -> None:
        with self._lock:
            self.listing.clear()
            self.pages.clear()
            self.stored_read.clear()
            self.heartbeat.clear()
            self.record_seconds = 0.0
            self.records = 0

    def timed(self, into: dict[str, float], shard: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return call()
        finally:
            with self._lock:
                into[shard] = time.perf_counter() - start


class TimedSource(ResellerApi):
    phases: Phases

    def list_subscriptions(self, customer_name_prefix: str | None) -> SubscriptionListing:
        shard = customer_name_prefix or ""
        listing: SubscriptionListing = self.phases.timed(
            self.phases.listing,
            shard,
            lambda: super(TimedSource, self).list_subscriptions(customer_name_prefix),
        )
        self.phases.pages[shard] = listing.api_calls
        return listing


class TimedStore(FirestoreStore):
    phases: Phases

    def usage_digests(self, shards: Iterable[str]) -> dict[str, UsageDigest]:
        digests: dict[str, UsageDigest] = self.phases.timed(
            self.phases.stored_read, "", lambda: super(TimedStore, self).usage_digests(shards)
        )
        return digests

    def record_sync_run(self, run: SyncRunRecord, read: HeartbeatRead | None = None) -> None:
        self.phases.timed(
            self.phases.heartbeat, "", lambda: super(TimedStore, self).record_sync_run(run, read)
        )


class TimedUnitOfWork(FirestoreUnitOfWork):
    """Times each licence the sync records (one unit of work each)."""

    phases: Phases

    def run(self, work: Callable[[Transaction], T]) -> T:
        start = time.perf_counter()
        try:
            return super().run(work)
        finally:
            elapsed = time.perf_counter() - start
            with self.phases._lock:
                self.phases.record_seconds += elapsed
                self.phases.records += 1


def main() -> int:
    from google.cloud import firestore

    settings = Settings.from_env()
    phases = Phases()
    client = firestore.Client(project=settings.project_id)
    store = TimedStore(client)
    store.phases = phases
    uow = TimedUnitOfWork(client)
    uow.phases = phases
    source = TimedSource(lambda: build_reseller_service(settings))
    source.phases = phases
    sync = UsageSync(
        source,
        store,
        uow,
        settings.default_time_zone,
        max_parallel_shards=settings.sync_max_parallel_shards,
        recipients=store,
    )
    with counting_reads() as reads:
        for line in sys.stdin:
            command = json.loads(line)
            shards = tuple(command["shards"]) if command.get("shards") else (None,)
            if command.get("listOnly"):
                print(json.dumps({"wall": list_only(source, shards, settings)}), flush=True)
                continue
            phases.clear()
            reads.reset()
            start, cpu = time.perf_counter(), time.process_time()
            report = sync(SyncUsage(shards=shards))
            wall = time.perf_counter() - start
            answer(report, wall, phases, reads.reads, time.process_time() - cpu)
    return 0


def list_only(source: TimedSource, shards: tuple[str | None, ...], settings: Settings) -> float:
    """The listing alone, as the sync runs it (the same shards side by side in the same pool):
    the API-bound part a sync's wall time is compared with."""
    start = time.perf_counter()
    workers = min(settings.sync_max_parallel_shards, len(shards))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(source.list_subscriptions, shards))
    return time.perf_counter() - start


def answer(report: SyncReport, wall: float, phases: Phases, reads: int, cpu: float) -> None:
    """One JSON line on stdout for the sync just run."""
    body = {
        "wall": wall,
        "cpuSeconds": cpu,
        "apiCalls": report.total("api_calls"),
        "subscriptionsSeen": report.total("subscriptions_seen"),
        "created": report.total("licences_created"),
        "updated": report.total("licences_updated"),
        "removed": report.total("licences_removed"),
        "customersAdded": report.total("customers_added"),
        "failures": report.failures[:5],
        "complete": all(s.complete for s in report.shards),
        "listing": phases.listing,
        "pages": phases.pages,
        "storedRead": phases.stored_read,
        "heartbeat": phases.heartbeat.get("", 0.0),
        "recordSeconds": phases.record_seconds,
        "records": phases.records,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "firestoreReads": reads,
    }
    print(json.dumps(body), flush=True)


if __name__ == "__main__":
    sys.exit(main())
