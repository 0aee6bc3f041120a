"""Queued faults, the rate limit and hung sends, as production code's client sees them."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from python_http_client.exceptions import (
    BadRequestsError,
    HTTPError,
    InternalServerError,
    PayloadTooLargeError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnauthorizedError,
)

from licence_manager_local.sendgrid_standin import RunningStandIn, SendGridStandInControl

from .conftest import minimal_body


def test_fail_next_429_carries_a_future_reset(standin: RunningStandIn, client: Any) -> None:
    standin.faults.fail_next(429, count=2, reset_in_seconds=5)

    for _ in range(2):
        with pytest.raises(TooManyRequestsError) as raised:
            client.send(minimal_body())
        headers = raised.value.headers
        assert int(headers["X-RateLimit-Reset"]) >= time.time() + 4
        assert headers["X-RateLimit-Remaining"] == "0"
        assert int(headers["X-RateLimit-Limit"]) > 0
        assert json.loads(raised.value.body) == {
            "errors": [{"message": "too many requests", "field": None, "help": None}]
        }

    assert client.send(minimal_body()).status_code == 202
    assert len(standin.outbox) == 1
    assert standin.stats.snapshot() == {202: 1, 429: 2}


@pytest.mark.parametrize(
    ("code", "exception"),
    [
        (500, InternalServerError),
        (503, ServiceUnavailableError),
        (400, BadRequestsError),
        (401, UnauthorizedError),
        (413, PayloadTooLargeError),
    ],
)
def test_fail_next_raises_the_clients_exception(
    standin: RunningStandIn, client: Any, code: int, exception: type[HTTPError]
) -> None:
    standin.faults.fail_next(code)

    with pytest.raises(exception) as raised:
        client.send(minimal_body())

    assert raised.value.status_code == code
    [error] = json.loads(raised.value.body)["errors"]
    assert error["field"] is None
    assert len(standin.outbox) == 0  # a refused send went nowhere


def test_fail_next_502_is_a_plain_http_error(standin: RunningStandIn, client: Any) -> None:
    # python_http_client has no class for 502: callers see its base HTTPError.
    standin.faults.fail_next(502)

    with pytest.raises(HTTPError) as raised:
        client.send(minimal_body())

    assert type(raised.value) is HTTPError
    assert raised.value.status_code == 502


def test_faults_apply_in_queue_order(standin: RunningStandIn, client: Any) -> None:
    standin.faults.fail_next(503)
    standin.faults.fail_next(500)

    with pytest.raises(ServiceUnavailableError):
        client.send(minimal_body())
    with pytest.raises(InternalServerError):
        client.send(minimal_body())
    assert client.send(minimal_body()).status_code == 202


def test_hung_send_times_out_yet_the_mail_went_out(standin: RunningStandIn) -> None:
    standin.faults.hang_next(2.0)
    impatient = standin.client(timeout=0.3)

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        impatient.send(minimal_body(subject="First try"))
    assert time.monotonic() - started < 1.5

    # The caller cannot know, but SendGrid accepted it: a blind retry would send twice.
    [message] = standin.outbox.wait_for(1, timeout=1)
    assert message.subject == "First try"
    assert impatient.send(minimal_body(subject="Retry")).status_code == 202
    assert [m.subject for m in standin.outbox] == ["First try", "Retry"]


def test_patient_client_gets_the_202_after_the_hang(standin: RunningStandIn, client: Any) -> None:
    standin.faults.hang_next(0.3)

    started = time.monotonic()
    response = client.send(minimal_body())

    assert response.status_code == 202
    assert time.monotonic() - started >= 0.3
    assert standin.outbox[0].message_id == response.headers["X-Message-Id"]


def test_rate_limit_window(standin: RunningStandIn, client: Any) -> None:
    standin.rate_limit.configure(2, window_seconds=0.5)

    first = client.send(minimal_body())
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    second = client.send(minimal_body())
    assert second.headers["X-RateLimit-Remaining"] == "0"

    with pytest.raises(TooManyRequestsError) as raised:
        client.send(minimal_body())
    reset = int(raised.value.headers["X-RateLimit-Reset"])
    assert reset >= time.time()
    assert reset == int(second.headers["X-RateLimit-Reset"])
    assert raised.value.headers["X-RateLimit-Remaining"] == "0"

    time.sleep(0.55)
    assert client.send(minimal_body()).headers["X-RateLimit-Remaining"] == "1"
    assert len(standin.outbox) == 3
    assert standin.stats.snapshot() == {202: 3, 429: 1}


def test_no_rate_limit_headers_until_a_limit_is_set(client: Any) -> None:
    # SendGrid's mail/send does not report a budget unless one applies.
    response = client.send(minimal_body())
    assert "X-RateLimit-Limit" not in response.headers


def test_control_routes_steer_faults_and_rate_limit(
    standin: RunningStandIn, client: Any, control: SendGridStandInControl
) -> None:
    state = control.fail_next(503, count=2)
    assert [f["code"] for f in state["queued"]] == [503, 503]
    control.hang_next(0.1)
    assert len(control.faults()["queued"]) == 3
    assert control.clear_faults() == {"queued": []}

    assert control.set_rate_limit(1, window_seconds=30) == {"limit": 1, "window_seconds": 30.0}
    client.send(minimal_body())
    with pytest.raises(TooManyRequestsError):
        client.send(minimal_body())
    assert control.stats() == {202: 1, 429: 1}

    assert control.clear_rate_limit()["limit"] is None
    client.send(minimal_body())
    control.fail_next(429, reset_in_seconds=10)
    with pytest.raises(TooManyRequestsError) as raised:
        client.send(minimal_body())
    assert int(raised.value.headers["X-RateLimit-Reset"]) >= time.time() + 9

    control.reset()
    assert control.stats() == {}
    assert control.outbox() == []


def test_fault_arguments_are_checked(standin: RunningStandIn) -> None:
    with pytest.raises(ValueError, match="code must be one of"):
        standin.faults.fail_next(418)
    with pytest.raises(ValueError, match="count"):
        standin.faults.fail_next(500, count=0)
    with pytest.raises(ValueError, match="seconds"):
        standin.faults.hang_next(0)
    with pytest.raises(ValueError, match="limit"):
        standin.rate_limit.configure(0)
