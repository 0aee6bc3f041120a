"""Security review #16: send_alerts' logs carry counts, never recipient addresses, whether the
email goes out, an address is refused, or the provider refuses it all."""

from __future__ import annotations

import json
import logging

import pytest

from licence_manager.observability import JsonFormatter
from tests.unit.test_refused_recipients import RefusingMailer, deliver, store_with

ADDRESSES = ("it@acme.example", "finance@acme.example", "bad@acme..example")


@pytest.mark.parametrize("refuse", [set(), {"finance@acme.example"}, set(ADDRESSES)])
def test_no_recipient_address_reaches_a_log_line(
    refuse: set[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="licence_manager"):
        deliver(store_with(*ADDRESSES), RefusingMailer(refuse))
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert lines, "send_alerts logged nothing"
    assert any("recipients" in json.loads(line) for line in lines)  # counts are there
    for line in lines:
        for address in ADDRESSES:
            assert address not in line, line
