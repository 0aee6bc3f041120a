"""verify_audit's trigger: the plan and a customer's message reach their services; a
customer's daily visit also checks whether its data is due for deletion (a dry run, logged,
unless DELETE_DEPARTED is on); a malformed message is dropped, not retried."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from licence_manager import bootstrap
from licence_manager.domain.departure import Retention
from licence_manager.entrypoints import verify_audit_message
from licence_manager.services.departures import DeleteDepartedCustomer
from tests.fakes.memory_audit_integrity import MemoryArchive
from tests.fakes.memory_customer_data import MemoryCustomerData


def pushed(body: dict[str, Any]) -> dict[str, Any]:
    return {"message": {"data": base64.b64encode(json.dumps(body).encode()).decode()}}


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    seen: dict[str, list[Any]] = {"plan": [], "check": []}
    data = MemoryCustomerData()
    gone = datetime.now(UTC) - timedelta(days=500)
    data.put("licences", "C01_1", {"status": "REMOVED", "updatedAt": gone})
    data.put("seat_holders", "C01_1_u1", {"email": "a@acme.example"})
    departures = DeleteDepartedCustomer(data, MemoryArchive(), Retention())
    monkeypatch.setattr(bootstrap, "audit_check_planner", lambda: seen["plan"].append)
    monkeypatch.setattr(bootstrap, "audit_check_customer", lambda: seen["check"].append)
    monkeypatch.setattr(bootstrap, "departure_check", lambda: departures)
    seen["data"] = [data]
    return seen


def test_the_plan_and_a_customer_reach_their_services(
    calls: dict[str, list[Any]], caplog: pytest.LogCaptureFixture
) -> None:
    verify_audit_message(pushed({"job": "verify-audit"}))
    verify_audit_message(pushed({"job": "verify-audit", "after": "C05"}))
    assert calls["plan"] == [None, "C05"]
    with caplog.at_level(logging.WARNING, logger="licence_manager"):
        verify_audit_message(pushed({"job": "verify-audit-customer", "customerId": "C01"}))
    assert calls["check"] == ["C01"]
    [due] = [r for r in caplog.records if getattr(r, "event", "") == "customer_data_due"]
    assert due.wouldDelete["seat_holders"] == 1  # type: ignore[attr-defined]
    assert "C01_1_u1" in calls["data"][0].collections["seat_holders"]  # a dry run


def test_with_deletion_on_the_visit_deletes(
    calls: dict[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DELETE_DEPARTED", "1")
    bootstrap.settings.cache_clear()
    verify_audit_message(pushed({"job": "verify-audit-customer", "customerId": "C01"}))
    assert calls["data"][0].collections["seat_holders"] == {}


def test_a_malformed_message_is_dropped(calls: dict[str, list[Any]]) -> None:
    verify_audit_message(pushed({"job": "verify-audit-customer"}))
    verify_audit_message(pushed({"job": "nope"}))
    verify_audit_message(pushed({"job": "verify-audit", "after": 3}))
    assert calls["plan"] == [] and calls["check"] == []
