"""`python -m licence_manager_local.simulator` starts, serves, and stops on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import pytest

from licence_manager_local.simulator import SimulatorControl, reseller_service


@pytest.mark.timeout(30)
def test_cli_serves_until_terminated() -> None:
    command = [sys.executable, "-m", "licence_manager_local.simulator", "--port", "0"]
    command += ["--demo", "--seed", "3", "--control", "--strict", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+/)", line)
        assert match, line
        url = match.group(1)
        page = reseller_service(url).subscriptions().list(maxResults=100).execute()
        assert len(page["subscriptions"]) == 11
        assert SimulatorControl(url).stats() == {"subscriptions.list": 1}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
