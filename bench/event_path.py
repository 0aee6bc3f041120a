"""Section 6, the event path on the local stack (issue 14): a user assigned in the Reseller
simulator → its LICENSE_ASSIGNMENT_CHANGED notification on the Pub/Sub emulator →
react_to_reseller_events re-lists the customer → the licence write → Eventarc stand-in →
evaluate_thresholds → apply_topup → seats raised in the simulator. Then the same with the event
dropped (only the scheduled sync sees it), and 500 users created in a burst for one customer:
how many re-lists of that customer (event_relists/{customerId}.relists) and top-up requests.

    python -m bench --only events [--quick]
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from bench.common import Result, log, ms, percentile
from bench.reaction import eventually
from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
from licence_manager.services.settings import save_settings
from licence_manager_local import run

SECTION = "6. Event path"
STARTER = "1010020027"
SEATS, USERS = 20, 18  # 2 vacant: one more user is below the threshold (2), top-up to 4 vacant
BURST_USERS = 500


def _seats(sim: Any, customer_id: str) -> int:
    for sub in sim.snapshot()["subscriptions"]:
        if sub["customerId"] == customer_id and sub["skuId"] == STARTER:
            return int(sub["seats"])
    raise LookupError(customer_id)


def _customers(sim: Any, client: Any, prefix: str, count: int, seats: int, users: int) -> list[str]:
    """Customers with one flexible licence, recorded by a sync, with automatic top-ups on."""
    from licence_manager.domain.model import LicenceKey
    from licence_manager.domain.settings import LicenceSettings

    ids = []
    for index in range(count):
        domain = f"{prefix}-{index:04d}.example"
        customer = sim.add_customer(domain, f"Events {index}", alternate_email=f"it@{domain}")
        sim.add_subscription(customer["customerId"], STARTER, "FLEXIBLE", seats, users=users)
        ids.append(customer["customerId"])
    run.trigger_sync()
    licences = client.collection("licences")
    customers = client.collection("customers")
    if not eventually(
        lambda: all(
            licences.document(f"{c}_{STARTER}").get().exists and customers.document(c).get().exists
            for c in ids
        ),
        120,
    ):
        raise RuntimeError("the sync did not record the event customers")
    uow = FirestoreUnitOfWork(client)
    settings = LicenceSettings(
        auto_top_up=True, top_up_when_vacant_below=2, top_up_target_vacant=4, max_total_seats=5_000
    )
    for customer_id in ids:
        save_settings(uow, LicenceKey(customer_id, STARTER), settings, "bench", datetime.now(UTC))
    time.sleep(3)  # the settings' own evaluations (nothing to buy yet) pass by
    return ids


def measure_event_path(endpoints: run.Endpoints, quick: bool) -> list[Result]:
    from google.cloud import firestore

    from licence_manager_local.simulator import SimulatorControl

    sim = SimulatorControl(endpoints.simulator)
    client = firestore.Client(project=run.PROJECT)
    count = 5 if quick else 20
    # One more customer, first, not counted: its top-up is the stack's first, which pays the
    # functions' cold imports (a full `make bench` has warmed them in section 2 already).
    warm_up, *ids = _customers(sim, client, "events", count + 1, SEATS, USERS)
    sim.set_notifications(duplicate=0.0, drop=0.0, delay_ms=0)
    began = time.time()
    sim.add_user(warm_up, sku_id=STARTER)
    eventually(lambda: _seats(sim, warm_up) > SEATS, 60, every=0.05)
    cold = time.time() - began
    latencies: list[float] = []
    missing = 0
    for customer_id in ids:
        began = time.time()
        sim.add_user(customer_id, sku_id=STARTER)  # 19 of 20: below 2 vacant
        if eventually(lambda c=customer_id: _seats(sim, c) > SEATS, 30, every=0.05):
            latencies.append(time.time() - began)
        else:
            missing += 1
    log(f"events: {len(latencies)} of {count} top-ups through the event path")

    # The event dropped: nothing happens until the scheduled sync (triggered here by hand).
    [dropped] = _customers(sim, client, "events-dropped", 1, SEATS, USERS)
    sim.set_notifications(drop=1.0)
    sim.add_user(dropped, sku_id=STARTER)
    untouched = not eventually(lambda: _seats(sim, dropped) > SEATS, 8, every=0.1)
    began = time.time()
    run.trigger_sync()
    by_poll = eventually(lambda: _seats(sim, dropped) > SEATS, 60, every=0.05)
    poll_seconds = time.time() - began
    sim.set_notifications(drop=0.0)

    rows = []
    if latencies:
        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        rows.append(
            Result(
                SECTION,
                f"user assigned in the simulator → seats raised (event path, {len(latencies)}"
                " users, one customer each)",
                f"p50 {ms(p50)}, p95 {ms(p95)}" + (f"; {missing} never" if missing else ""),
                "p95 ≤ 3 s",
                p95 <= 3.0 and missing == 0,
                f"the stack's first top-up (cold functions, not counted): {ms(cold)}",
                {"latencies": latencies, "missing": missing, "coldFirst": cold},
            )
        )
    rows.append(
        Result(
            SECTION,
            "same with the event dropped: untouched for 8 s, then raised by the scheduled sync",
            f"{'untouched' if untouched else 'raised without an event (!)'}; sync → seats "
            f"{ms(poll_seconds) if by_poll else 'never'}",
            "within one sync interval",
            untouched and by_poll,
            "",
            {"untouched": untouched, "pollSeconds": poll_seconds, "byPoll": by_poll},
        )
    )
    rows.append(measure_burst(sim, client, quick))
    return rows


def measure_burst(sim: Any, client: Any, quick: bool) -> Result:
    """500 users created one after another for one customer, as a provisioning script would:
    its seats run out at the last one. The anomaly guard pauses top-ups for a rise that large
    (one pause, nothing bought); without it, exactly one top-up."""
    from licence_manager.adapters.firestore_automation import FirestoreStore
    from licence_manager.adapters.firestore_relists import FirestoreRelistGate
    from licence_manager.domain.model import LicenceKey
    from licence_manager.domain.notifications import NotificationType

    users = 100 if quick else BURST_USERS
    [customer_id] = _customers(sim, client, "events-burst", 1, users + 5, 5)
    gate = FirestoreRelistGate(client)
    before = gate.state(customer_id).relists
    began = time.time()
    for _ in range(users):
        sim.add_user(customer_id, sku_id=STARTER)
    created = time.time() - began
    raised = eventually(lambda: _seats(sim, customer_id) > users + 5, 20, every=0.1)
    time.sleep(12)  # any follow-up re-list and late top-up has landed
    relists = gate.state(customer_id).relists - before
    store = FirestoreStore(client)
    requests = store.requests_of(LicenceKey(customer_id, STARTER))
    # The anomaly guard sees 500 new users within the hour: a pause (with its alert) is then
    # the one decision, and nothing is bought.
    pauses = [
        n for n in store.notifications_of(customer_id) if n.type is NotificationType.TOP_UPS_PAUSED
    ]
    decisions = len(requests) + len(pauses)
    one_decision = decisions == 1 and (raised if requests else True)
    published = sim.notifications()["byType"].get("LICENSE_ASSIGNMENT_CHANGED", 0)
    log(f"events: burst of {users} users in {created:.1f} s: {relists} re-lists")
    return Result(
        SECTION,
        f"{users} users created in a burst ({created:.1f} s) for one customer",
        f"{relists} re-lists, {len(requests)} top-up request(s), {len(pauses)} anomaly pause(s)"
        + ("; seats never raised" if requests and not raised else ""),
        "≤ 3 re-lists, exactly one top-up decision or one anomaly pause",
        relists <= 3 and one_decision,
        "",
        {
            "users": users,
            "createdSeconds": created,
            "relists": relists,
            "topUpRequests": len(requests),
            "anomalyPauses": len(pauses),
            "assignmentEventsPublishedSoFar": published,
        },
    )


def run_section(endpoints: run.Endpoints, quick: bool) -> list[Result]:
    return measure_event_path(endpoints, quick)
