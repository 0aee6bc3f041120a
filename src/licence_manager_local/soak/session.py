"""One soak, start to verdict: the stack of `make run` with soak settings, a compressed day of
activity under random faults, a quiet period with every fault off until every message has been
delivered, then the reconciliation and the checks."""

from __future__ import annotations

import random
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from licence_manager_local import run
from licence_manager_local.emulators import free_port
from licence_manager_local.simulator import SimulatorControl
from licence_manager_local.soak import report
from licence_manager_local.soak.activity import Activity, ActivityPlan
from licence_manager_local.soak.checks import SettingsChange
from licence_manager_local.soak.collect import Watcher, collect, firestore_client
from licence_manager_local.soak.faults import KILLABLE, FaultInjector, FaultPlan
from licence_manager_local.soak.tally import Tally


@dataclass(frozen=True)
class SoakPlan:
    minutes: float = 20.0  # the whole soak, start-up and quiet period included
    seed: int = 1
    # TOPUP_LEASE_SECONDS for the functions. apply_topup stops sending 2 minutes (SEND_MARGIN)
    # before its lease ends, and starts no call that could outlast that (a call may take the
    # Reseller client's timeout): 180 s with a 10 s timeout leaves 50 s after a claim to send.
    lease_seconds: float = 180.0
    reseller_timeout_seconds: float = 10.0
    sync_interval: float = 8.0
    sweep_interval: float = 15.0
    quiet_share: float = 0.25  # of the minutes, kept for the quiet period
    min_quiet_seconds: float = 120.0
    stable_seconds: float = 40.0  # nothing moved for this long: every message was delivered
    faults: bool = True
    activity: ActivityPlan = field(default_factory=ActivityPlan)


def stack_options(plan: SoakPlan) -> run.StackOptions:
    return run.StackOptions(
        sync_interval=plan.sync_interval,
        sweep_interval=plan.sweep_interval,
        drift_seconds=0,  # the soak drives drift itself, so that it can stop it
        port=free_port(),
        demo_settings=True,
        function_env={
            "TOPUP_LEASE_SECONDS": f"{plan.lease_seconds:g}",
            "RESELLER_TIMEOUT_SECONDS": f"{plan.reseller_timeout_seconds:g}",
        },
        # Real Eventarc retries for a day; a killed evaluate_thresholds must not lose events.
        # It waits for an answer as long as the function may run (a push's deadline), so a slow
        # emulator does not turn into a storm of retries. Every 15th event is delivered twice
        # and small batches are reordered.
        eventarc_args=(
            "--max-attempts",
            "40",
            "--max-backoff",
            "10",
            "--timeout",
            "60",
            "--duplicate-every",
            "15",
            "--shuffle-window",
            "3",
        ),
        echo=False,
        quiet=True,
    )


def soak(plan: SoakPlan, workdir: Path, out: Callable[[str], None] = print) -> int:
    began = time.monotonic()
    started = datetime.now(UTC)
    shutil.rmtree(workdir / "logs", ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    stack = run.Stack(workdir)
    stack_stop = threading.Event()
    tally = Tally()
    journal = (workdir / "soak.log").open("w")
    lock = threading.Lock()

    def log(line: str) -> None:
        with lock:
            journal.write(f"{datetime.now(UTC):%H:%M:%S.%f} {line}\n")
            journal.flush()

    wall: dict[str, float] = {}
    try:
        out(
            f"soak: {plan.minutes:g} minutes, seed {plan.seed}, lease {plan.lease_seconds:g}s; "
            f"starting the local stack (logs in {stack.logs})"
        )
        endpoints = run.start(
            stack, stack_options(plan), stack_stop, on_sync=lambda: tally.add("scheduler.published")
        )
        wall["start-up"] = time.monotonic() - began
        saves = _active(plan, stack, endpoints, tally, log, began, out)
        wall["activity"] = time.monotonic() - began - wall["start-up"]
        settled = _quiet(plan, stack, endpoints, began, out, log)
        wall["quiet"] = time.monotonic() - began - wall["start-up"] - wall["activity"]
        snapshot = collect(endpoints, started)
        verdict = report.judge(snapshot, saves)
        wall["total"] = time.monotonic() - began
        out("")
        out("Reconciliation per licence (seats; LM = Licence Manager, out = outside):")
        report.table(verdict.rows, out)
        out("")
        if not settled:
            verdict.failures.insert(0, "the stack did not settle in the quiet period")
        if verdict.failures:
            out(f"DIFFERENCES AND FAILED CHECKS ({len(verdict.failures)}):")
            for line in verdict.failures:
                out(f"  {line}")
        else:
            out("differences: none; every request final, no email twice, every chain verifies")
        out("")
        out("Explored:")
        report.explored(snapshot, tally, stack.logs, wall, out)
        if verdict.failures:
            evidence = workdir / "soak-evidence.txt"
            with evidence.open("w") as file:
                report.evidence(verdict, snapshot, stack.logs, lambda s: _write(file, s))
            out(f"evidence: {evidence}; the soak's own journal: {workdir / 'soak.log'}")
        return 0 if verdict.clean and settled else 1
    finally:
        stack_stop.set()
        stack.stop()
        journal.close()


def _active(
    plan: SoakPlan,
    stack: run.Stack,
    endpoints: run.Endpoints,
    tally: Tally,
    log: Callable[[str], None],
    began: float,
    out: Callable[[str], None],
) -> list[SettingsChange]:
    """Run the day; the settings saves people made, for the checks."""
    rng = random.Random(plan.seed)
    stop = threading.Event()
    watcher = Watcher(stop)
    activity = Activity(endpoints, tally, rng, plan.activity, stop, watcher.pending, log)
    _wait_for_first_sync(endpoints)
    activity.raise_caps()
    injector = FaultInjector(
        stack,
        endpoints,
        tally,
        random.Random(plan.seed + 1),
        FaultPlan(
            lease_seconds=plan.lease_seconds,
            client_timeout_seconds=plan.reseller_timeout_seconds,
        ),
        stop,
        watcher.known_ids,
        log,
    )
    workers = [watcher.run, activity.drift, activity.people]
    if plan.faults:
        workers.append(injector.run)
    threads = [threading.Thread(target=w, daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    until = began + plan.minutes * 60 * (1 - plan.quiet_share)
    out(f"soak: activity and faults until +{_mmss(until - began)}")
    while not stop.wait(min(60.0, max(0.0, until - time.monotonic()))):
        if time.monotonic() >= until:
            break
        out(
            f"soak: +{_mmss(time.monotonic() - began)} drift steps "
            f"{tally.get('world.drift_steps')}, faults {sum(tally.group('fault').values())}, "
            f"kills {sum(tally.group('killed').values())}, pending requests "
            f"{sum(len(v) for v in watcher.pending().values())}"
        )
    stop.set()
    for thread in threads:
        thread.join(timeout=150)
    injector.join()
    injector.clear()
    # A function killed and not yet back (a restart that failed) is started again now.
    for name in KILLABLE:
        if stack.process(name).poll() is not None:
            stack.restart(name)
            log(f"restarted {name} for the quiet period")
    return activity.settings_saves


def _wait_for_first_sync(endpoints: run.Endpoints, timeout: float = 120) -> None:
    """Until the sync has recorded every customer and licence Licence Manager manages, so that
    people can reach them through the api."""
    snapshot = SimulatorControl(endpoints.simulator).snapshot()
    ours = {c["customerId"] for c in snapshot["customers"] if c["ours"]}
    managed = {
        f"{s['customerId']}_{s['skuId']}"
        for s in snapshot["subscriptions"]
        if s["customerId"] in ours and s["billingMethod"] == "ONLINE"
    }
    db = firestore_client()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        customers = {s.id for s in db.collection("customers").select([]).stream()}
        licences = {s.id for s in db.collection("licences").select([]).stream()}
        if ours <= customers and managed <= licences:
            return
        time.sleep(1)
    raise TimeoutError("the first syncs did not record every customer and licence in time")


def _quiet(
    plan: SoakPlan,
    stack: run.Stack,
    endpoints: run.Endpoints,
    began: float,
    out: Callable[[str], None],
    log: Callable[[str], None],
) -> bool:
    """Wait with every fault off until nothing moves: every request final, every notification
    finished, and no new seat change, audit entry, request or notification for a while (syncs
    go on every few seconds meanwhile, so any leftover decision would show)."""
    sim = SimulatorControl(endpoints.simulator)
    db = firestore_client()
    # At least a lease and a bit: a request whose attempt stopped sending waits out its lease.
    least = max(plan.min_quiet_seconds, plan.lease_seconds + 90)
    deadline = max(began + plan.minutes * 60, time.monotonic() + least)
    out(f"soak: quiet period (faults off, no drift) until settled or +{_mmss(deadline - began)}")
    last: tuple[int, ...] = ()
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(3)
        try:
            statuses = [
                (s.to_dict() or {}).get("status")
                for s in db.collection("topup_requests").select(["status"]).stream()
            ]
            notes = [
                (s.to_dict() or {}).get("status")
                for s in db.collection("notifications").select(["status"]).stream()
            ]
            audit = len(list(db.collection("audit_events").select([]).stream()))
            changes = len(sim.changes())
        except Exception as error:  # the emulator busy: look again
            log(f"quiet: could not read the state: {error}")
            continue
        open_requests = sum(1 for s in statuses if s in ("PENDING", "CLAIMED"))
        open_notes = sum(1 for s in notes if s in ("PENDING", "CLAIMED", "SENDING"))
        now = (len(statuses), len(notes), audit, changes, open_requests, open_notes)
        if now != last:
            last, stable_since = now, time.monotonic()
            log(
                f"quiet: requests {len(statuses)} ({open_requests} open), notifications "
                f"{len(notes)} ({open_notes} open), audit {audit}, Google changes {changes}"
            )
            continue
        quiet_for = time.monotonic() - stable_since
        if not open_requests and not open_notes and quiet_for >= plan.stable_seconds:
            out(f"soak: settled at +{_mmss(time.monotonic() - began)}")
            return True
    out(f"soak: NOT settled by +{_mmss(time.monotonic() - began)}: {last}")
    return False


def _write(file: TextIO, line: str) -> None:
    file.write(line + "\n")


def _mmss(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
