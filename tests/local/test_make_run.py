"""`make run` as a user runs it: start the whole stack, watch a sync land through Pub/Sub push,
read it from the API, then Ctrl-C and check that nothing is left behind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from licence_manager_local.emulators import free_port
from tests.signin import http_bearer

pytestmark = [pytest.mark.slow, pytest.mark.emulator]


HEADERS: dict[str, str] = {}


def get_json(url: str) -> object:
    """GET as the demo reseller-ops user, signing in (the local dev sign-in) the first time."""
    if not HEADERS:
        HEADERS.update(http_bearer(url.split("/api/")[0]))
    request = urllib.request.Request(url, headers=HEADERS)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def descendants_of(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_make_run_serves_live_usage_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "licence_manager_local.run",
        "--port",
        str(port),
        "--sync-interval",
        "3",
        "--drift-seconds",
        "1",
        "--workdir",
        str(tmp_path),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 90
        customers: list[dict[str, str]] = []
        while time.monotonic() < deadline and len(customers) < 3:
            time.sleep(1)
            try:
                customers = get_json(f"{api}/customers")["customers"]  # type: ignore[index]
            except OSError:
                continue
        assert len(customers) >= 3, "no sync reached the API within 90 s"
        first = customers[0]["customerId"]
        before = get_json(f"{api}/customers/{first}/licences")
        assert before, "a demo customer has licences"
        children = descendants_of(process.pid)
        assert children, "make run started its services as child processes"

        # users drift every second and a sync runs every 3: the figures must move
        deadline = time.monotonic() + 60

        def all_licences() -> list[object]:
            return [get_json(f"{api}/customers/{c['customerId']}/licences") for c in customers]

        start = all_licences()
        while time.monotonic() < deadline and all_licences() == start:
            time.sleep(1)
        assert all_licences() != start, "usage did not change while users drifted"
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "stopping everything make run started" in output
    assert "Licence Manager is running locally" in output
    leftovers = [pid for pid in children if running(pid)]
    assert leftovers == [], f"processes left running: {leftovers}"


def running(pid: int) -> bool:
    """Alive and not a zombie: a worker killed after its parent exited is reparented to this
    container's PID 1, which may never reap it, so its /proc entry stays with state Z although
    nothing runs."""
    try:
        with open(f"/proc/{pid}/status") as status:
            state = next((line for line in status if line.startswith("State:")), "")
    except OSError:
        return False
    return "\tZ" not in state and "zombie" not in state
