"""`make run`'s event path as a user sees it: with the scheduled sync set ten minutes apart, a
demo user added in the simulator is topped up within seconds (Google's Reseller notification →
react_to_reseller_events → the record step → evaluate_thresholds → apply_topup)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from licence_manager_local.emulators import free_port
from licence_manager_local.simulator import SimulatorControl

pytestmark = [pytest.mark.slow, pytest.mark.emulator]


def eventually(check: Any, timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(every)
    return False


def test_a_new_demo_user_is_topped_up_in_seconds_without_a_sync(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "licence_manager_local.run",
        "--port",
        str(free_port()),
        "--sync-interval",
        "600",  # one sync at start, the next long after this test
        "--drift-seconds",
        "0",
        "--holder-sync-interval",
        "0",
        "--workdir",
        str(tmp_path),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        endpoints = tmp_path / "endpoints.json"
        assert eventually(endpoints.exists, 120), "make run did not start"
        sim = SimulatorControl(json.loads(endpoints.read_text())["simulator"])
        # A demo flexible licence with automatic top-ups (make run's demo settings) and room.
        subs = [
            s
            for s in sim.snapshot()["subscriptions"]
            if s["planName"] == "FLEXIBLE"
            and s["billingMethod"] == "ONLINE"
            and s["status"] == "ACTIVE"
            and 4 <= s["seats"] <= 40
            and s["users"] < s["seats"]
        ]
        assert subs, "the demo world has a small flexible licence"
        sub = subs[0]

        def seats() -> int:
            for s in sim.snapshot()["subscriptions"]:
                if s["customerId"] == sub["customerId"] and s["skuId"] == sub["skuId"]:
                    return int(s["seats"])
            raise LookupError(sub)

        # 2 vacant: no top-up. The first sync may top the licence up while this runs (the demo
        # starts some licences nearly full), so set the users again until its seats hold still.
        before = seats()
        for _ in range(3):
            sim.set_users(sub["customerId"], sub["skuId"], before - 2)
            time.sleep(8)  # the first sync and that event's re-list settle
            if seats() == before:
                break
            before = seats()
        assert seats() == before, "the licence's seats kept changing before the test"
        assert sim.notifications()["serviceAccountEmailAddresses"], "make run registered"
        began = time.monotonic()
        sim.add_user(sub["customerId"], sku_id=sub["skuId"])  # 1 vacant: below the trigger
        raised = eventually(lambda: seats() > before, 30, every=0.1)
        took = time.monotonic() - began
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert raised, f"no top-up within 30 s; make run printed:\n{output[-4000:]}"
    assert f"event LICENSE_ASSIGNMENT_CHANGED of {sub['customerId']}: re-listed" in output
    assert f"top-up {sub['customerId']}_{sub['skuId']}-auto-" in output, output[-3000:]
    print(f"demo user → seats raised in {took:.1f} s")
