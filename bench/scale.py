"""Scale on paper: a reseller with 100,000 customers, derived from the counts measured by
`make bench` (build/bench/results.json) and list prices. `python -m bench.scale` prints the
Markdown block that docs/performance.md holds between its bench:scale markers."""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from typing import Any

from bench.common import WORK
from licence_manager.domain.usage_digest import DOCUMENT_BUDGET

CUSTOMERS = 100_000
SHARDS = 32  # the most Terraform allows (var.sync.max_parallel_shards <= 32)
PARALLEL = 8  # Terraform's default max_parallel_shards
INTERVAL_MINUTES = 5  # Terraform's default sync interval
RUNS_PER_MONTH = 30 * 24 * 60 // INTERVAL_MINUTES
CHANGED_PER_RUN = 0.01  # "under load": 1% of licences change between two runs
EVALUATION_READS = 5  # licence, settings, automation state, audit head, pending request (code)
EVALUATION_SECONDS = 0.2  # one evaluate_thresholds request on a third of a vCPU (assumed)
# The daily holder sync (issue 13), per customer, from the code (docs/architecture.md, "The
# holder sync"): reads = licences + policy + insights + its seat_holders + ~2 per licence for
# the forecast's rollups; writes = the insights + the holders whose facts changed.
HOLDERS_PER_CUSTOMER = 40  # assumed: users holding a seat, 16 a subscription
HOLDERS_CHANGED_PER_DAY = 0.02  # assumed: a fiftieth of holders sign in anew, leave or join
HOLDER_SYNC_SECONDS = 1.5  # assumed: 3-4 Admin API calls a customer, mostly waiting
HOLDER_SYNC_CPU = 0.333  # infra/terraform/locals.tf: sync_holders' cpu


@dataclass(frozen=True)
class Prices:
    """List prices in USD as found on 2026-11-28 (see docs/performance.md for sources)."""

    read_per_100k: float = 0.06  # Firestore Standard, multi-region (eur3, nam5)
    write_per_100k: float = 0.18
    storage_gib_month: float = 0.18
    free_reads_per_day: int = 50_000
    free_writes_per_day: int = 20_000
    vcpu_second: float = 0.000024  # Cloud Run functions, request-based, Tier 1
    gib_second: float = 0.0000025
    per_million_requests: float = 0.40
    free_vcpu_seconds: int = 180_000
    free_gib_seconds: int = 360_000
    free_requests: int = 2_000_000
    pubsub_per_tib: float = 40.0
    pubsub_free_gib: float = 10.0
    pubsub_min_bytes: int = 1_000
    scheduler_job_month: float = 0.10  # 3 jobs free per billing account


def _largest_world(results: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [r["data"] for r in results if r["data"].get("subscriptions")]
    if not rows:
        raise SystemExit("no sync results in build/bench/results.json: run `make bench` first")
    return max(rows, key=lambda d: d["subscriptions"])


def derive(results: list[dict[str, Any]], p: Prices = Prices()) -> list[tuple[str, str, str]]:
    """(figure, value, how it was derived) rows."""
    w = _largest_world(results)
    per_customer = w["subscriptions"] / w["customers"]
    online_share = w["online"] / w["subscriptions"]
    subscriptions = round(CUSTOMERS * per_customer)
    licences = round(subscriptions * online_share)
    pages = math.ceil(subscriptions / 100) + SHARDS
    shard_pages = math.ceil(subscriptions / SHARDS / 100)
    listing_ratio = w["listingSeconds"] / w["criticalPathSeconds"]
    waves = math.ceil(SHARDS / PARALLEL)
    listing_seconds = waves * shard_pages * w["latencyMs"] / 1000 * listing_ratio
    # Reads of an idle run: one digest document a shard (each shard's digest fits one
    # document: 700 KiB holds ~21,000 licences) and the heartbeat, whatever the licences.
    measured_shards = w["shards"]
    idle_reads_measured = w.get("readsUnchanged") or 0
    shard_licences = licences / SHARDS
    digest_parts = max(1, 2 ** math.ceil(math.log2(max(shard_licences * 34 / DOCUMENT_BUDGET, 1))))
    reads_per_run = SHARDS * digest_parts + 1
    writes_changed = (
        sum(w["writesChanged"].values()) - 1 - w["writesChanged"].get("sync_digests", 0)
    )
    writes_per_changed = writes_changed / max(w["changed"], 1)
    reads_per_changed = (w["readsChanged"] - idle_reads_measured) / max(w["changed"], 1)
    changed = licences * CHANGED_PER_RUN
    # per shard with a change: the lease-and-mark and the settle (1 read and 1 write each)
    writes_per_run_load = 1 + changed * writes_per_changed + SHARDS * 2
    reads_per_run_load = reads_per_run + changed * reads_per_changed
    baseline_mib = 90.0
    per_licence_kib = max(w["peakRssMiB"] - baseline_mib, 0) * 1024 / w["online"]
    memory_mib = baseline_mib + per_licence_kib * licences * PARALLEL / SHARDS / 1024
    # The sync's own CPU (parsing the listing, fingerprints) grows with the licences; measured
    # as the run's wall time over the listing alone in the same run.
    over_listing = w["walls"][0] / w["listingAloneSeconds"] if w.get("listingAloneSeconds") else 1
    sync_seconds = listing_seconds * over_listing
    cpu_seconds = (w.get("cpuSeconds") or 0.0) * licences / w["online"]

    def firestore(reads: float, writes: float) -> float:
        days = 30
        billable_reads = max(reads - p.free_reads_per_day * days, 0)
        billable_writes = max(writes - p.free_writes_per_day * days, 0)
        return billable_reads / 1e5 * p.read_per_100k + billable_writes / 1e5 * p.write_per_100k

    def run_cost(vcpu_s: float, gib_s: float, requests: float) -> float:
        return (
            max(vcpu_s - p.free_vcpu_seconds, 0) * p.vcpu_second
            + max(gib_s - p.free_gib_seconds, 0) * p.gib_second
            + max(requests - p.free_requests, 0) / 1e6 * p.per_million_requests
        )

    # At rest: every run lists everything and reads one digest a shard; nothing changes. The
    # sync is billed for its whole run (1 vCPU, 1 GiB, CPU allocated during requests).
    rest_reads = reads_per_run * RUNS_PER_MONTH
    rest_writes = 1.0 * RUNS_PER_MONTH
    sync_vcpu = sync_seconds * RUNS_PER_MONTH
    rest_compute = run_cost(sync_vcpu, sync_vcpu, RUNS_PER_MONTH)
    rest_firestore = firestore(rest_reads, rest_writes)
    rest = rest_firestore + rest_compute
    # The other jobs, each its own row. The daily verifying sync reads every licence once.
    verify_reads = (licences + SHARDS + 1) * 30
    verify_vcpu = (sync_seconds + cpu_seconds) * 30
    verify_cost = verify_reads / 1e5 * p.read_per_100k + verify_vcpu * p.vcpu_second * 1.1
    # The sweeper runs every 5 minutes: one query for requests nothing drives (none at rest:
    # billed as one read) and a short run (about 1 s on 1 vCPU, assumed).
    sweep_runs = RUNS_PER_MONTH
    sweep_cost = sweep_runs / 1e5 * p.read_per_100k + sweep_runs * 1.0 * p.vcpu_second * 1.1
    holder_reads, holder_writes, holder_cost = holder_sync_month(per_customer, p)
    all_rest = rest + verify_cost + sweep_cost + holder_cost + p.scheduler_job_month * 2
    # Under load: 1% of licences change per run; each change is one Eventarc event and one
    # evaluation (reads from the code); a top-up for 1 in 10 of them adds 2 messages.
    events = changed * RUNS_PER_MONTH
    load_reads = reads_per_run_load * RUNS_PER_MONTH + events * EVALUATION_READS
    load_writes = writes_per_run_load * RUNS_PER_MONTH
    eval_vcpu = events * EVALUATION_SECONDS / 3
    eval_gib = events * EVALUATION_SECONDS * 0.5
    load_compute = run_cost(sync_vcpu + eval_vcpu, sync_vcpu + eval_gib, RUNS_PER_MONTH + events)
    messages = events * 2 + events * 0.1 * 2 * 2  # Eventarc publish+push; top-up and email
    pubsub_gib = messages * p.pubsub_min_bytes / 2**30
    pubsub = max(pubsub_gib - p.pubsub_free_gib, 0) / 1024 * p.pubsub_per_tib
    load = firestore(load_reads, load_writes) + load_compute + pubsub
    m = f"{CUSTOMERS:,} customers"
    return [
        ("Subscriptions", f"{subscriptions:,} ({licences:,} online)",
         f"{per_customer:.1f} per customer and {online_share:.0%} online, as in the 25,000 world"),
        ("API calls per sync", f"{pages:,}",
         f"ceil(N/100) + 1 per shard, {SHARDS} shards (measured: calls = pages at every size)"),
        ("Listing time per sync", f"{listing_seconds:.0f} s at {w['latencyMs']:.0f} ms a call",
         f"{shard_pages} pages a shard, {waves} waves of {PARALLEL} parallel shards, x "
         f"{listing_ratio:.2f} (measured listing / critical path)"),
        ("Sync run time", f"{sync_seconds:.0f} s (interval {INTERVAL_MINUTES} min)",
         f"the listing x {over_listing:.2f} (measured: wall time over the listing alone, "
         f"{w['online']:,} licences)"),
        ("Reseller API calls per month", f"{pages * RUNS_PER_MONTH:,}",
         f"every {INTERVAL_MINUTES} min; peak {PARALLEL} concurrent calls"),
        ("Firestore reads per sync", f"{reads_per_run:,} at rest, "
         f"{reads_per_run_load:,.0f} with 1% changed",
         f"{SHARDS} digests of ~{shard_licences:,.0f} licences ({digest_parts} document each) + "
         f"the heartbeat (measured: {idle_reads_measured} = {measured_shards} shards + 1); "
         f"{reads_per_changed:.1f} per changed licence (measured)"),
        ("Firestore writes per sync", f"1 at rest, {writes_per_run_load:,.0f} with 1% changed",
         f"{writes_per_changed:.1f} per changed licence (measured) + 2 per shard (mark, settle) "
         "+ the run record"),
        ("Peak memory of sync_usage", f"{memory_mib:,.0f} MiB",
         f"{per_licence_kib:.1f} KiB per licence listed (measured), {PARALLEL} of {SHARDS} "
         "shards at a time, 90 MiB baseline"),
        ("Eventarc events per month under load", f"{events:,.0f}", "one per changed licence"),
        (f"Monthly cost at rest of the sync and its reads, {m}", f"${rest:,.0f}",
         f"Firestore ${rest_firestore:,.2f} ({rest_reads:,.0f} reads, inside the free "
         f"{p.free_reads_per_day * 30:,} a month) + sync compute ${rest_compute:,.0f} "
         f"({sync_vcpu / 3600:,.0f} vCPU-hours, mostly waiting on the API)"),
        ("... the daily verifying sync", f"${verify_cost:,.0f}",
         f"{verify_reads:,.0f} reads a month (every licence once a day) + its compute"),
        ("... the request sweeper", f"${sweep_cost:,.2f}",
         "every 5 min: one empty query (1 read) and ~1 s of compute a run"),
        ("... the daily holder sync (issue 13)", f"${holder_cost:,.0f}",
         f"{holder_reads:,.0f} reads and {holder_writes:,.0f} writes a month: per customer a "
         f"day {per_customer:.1f} licences + 2 + {HOLDERS_PER_CUSTOMER} holders (assumed) + 2 "
         f"rollups a licence read, the insights + {HOLDERS_CHANGED_PER_DAY:.0%} of holders "
         f"written; {HOLDER_SYNC_SECONDS} s at {HOLDER_SYNC_CPU} vCPU a customer (from the "
         "code, not measured; reading the holders is most of it)"),
        ("... monitoring (issue 15, not built)", "not derived",
         "log-based metrics on the functions' logs; Cloud Logging bills ingested GiB: to be "
         "priced with issue 15"),
        (f"Monthly cost at rest, everything above, {m}", f"${all_rest:,.0f}",
         "sync + verifying sync + sweeper + holder sync + 2 scheduler jobs beyond the 3 free "
         "(the month-end job: its own rows below)"),
        (f"Monthly cost under load, {m}", f"${load:,.0f}",
         f"Firestore ${firestore(load_reads, load_writes):,.0f} + functions "
         f"${load_compute:,.0f} + Pub/Sub ${pubsub:,.0f}"),
        *month_end_rows(results, p),
    ]  # fmt: skip


SEND_ALERTS_INSTANCES = 10  # infra/terraform/locals.tf: send_alerts' max_instances, 1 at a time
SEND_ALERTS_CPU = 0.167


def month_end_rows(results: list[dict[str, Any]], p: Prices) -> list[tuple[str, str, str]]:
    """The month-end job at 100,000 customers, from section 5's per-customer counts (none when
    the run had no section 5). Once a month, so no free tier is counted against it."""
    runs = [r["data"] for r in results if r["data"].get("plannerPages")]
    if not runs:
        return []
    m = max(runs, key=lambda d: d["customers"])
    n = m["customers"]
    reads, writes = m["reads"] / n * CUSTOMERS, m["writes"] / n * CUSTOMERS
    seconds = (m["customerMedianSeconds"] + m["emailMedianSeconds"]) * CUSTOMERS
    hours = seconds / SEND_ALERTS_INSTANCES / 3600
    pages = CUSTOMERS // 500 + 1
    messages = 2 * CUSTOMERS + pages
    compute = seconds * SEND_ALERTS_CPU * p.vcpu_second + seconds * 0.25 * p.gib_second
    compute += messages / 1e6 * p.per_million_requests
    firestore = reads / 1e5 * p.read_per_100k + writes / 1e5 * p.write_per_100k
    return [
        ("Month-end job, 100,000 customers: work", f"{reads:,.0f} reads, {writes:,.0f} writes, "
         f"{messages:,} messages",
         f"{m['reads'] / n:.1f} reads and {m['writes'] / n:.1f} writes a customer (measured on "
         f"{n:,}); a customer and an email message each, {pages} planner pages"),
        ("Month-end job, 100,000 customers: duration", f"{hours:.1f} h",
         f"median {m['customerMedianSeconds'] * 1000:.0f} ms a customer + "
         f"{m['emailMedianSeconds'] * 1000:.0f} ms an email (emulator), "
         f"{SEND_ALERTS_INSTANCES} send_alerts instances; no invocation over one page or customer"),
        ("Month-end job, 100,000 customers: cost a month", f"${firestore + compute:,.2f}",
         f"Firestore ${firestore:,.2f} + send_alerts ${compute:,.2f}; Pub/Sub inside the free "
         "10 GiB"),
    ]  # fmt: skip


def holder_sync_month(per_customer: float, p: Prices) -> tuple[float, float, float]:
    """Reads, writes and dollars a month of the daily holder sync at CUSTOMERS customers."""
    reads = CUSTOMERS * 30 * (per_customer * 3 + 2 + HOLDERS_PER_CUSTOMER)
    writes = CUSTOMERS * 30 * (1 + HOLDERS_PER_CUSTOMER * HOLDERS_CHANGED_PER_DAY)
    vcpu_s = CUSTOMERS * 30 * HOLDER_SYNC_SECONDS * HOLDER_SYNC_CPU
    gib_s = CUSTOMERS * 30 * HOLDER_SYNC_SECONDS * 0.5
    firestore = reads / 1e5 * p.read_per_100k + writes / 1e5 * p.write_per_100k
    # Its own line, so the free compute tier is counted once, by the sync above.
    compute = (
        vcpu_s * p.vcpu_second
        + gib_s * p.gib_second
        + CUSTOMERS * 30 / 1e6 * (p.per_million_requests)
    )
    return reads, writes, firestore + compute


def block() -> str:
    data = json.loads((WORK / "results.json").read_text())
    rows = derive(data["results"])
    lines = [
        "<!-- bench:scale:start -->",
        f"Derived from `{data['command']}` of {data['when']} by `python -m bench.scale`.",
        "",
        "| Figure | Value | Derivation |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "<!-- bench:scale:end -->",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(block())
    sys.exit(0)
