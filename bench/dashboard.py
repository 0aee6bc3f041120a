"""Section 3, the dashboard: Firestore reads per request (My Licences for a customer with 20
SKUs, a one-year daily and monthly report) counted in process through the api's own app, and
p50/p95 latency of every GET route (and the settings PUT) of the api on the local stack,
functions-framework under gunicorn as `make run` serves it, with 20 concurrent users."""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import Result, log, ms, percentile
from bench.firestore_tools import batch_write, counting_reads
from licence_manager_local import run

SECTION = "3. Dashboard"
CUSTOMER_ID = "C0bench020"
DOMAIN = "twenty-skus.example"
ADMIN = "admin@twenty-skus.example"
OPS = "ops@reseller.example"  # the local stack's demo reseller ops user
FILL_TO_CUSTOMERS = 30
# Issue 12's targets, each counted on the request's first call (nothing cached yet).
MAX_CUSTOMER_READS = 3  # GET /me, GET /customers of a customer admin, 25+ customers stored
MAX_MY_LICENCES_ROUND_TRIPS = 4  # GET .../licences with 20 SKUs
TIME_ZONE = "Europe/London"
USERS = 20
# A settings PUT names every field (it replaces them all); these are the defaults, all off.
SETTINGS_BODY = {
    "lowLicenceAlert": False,
    "alertVacantAtOrBelow": None,
    "alertUtilisationAtOrAbove": None,
    "autoTopUp": False,
    "topUpWhenVacantBelow": 1,
    "topUpTargetVacant": 1,
    "topUpMode": "restore",
    "topUpStep": 1,
    "maxTotalSeats": None,
    "maxSeatsPerMonth": None,
    "holdTopUpsWhenReclaimable": None,
}


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    as_ops: bool = False  # made by reseller ops, who see every customer (counted only)


@dataclass(frozen=True)
class Counted:
    """One request's reads (documents billed) and round trips (read RPCs), on its first call
    and on the next (what a page polling it costs once the api has warmed up)."""

    reads: int
    round_trips: int
    first_reads: int
    first_round_trips: int
    status: int


def sku_ids() -> list[str]:
    from licence_manager.domain.catalogue import SKUS

    real = sorted(SKUS)
    return (real + [f"10100{n:05d}" for n in range(20)])[:20]


def seed_customer(client: Any) -> str:
    """A customer with 20 SKUs; the first has a year of daily rollups (usage changing every
    day: the most documents a one-year report can need). Returns that SKU's id."""
    from licence_manager.adapters import firestore_codec as codec
    from licence_manager.domain.model import GENESIS, Customer, Subscription
    from licence_manager.domain.observation import LicenceContext, record_observation

    skus = sku_ids()
    writes: list[tuple[str, str, dict[str, Any]]] = []
    customer = Customer(CUSTOMER_ID, DOMAIN, "Twenty SKUs Ltd", TIME_ZONE)
    writes.append(("customers", CUSTOMER_ID, codec.customer_to_doc(customer)))
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    for index, sku in enumerate(skus):
        days = 366 if index == 0 else 1
        stored, head = None, GENESIS
        for day in range(days, 0, -1):
            subscription = Subscription(
                CUSTOMER_ID, DOMAIN, sku, f"SKU {index}", "FLEXIBLE", f"s{index}",
                "ACTIVE", None, 50, 20 + day % 10,
            )  # fmt: skip
            change = record_observation(
                LicenceContext(stored, None, head),
                subscription,
                today - timedelta(days=day),
                TIME_ZONE,
            )
            assert change is not None
            stored, head = change.licence, change.audit_head
            rollup = change.daily
            if rollup is not None:
                writes.append(("usage_daily", rollup.doc_id, codec.daily_to_doc(rollup)))
            writes += [("audit_events", e.doc_id, codec.audit_to_doc(e)) for e in change.audit]
        assert stored is not None
        doc_id = stored.key.doc_id
        writes.append(("licences", doc_id, codec.licence_to_doc(stored)))
        writes.append(("audit_heads", doc_id, codec.head_to_doc(head)))
    # Issue 12's read targets are for a customer admin in a book of 25+ customers: fill the
    # book up to that with customers who have nothing, so what GET /me reads shows.
    stored = sum(1 for _ in client.collection("customers").select([]).stream())
    for n in range(max(0, FILL_TO_CUSTOMERS - stored)):
        filler = Customer(f"C0benchfill{n:03d}", f"filler-{n:03d}.example", f"Filler {n}", "UTC")
        writes.append(("customers", filler.customer_id, codec.customer_to_doc(filler)))
    batch_write(client, writes)
    close_past_months(skus[0], today.date())
    try:
        from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
        from licence_manager.domain.users import Role, User

        FirestoreApiStore(client).save_user(
            User(ADMIN, "Bench Admin", Role.CUSTOMER_ADMIN, frozenset({CUSTOMER_ID}))
        )
    except ImportError:  # an api without sign-in
        pass
    return skus[0]


def close_past_months(sku: str, today: date) -> None:
    """What the month-end job leaves behind: a summary of each closed month of the licence
    with a year of data, so a monthly report reads one document per closed month."""
    try:
        from licence_manager import bootstrap
        from licence_manager.domain.model import LicenceKey

        bootstrap.clear()
        reports = bootstrap.reports()
        licence = bootstrap.store().licences_of(CUSTOMER_ID)
        seeded = next(lic for lic in licence if lic.key == LicenceKey(CUSTOMER_ID, sku))
        month = today.replace(day=1)
        for _ in range(12):
            month = (month - timedelta(days=1)).replace(day=1)
            reports.close_month(seeded, month)
    except (ImportError, AttributeError) as error:  # an api without month summaries
        log(f"dashboard: no month summaries ({error})")


def calls_for(rules: list[tuple[str, set[str]]], sku: str) -> list[Call]:
    """Every GET route of the api (path parameters filled in), the report routes once daily
    and once monthly over a year, and the settings PUT."""
    today = date.today()
    year = f"from={today - timedelta(days=364)}&to={today}"
    values = {"customer_id": CUSTOMER_ID, "sku_id": sku, "email": ADMIN}
    calls: list[Call] = []
    for rule, methods in sorted(rules):
        if not rule.startswith("/api/v1"):
            continue
        params = re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule)
        path = rule
        for param in params:
            value = values.get(param, f"bench-{param}")
            path = re.sub(rf"<(?:[^:>]+:)?{param}>", value, path)
        if "GET" in methods:
            if path.endswith("/report"):
                calls.append(Call("report, 1 year daily", "GET", f"{path}?{year}&granularity=day"))
                calls.append(
                    Call("report, 1 year monthly", "GET", f"{path}?{year}&granularity=month")
                )
            elif path.endswith("/additions"):  # the month-end additions report
                month = today.strftime("%Y-%m")
                calls.append(Call(f"GET {rule}?month=", "GET", f"{path}?month={month}"))
            else:
                calls.append(Call(f"GET {rule}", "GET", path))
        if "PUT" in methods and rule.endswith("/settings"):
            calls.append(Call(f"PUT {rule}", "PUT", path, SETTINGS_BODY))
    return calls


def ops_calls() -> list[Call]:
    """The customer list as reseller ops see it: the first page, and the next (counted only)."""
    return [
        Call("GET /api/v1/me (reseller ops)", "GET", "/api/v1/me", as_ops=True),
        Call(
            "GET /api/v1/customers?limit=50 (reseller ops)",
            "GET",
            "/api/v1/customers?limit=50",
            as_ops=True,
        ),
    ]


def count_reads(sku: str) -> tuple[list[Call], dict[str, Counted], bool]:
    """Reads and round trips per request, through the api's own Flask app in this process."""
    from licence_manager import bootstrap

    os.environ["LICENCE_MANAGER_LOCAL"] = "1"
    bootstrap.clear()
    app = bootstrap.api_app()
    rules = [(r.rule, set(r.methods or ())) for r in app.url_map.iter_rules()]
    calls = calls_for(rules, sku)
    client = app.test_client()
    headers: dict[str, dict[str, str]] = {ADMIN: {}, OPS: {}}
    signed_in = False
    with counting_reads() as counter:
        for email in headers:
            response = client.post("/api/v1/session", json={"email": email})
            if response.status_code == 201:
                headers[email] = {"Authorization": f"Bearer {response.get_json()['token']}"}
                signed_in = True
        found: dict[str, Counted] = {}
        for call in calls + ops_calls():
            sent = headers[OPS if call.as_ops else ADMIN]
            counter.reset()
            client.open(call.path, method=call.method, headers=sent, json=call.body)
            first = (counter.reads, sum(counter.calls.values()))
            counter.reset()
            answer = client.open(call.path, method=call.method, headers=sent, json=call.body)
            found[call.name] = Counted(
                counter.reads, sum(counter.calls.values()), *first, answer.status_code
            )
    return calls, found, signed_in


def sign_in_http(api: str) -> dict[str, str]:
    request = urllib.request.Request(
        f"{api}/api/v1/session",
        data=json.dumps({"email": ADMIN}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return {"Authorization": f"Bearer {json.load(response)['token']}"}
    except urllib.error.HTTPError:
        return {}


def under_load(
    api: str, calls: list[Call], rounds: int
) -> tuple[dict[str, list[float]], dict[str, dict[int, int]], float]:
    """USERS threads, each making `rounds` passes over every call in its own random order."""
    headers = sign_in_http(api)
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    lock = threading.Lock()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    skus = sku_ids()

    def user(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(rounds):
            for call in rng.sample(calls, len(calls)):
                path = call.path
                if call.method == "PUT":  # each user saves the settings of a SKU of their own
                    own = f"/licences/{skus[seed % len(skus)]}/"
                    path = re.sub(r"/licences/[^/]+/", own, path)
                data = json.dumps(call.body).encode() if call.body is not None else None
                request = urllib.request.Request(
                    api + path,
                    data=data,
                    headers={**headers, "Content-Type": "application/json"},
                    method=call.method,
                )
                start = time.perf_counter()
                try:
                    with opener.open(request, timeout=30) as response:
                        response.read()
                        status = response.status
                except urllib.error.HTTPError as error:
                    error.read()
                    status = error.code
                except OSError:  # a timeout or a dropped connection: counted, not retried
                    status = 0
                elapsed = time.perf_counter() - start
                with lock:
                    latencies[call.name].append(elapsed)
                    statuses[call.name][status] += 1

    threads = [threading.Thread(target=user, args=(n,)) for n in range(USERS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - start


def run_section(endpoints: run.Endpoints, quick: bool) -> list[Result]:
    from google.cloud import firestore

    client = firestore.Client(project=run.PROJECT)
    sku = seed_customer(client)
    customers = sum(1 for _ in client.collection("customers").select([]).stream())
    log("dashboard: counting reads per request in process")
    # Local mode is refused against Google's own Reseller API (config.Settings.validate).
    os.environ["RESELLER_API_ENDPOINT"] = endpoints.simulator
    calls, reads, signed_in = count_reads(sku)
    rounds = 1 if quick else 10
    log(f"dashboard: {USERS} users x {rounds} rounds x {len(calls)} routes on the local api")
    latencies, statuses, seconds = under_load(endpoints.api, calls, rounds)
    total = sum(len(v) for v in latencies.values())
    results: list[Result] = []
    reports = [c for c in calls if c.name.startswith("report")]
    for call in calls:
        seen = reads[call.name]
        sample = latencies[call.name]
        codes = ", ".join(
            f"{code or 'timeout'} x{n}" for code, n in sorted(statuses[call.name].items())
        )
        target, met, note = "(no numeric target)", None, ""
        counted = f"{seen.reads} reads in {seen.round_trips} round trips"
        if "/licences" in call.path and call.path.endswith("/licences"):
            target = f"≤ {MAX_MY_LICENCES_ROUND_TRIPS} round trips (20 SKUs)"
            met = seen.first_round_trips <= MAX_MY_LICENCES_ROUND_TRIPS
            counted = (
                f"{seen.first_round_trips} round trips ({seen.first_reads} reads) on the first "
                f"call, {seen.round_trips} ({seen.reads} reads) with the price list cached"
            )
            note = "" if met else "fold the remaining reads into one get_all"
        elif call.path in ("/api/v1/me", "/api/v1/customers"):
            target = f"≤ {MAX_CUSTOMER_READS} reads (customer admin, {customers} customers stored)"
            met = max(seen.reads, seen.first_reads) <= MAX_CUSTOMER_READS and customers >= 25
            note = "" if met else "read the user's own customers by id, never the book"
        if call.name.startswith("report"):
            target = "reads counted (1 year)"
        results.append(
            Result(
                SECTION,
                f"{call.name}",
                f"{counted} (HTTP {seen.status}); under load p50 "
                f"{ms(percentile(sample, 50))}, p95 {ms(percentile(sample, 95))} ({codes})",
                target,
                met,
                note,
                {
                    "reads": seen.reads,
                    "roundTrips": seen.round_trips,
                    "firstReads": seen.first_reads,
                    "firstRoundTrips": seen.first_round_trips,
                    "status": seen.status,
                    "latencies": sample,
                },
            )
        )
    for call in ops_calls():
        seen = reads[call.name]
        results.append(
            Result(
                SECTION,
                call.name,
                f"{seen.reads} reads in {seen.round_trips} round trips (HTTP {seen.status}; "
                f"{customers} customers stored)",
                "one page, not the book (context)",
                None,
                "",
                {"reads": seen.reads, "roundTrips": seen.round_trips, "status": seen.status},
            )
        )
    results.append(
        Result(
            SECTION,
            "load run",
            f"{total} requests from {USERS} concurrent users in {seconds:.1f} s "
            f"({total / seconds:.0f} req/s); signed in: {signed_in}; {customers} customers "
            "in the store",
            "(context)",
            None,
        )
    )
    if not reports:
        results.append(
            Result(
                SECTION,
                "report routes",
                "not present in this api",
                "reads counted (1 year daily, monthly)",
                False,
                "add GET /api/v1/customers/{id}/licences/{sku}/report and rerun",
            )
        )
    return results
