"""The stand-in as a server: control switch, concurrency, the CLI."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from python_http_client.exceptions import TooManyRequestsError
from sendgrid import SendGridAPIClient

from licence_manager_local.sendgrid_standin import (
    ControlError,
    RunningStandIn,
    SendGridStandInControl,
    start_sendgrid_standin,
)

from .conftest import minimal_body


def test_control_off_answers_404_and_mail_still_flows() -> None:
    with start_sendgrid_standin(control=False) as standin:
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(f"{standin.url}/_control/outbox", timeout=5)
        assert raised.value.code == 404
        with pytest.raises(ControlError) as refused:
            SendGridStandInControl(standin.url).fail_next(500)
        assert refused.value.status == 404

        assert standin.client().send(minimal_body()).status_code == 202
        assert len(standin.outbox) == 1


def test_control_refuses_bad_arguments(control: SendGridStandInControl) -> None:
    with pytest.raises(ControlError) as raised:
        control.fail_next(418)
    assert raised.value.status == 400


def test_concurrent_sends_are_all_recorded_once(standin: RunningStandIn) -> None:
    def send(n: int) -> str:
        client = SendGridAPIClient(api_key=standin.api_key, host=standin.url)
        response = client.send(minimal_body(subject=f"message {n}"))
        return str(response.headers["X-Message-Id"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(send, range(80)))

    assert len(set(ids)) == 80
    assert sorted(m.message_id for m in standin.outbox) == sorted(ids)
    assert sorted(m.subject or "" for m in standin.outbox) == sorted(
        f"message {n}" for n in range(80)
    )
    assert standin.stats.snapshot() == {202: 80}


def test_concurrent_sends_share_one_rate_limit_budget(standin: RunningStandIn) -> None:
    standin.rate_limit.configure(25, window_seconds=60)
    start = threading.Barrier(10)

    def send_four(_: int) -> list[int]:
        client = SendGridAPIClient(api_key=standin.api_key, host=standin.url)
        start.wait()
        codes = []
        for _ in range(4):
            try:
                codes.append(client.send(minimal_body()).status_code)
            except TooManyRequestsError as exc:
                codes.append(exc.status_code)
        return codes

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = [code for batch in pool.map(send_four, range(10)) for code in batch]

    assert codes.count(202) == 25
    assert codes.count(429) == 15
    assert len(standin.outbox) == 25


@pytest.mark.timeout(30)
def test_cli_serves_until_terminated() -> None:
    command = [sys.executable, "-m", "licence_manager_local.sendgrid_standin", "--port", "0"]
    command += ["--api-key", "SG.cli-key", "--control", "--rate-limit", "5", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+) ", line)
        assert match, line
        url = match.group(1)
        response: Any = SendGridAPIClient(api_key="SG.cli-key", host=url).send(minimal_body())
        assert response.status_code == 202
        assert response.headers["X-RateLimit-Limit"] == "5"
        control = SendGridStandInControl(url)
        assert control.stats() == {202: 1}
        assert control.outbox()[0]["message_id"] == response.headers["X-Message-Id"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
