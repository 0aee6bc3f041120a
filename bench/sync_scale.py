"""Section 1, sync at scale: API calls, Firestore writes, wall time against the ideal and the
naive peer, and peak memory, on generated worlds with a fixed Reseller API latency."""

from __future__ import annotations

import json
import math
import os
import random
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from bench.common import ROOT, WORK, Emulators, Result, firestore_client, log, median, ms
from bench.firestore_tools import (
    document_versions,
    online_subscriptions,
    seed_synced_state,
    writes_by_collection,
)
from licence_manager_local.simulator import (
    RunningSimulator,
    World,
    generated_world,
    start_simulator,
)

LATENCY_MS = 100.0
TIME_ZONE = "Europe/London"
SECTION = "1. Sync at scale"


@dataclass(frozen=True)
class WorldSpec:
    subscriptions: int
    customers: int
    sharded: bool
    repeats: int
    naive_budget: float  # seconds the naive peer may run before it is extrapolated


FULL = (
    WorldSpec(100, 40, False, 3, 30.0),
    WorldSpec(1_000, 400, False, 3, 20.0),
    WorldSpec(25_000, 10_000, True, 3, 60.0),
)
QUICK = (
    WorldSpec(100, 40, False, 1, 3.0),
    WorldSpec(1_000, 400, False, 1, 3.0),
    WorldSpec(2_500, 1_000, True, 1, 3.0),
)


class Worker:
    """bench.sync_worker in its own process, one sync per command."""

    def __init__(self, env: dict[str, str], log_file: IO[bytes]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.sync_worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )

    def sync(self, shards: list[str] | None, list_only: bool = False) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"shards": shards, "listOnly": list_only}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the sync worker died; see build/bench/logs/sync-worker-*.log")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def terraform_memory_mib(function: str = "sync_usage") -> float:
    """The memory infra/terraform/locals.tf gives `function` ("1Gi" → 1024)."""
    text = (ROOT / "infra" / "terraform" / "locals.tf").read_text()
    block = text[text.index(f"{function} = {{") :]
    value = re.search(r'memory\s*=\s*"(\d+)(Mi|Gi)"', block)
    assert value is not None, f"no memory for {function} in locals.tf"
    return float(value.group(1)) * (1024 if value.group(2) == "Gi" else 1)


def shard_prefixes(world: World) -> list[str]:
    """Generated domains look like `cedar-17.example`: one shard per leading word."""
    return sorted({c.domain.split("-", 1)[0] + "-" for c in world.customers()})


def page_bound(world: World, shards: list[str] | None) -> tuple[int, int]:
    """(pages the API needs at 100 a page, summed over shards; pages of the largest shard).
    A shard's listing includes offline orders: they are skipped after they are read."""
    ours = {c.customer_id for c in world.customers() if c.ours}
    listed = [s for s in world.subscriptions() if s.customer_id in ours]
    groups: Counter[str] = Counter()
    for sub in listed:
        prefix = next((p for p in shards or [] if sub.customer_domain.startswith(p)), "")
        groups[prefix] += 1
    pages = [max(1, math.ceil(n / 100)) for n in groups.values()]
    return sum(pages), max(pages)


def change_one_percent(world: World, seed: int) -> tuple[int, int]:
    """Users join or leave on 1% of the online active subscriptions; on every fifth of those
    the seats also change outside Licence Manager. Returns (licences changed, seat changes)."""
    rng = random.Random(seed)
    candidates = [s for s in online_subscriptions(world) if s.status == "ACTIVE"]
    picked = rng.sample(candidates, max(1, round(len(candidates) / 100)))
    seat_changes = 0
    for index, sub in enumerate(picked):
        current = world.find_subscription(sub.customer_id, sub.sku_id)
        licensed = min(current.users, current.seats)
        users = licensed - 1 if licensed > 0 else 1
        seats = current.seats + 1 if index % 5 == 0 else None
        seat_changes += seats is not None
        world.update_subscription(sub.customer_id, sub.sku_id, users=users, seats=seats)
    return len(picked), seat_changes


def run_naive(sim: RunningSimulator, env: dict[str, str], project: str, budget: float) -> Any:
    command = [
        sys.executable,
        "-m",
        "bench.naive_sync",
        "--reseller",
        sim.url,
        "--project",
        project,
        "--write-project",
        f"{project}-naive",
        "--budget",
        str(budget),
    ]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_world(spec: WorldSpec, emulators: Emulators, memory_mib: float) -> list[Result]:
    label = f"{spec.subscriptions:,} subs"
    log(f"sync: building a world of {label}, {spec.customers:,} customers")
    world = generated_world(spec.subscriptions, seed=7, n_customers=spec.customers)
    project = f"bench-sync-{spec.subscriptions}"
    client = firestore_client(project)
    shards = shard_prefixes(world) if spec.sharded else None
    at = datetime.now(UTC) - timedelta(hours=2)
    seeded = seed_synced_state(client, world, at, TIME_ZONE, shards)
    log(f"sync: seeded {seeded:,} documents as a first sync would")
    n_shards = len(shards) if shards else 1
    total_pages, largest_shard_pages = page_bound(world, shards)
    results: list[Result] = []
    env = {
        **os.environ,
        **emulators.env(),
        "GOOGLE_CLOUD_PROJECT": project,
        "SYNC_MAX_PARALLEL_SHARDS": str(max(n_shards, 1)),
        "DEFAULT_TIME_ZONE": TIME_ZONE,
    }
    with (
        start_simulator(world) as sim,
        open(WORK / "logs" / f"sync-worker-{spec.subscriptions}.log", "wb") as worker_log,
    ):
        env["RESELLER_API_ENDPOINT"] = sim.url
        worker = Worker(env, worker_log)
        try:
            warm = worker.sync(shards)  # the instance's first run: imports, clients, discovery
            assert warm["complete"] and not warm["failures"], warm
            sim.faults.configure(latency_ms=LATENCY_MS)
            before = document_versions(client)
            sim.stats.reset()
            first = worker.sync(shards)
            calls_unchanged = sim.stats.snapshot()
            after_unchanged = document_versions(client)
            walls = [first["wall"]] + [worker.sync(shards)["wall"] for _ in range(spec.repeats - 1)]
            listing_alone = median(
                [worker.sync(shards, list_only=True)["wall"] for _ in range(spec.repeats)]
            )
            changed, seat_changes = change_one_percent(world, seed=spec.subscriptions)
            sim.stats.reset()
            changed_run = worker.sync(shards)
            calls_changed = sim.stats.snapshot()
            after_changed = document_versions(client)
        finally:
            worker.close()
        peak = max(first["peakRssMiB"], changed_run["peakRssMiB"])
        log(f"sync: {label}: unchanged sync {ms(median(walls))}; running the naive peer")
        naive = run_naive(sim, env, project, spec.naive_budget)

    writes_unchanged = writes_by_collection(before, after_unchanged)
    writes_changed = writes_by_collection(after_unchanged, after_changed)
    api_unchanged = sum(calls_unchanged.values())
    api_changed = sum(calls_changed.values())
    bound = total_pages + n_shards
    ideal = total_pages / n_shards * LATENCY_MS / 1000
    critical = largest_shard_pages * LATENCY_MS / 1000
    wall = median(walls)
    listing = max(first["listing"].values())
    stored_read = max(first["storedRead"].values())
    licence_docs = writes_unchanged["licences"] + writes_unchanged["usage_daily"]
    shard_text = f"{n_shards} shards" if shards else "1 shard"
    data = {
        "subscriptions": spec.subscriptions,
        "online": len(online_subscriptions(world)),
        "readsUnchanged": first.get("firestoreReads"),
        "readsChanged": changed_run.get("firestoreReads"),
        "customers": spec.customers,
        "shards": n_shards,
        "pages": total_pages,
        "largestShardPages": largest_shard_pages,
        "latencyMs": LATENCY_MS,
        "callsUnchanged": calls_unchanged,
        "callsChanged": calls_changed,
        "writesUnchanged": dict(writes_unchanged),
        "writesChanged": dict(writes_changed),
        "changed": changed,
        "seatChanges": seat_changes,
        "walls": walls,
        "idealSeconds": ideal,
        "criticalPathSeconds": critical,
        "listingSeconds": listing,
        "listingAloneSeconds": listing_alone,
        "storedReadSeconds": stored_read,
        "recordSeconds": changed_run["recordSeconds"],
        "changedWall": changed_run["wall"],
        "cpuSeconds": first.get("cpuSeconds"),
        "peakRssMiB": peak,
        "naive": naive,
        "firstRun": first,
    }
    results.append(
        Result(
            SECTION,
            f"{label}: API calls per sync ({shard_text})",
            f"{api_unchanged} unchanged, {api_changed} with 1% changed "
            f"({calls_unchanged.get('subscriptions.list', 0)} subscriptions.list)",
            f"≤ {bound} (ceil(N/100) per shard + 1 per shard)",
            api_unchanged <= bound and api_changed <= bound,
            "",
            data,
        )
    )
    results.append(
        Result(
            SECTION,
            f"{label}: Firestore writes, nothing changed",
            f"{licence_docs} licence/rollup docs, {sum(writes_unchanged.values())} in all "
            f"({', '.join(f'{k} {v}' for k, v in sorted(writes_unchanged.items()))})",
            "0 per licence (1 run record)",
            licence_docs == 0 and sum(writes_unchanged.values()) <= 1,
        )
    )
    # each licence and its day, the audit entry and head of a seat change, the run record, and
    # each shard's digest (marked, then settled: one document a shard with a change)
    expected_max = changed * 2 + seat_changes * 2 + 1 + n_shards
    results.append(
        Result(
            SECTION,
            f"{label}: Firestore writes, 1% changed ({changed} licences, "
            f"{seat_changes} with seat changes)",
            f"{sum(writes_changed.values())} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(writes_changed.items()))})",
            f"≈ 1% of docs + rollups (≤ {expected_max})",
            writes_changed["licences"] == changed and sum(writes_changed.values()) <= expected_max,
        )
    )
    online = len(online_subscriptions(world))
    reads_unchanged = first.get("firestoreReads", 0)
    reads_changed = changed_run.get("firestoreReads", 0)
    results.append(
        Result(
            SECTION,
            f"{label}: Firestore reads per sync",
            f"{reads_unchanged:,} unchanged ({reads_unchanged / online:.4f} per online licence: "
            f"{n_shards} usage digest{'s' if n_shards > 1 else ''} + the heartbeat), "
            f"{reads_changed:,} with 1% changed",
            f"≤ {n_shards + 1} unchanged (shards + 1)",
            reads_unchanged <= n_shards + 1,
        )
    )
    ratio = wall / ideal
    of_listing = wall / listing_alone
    listing_ratio = listing / ideal
    # The listing is the API-bound part: where the machine cannot list at the ideal (the
    # simulator shares its cores), the ideal is out of reach for any sync, so both are reported
    # and the sync is judged against the listing it got.
    machine_allows = listing_ratio <= 1.5
    results.append(
        Result(
            SECTION,
            f"{label}: wall time vs the listing alone (same run)",
            f"{ms(wall)} vs {ms(listing_alone)} = {of_listing:.2f}x (digest read "
            f"{ms(stored_read)} beside the listing; heartbeat {ms(first.get('heartbeat', 0.0))}; "
            f"sync process CPU {ms(first.get('cpuSeconds', 0.0))})",
            "≤ 1.2x",
            of_listing <= 1.2,
        )
    )
    results.append(
        Result(
            SECTION,
            f"{label}: wall time vs ideal (pages ÷ shards x {LATENCY_MS:.0f} ms)",
            f"{ms(wall)} vs {ms(ideal)} = {ratio:.2f}x"
            + ("" if machine_allows else f" (the listing alone is {listing_ratio:.2f}x here)"),
            "≤ 1.5x where the machine's listing allows",
            ratio <= 1.5 if machine_allows else None,
        )
    )
    results.append(
        Result(
            SECTION,
            f"{label}:   of which the listing (API-bound critical path) vs ideal",
            f"{ms(listing)} vs {ms(ideal)} = {listing / ideal:.2f}x (largest shard "
            f"{largest_shard_pages} pages = {ms(critical)} at {LATENCY_MS:.0f} ms a call)",
            "(breakdown)",
            None,
        )
    )
    naive_seconds = float(naive["projectedSeconds"])
    how = (
        "measured"
        if naive["finished"]
        else (
            f"extrapolated from {naive['customers_done']:,}/{naive['customers_total']:,} customers "
            f"in {naive['seconds']:.0f} s"
        )
    )
    speedup = naive_seconds / wall
    results.append(
        Result(
            SECTION,
            f"{label}: vs the naive peer",
            f"naive {ms(naive_seconds)} ({how}; {naive['api_calls']:,} calls, "
            f"{naive['firestore_writes']:,} writes so far) = {speedup:.0f}x slower",
            "≥ 300x on 25,000" if spec.subscriptions >= 25_000 else "(informational)",
            speedup >= 300 if spec.subscriptions >= 25_000 else None,
        )
    )
    results.append(
        Result(
            SECTION,
            f"{label}: peak memory of the sync process",
            f"{peak:.0f} MiB",
            f"< {memory_mib:.0f} MiB (Terraform, sync_usage)",
            peak < memory_mib,
        )
    )
    return results


def run(quick: bool) -> list[Result]:
    memory = terraform_memory_mib()
    emulators = Emulators()
    try:
        results: list[Result] = []
        for spec in QUICK if quick else FULL:
            results += measure_world(spec, emulators, memory)
        return results
    finally:
        emulators.stop()
