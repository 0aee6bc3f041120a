"""`make run` serves each event function as many requests at once as Terraform lets Cloud Run
(max_instances x concurrency): a real functions-framework process started with run.serving_env
answers five requests that each wait until all five have arrived."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from licence_manager_local import run
from licence_manager_local.emulators import free_port
from tests.eventarc.test_function_delivery import wait_listening

TOGETHER = 10  # apply_topup's and send_alerts' max_instances x concurrency

SOURCE = f"""\
import threading

import functions_framework

ARRIVED = threading.Barrier({TOGETHER}, timeout=10)


@functions_framework.http
def together(request):
    ARRIVED.wait()  # raises (answering 500) unless {TOGETHER} requests are served at once
    return "ok"
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    source = tmp_path / "main.py"
    source.write_text(SOURCE)
    port = free_port()
    command = run.function_command("together", "http", str(port))
    command[command.index("--source") + 1] = str(source)
    env = run.serving_env("apply_topup", {**os.environ, "PYTHONUNBUFFERED": "1"})
    log = tmp_path / "functions-framework.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
    try:
        wait_listening(port, process, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_an_event_function_serves_as_many_requests_at_once_as_terraform_allows(
    served: str,
) -> None:
    assert run.PARALLEL_REQUESTS["apply_topup"] == TOGETHER
    statuses: list[int] = []
    lock = threading.Lock()

    def call() -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(urllib.request.Request(served, data=b"{}"), timeout=20) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        with lock:
            statuses.append(status)

    callers = [threading.Thread(target=call) for _ in range(TOGETHER)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=30)
    assert statuses == [200] * TOGETHER


def test_functions_that_run_alone_keep_the_framework_default() -> None:
    assert "THREADS" not in run.serving_env("sync_usage", {})
    assert run.serving_env("evaluate_thresholds", {})["THREADS"] == "20"
