"""Fixtures: a fresh stand-in per test, and the real SendGrid client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sendgrid import SendGridAPIClient

from licence_manager_local.sendgrid_standin import (
    RunningStandIn,
    SendGridStandInControl,
    start_sendgrid_standin,
)


@pytest.fixture
def standin() -> Iterator[RunningStandIn]:
    with start_sendgrid_standin() as running:
        yield running


@pytest.fixture
def client(standin: RunningStandIn) -> Any:
    # Exactly what production code does, with the stand-in's URL as host.
    return SendGridAPIClient(api_key=standin.api_key, host=standin.url)


@pytest.fixture
def control(standin: RunningStandIn) -> SendGridStandInControl:
    return SendGridStandInControl(standin.url)


def minimal_body(**overrides: Any) -> dict[str, Any]:
    """A valid raw v3 body; tests break one thing at a time."""
    body: dict[str, Any] = {
        "personalizations": [{"to": [{"email": "owner@customer.example"}]}],
        "from": {"email": "licences@reseller.example", "name": "Licence Manager"},
        "subject": "Your licences",
        "content": [
            {"type": "text/plain", "value": "Hello"},
            {"type": "text/html", "value": "<p>Hello</p>"},
        ],
    }
    body.update(overrides)
    return body
