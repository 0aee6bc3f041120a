"""`make run` leaves nothing behind however it is stopped: Ctrl-C (SIGINT), SIGTERM, a closed
terminal (SIGHUP) or SIGKILL, which it cannot catch (its services die with it all the same).
And once it says "running", it has said everything a person needs to talk to the stand-ins."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from licence_manager_local import listeners
from licence_manager_local.emulators import free_port
from tests.local.processes import wait_until_gone

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

RUNNING = "Licence Manager is running locally."


def start_make_run(workdir: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """run.py as `make run` starts it, quiet: no scheduled jobs, no drift, no demo settings."""
    output = workdir / "output.txt"
    command = [
        sys.executable,
        "-m",
        "licence_manager_local.run",
        "--port",
        str(free_port()),
        "--sync-interval",
        "0",
        "--sweep-interval",
        "0",
        "--drift-seconds",
        "0",
        "--no-demo-settings",
        "--workdir",
        str(workdir),
    ]
    with output.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while RUNNING not in output.read_text() and time.monotonic() < deadline:
        assert process.poll() is None, output.read_text()
        time.sleep(0.2)
    assert RUNNING in output.read_text(), "make run did not start within 180 s"
    return process, output


@pytest.mark.parametrize(
    "sig",
    [signal.SIGKILL, signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
    ids=lambda sig: sig.name,
)
def test_nothing_outlives_make_run(sig: signal.Signals, tmp_path: Path) -> None:
    process, output = start_make_run(tmp_path)
    try:
        assert_says_how_to_reach_everything(output.read_text(), process.pid)
        tree = listeners.descendants(process.pid)
        # two emulators, simulator, SendGrid, five event functions, the api and Eventarc, each
        # under its launcher; the JVMs and functions-framework's workers below them
        assert len(tree) >= 2 * 11, tree
        process.send_signal(sig)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    left = wait_until_gone(tree, timeout=30)
    assert left == set(), f"left running after {sig.name}: {left}"
    said = output.read_text()
    if sig is not signal.SIGKILL:
        assert process.returncode == 0, said
        assert "stopping everything make run started" in said


def assert_says_how_to_reach_everything(said: str, pid: int) -> None:
    for needed in (
        "Dashboard ",
        "admin@acme-widgets.example",
        "ops@reseller.example",
        "/_control/world",
        "API key SG.local-make-run",
        "/_control/outbox",
        "Eventarc stand-in",
        "export FIRESTORE_EMULATOR_HOST=127.0.0.1:",
        "export PUBSUB_EMULATOR_HOST=127.0.0.1:",
        "export GOOGLE_CLOUD_PROJECT=licence-manager-local",
        "export SENDGRID_API_KEY=SG.local-make-run",
        f"kill {pid}",
        "Ctrl-C",
    ):
        assert needed in said, f"{needed!r} missing from:\n{said}"
