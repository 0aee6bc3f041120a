"""Deleting a departed customer's data: only when every licence is removed and the period has
passed, a dry run first, the record kept in the archive before anything is deleted, invoicing
records younger than their retention never deleted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from licence_manager.domain.departure import Retention, departed_since
from licence_manager.ports.audit_integrity import ArchiveError
from licence_manager.services.departures import DeleteDepartedCustomer, record_name
from tests.fakes.memory_audit_integrity import MemoryArchive
from tests.fakes.memory_customer_data import MemoryCustomerData

REMOVED_AT = datetime(2025, 6, 1, tzinfo=UTC)
NOW = REMOVED_AT + timedelta(days=401)
RETENTION = Retention(after_days=400, invoicing_days=2557)


def seed(data: MemoryCustomerData, customer: str = "C01", status: str = "REMOVED") -> None:
    data.put("licences", f"{customer}_1010020020", {"status": status, "updatedAt": REMOVED_AT})
    data.put(
        "licences",
        f"{customer}_1010020028",
        {"status": "REMOVED", "updatedAt": REMOVED_AT - timedelta(days=30)},
    )
    data.put("usage_daily", f"{customer}_1010020020_2025-05-31", {"customerId": customer})
    data.put("seat_holders", f"{customer}_1010020020_u1", {"email": "alex@acme.example"})
    data.put("recipients", f"{customer}_alex@acme.example", {"email": "alex@acme.example"})
    data.put("notifications", f"{customer}_1010020020-low-1", {"customerId": customer})
    data.put("customers", customer, {"customerId": customer})
    data.put("licence_insights", customer, {"customerId": customer})
    # Invoicing: one old enough to go, one that must stay.
    data.put(
        "topup_requests",
        f"{customer}_1010020020-auto-1",
        {"createdAt": datetime(2018, 1, 5, tzinfo=UTC)},
    )
    data.put(
        "topup_requests",
        f"{customer}_1010020020-auto-2",
        {"createdAt": datetime(2025, 5, 5, tzinfo=UTC)},
    )
    data.put("monthly_additions", f"{customer}_2018-01", {"month": "2018-01"})
    data.put("monthly_additions", f"{customer}_2025-05", {"month": "2025-05"})
    data.put("usage_monthly", f"{customer}_1010020020_2025-05", {"month": "2025-05"})
    data.put(
        "audit_events",
        f"{customer}_1010020020_0000000001",
        {"at": datetime(2025, 6, 1, tzinfo=UTC)},
    )
    data.put("audit_heads", f"{customer}_1010020020", {"seq": 1, "hash": "h"})


def test_departed_only_when_every_licence_is_removed() -> None:
    assert departed_since([]) is None
    assert departed_since([("REMOVED", REMOVED_AT), ("ACTIVE", REMOVED_AT)]) is None
    later = REMOVED_AT + timedelta(days=3)
    assert departed_since([("REMOVED", REMOVED_AT), ("REMOVED", later)]) == later


def test_a_customer_not_departed_or_not_yet_due_is_left_alone() -> None:
    data, archive = MemoryCustomerData(), MemoryArchive()
    seed(data, status="ACTIVE")
    report = DeleteDepartedCustomer(data, archive, RETENTION, lambda: NOW)(
        "C01", execute=True, by="ops"
    )
    assert not report.deleted and "has not departed" in report.reason
    data2 = MemoryCustomerData()
    seed(data2)
    early = REMOVED_AT + timedelta(days=399)
    report = DeleteDepartedCustomer(data2, archive, RETENTION, lambda: early)(
        "C01", execute=True, by="ops"
    )
    assert not report.deleted and "deleted from 2026-07-06" in report.reason
    assert archive.objects == {}
    assert len(data2.collections["licences"]) == 2


def test_a_dry_run_reports_and_changes_nothing() -> None:
    data, archive = MemoryCustomerData(), MemoryArchive()
    seed(data)
    before = {c: dict(d) for c, d in data.collections.items()}
    report = DeleteDepartedCustomer(data, archive, RETENTION, lambda: NOW)(
        "C01", execute=False, by="ops"
    )
    assert not report.deleted and report.reason == "due"
    assert report.counts["seat_holders"] == 1 and report.counts["recipients"] == 1
    assert report.counts["topup_requests"] == 1 and report.counts["monthly_additions"] == 1
    assert data.collections == before and archive.objects == {}


def test_deleting_keeps_young_invoicing_records_and_records_itself_first() -> None:
    data, archive = MemoryCustomerData(), MemoryArchive()
    seed(data)
    seed(data, customer="C012")  # a neighbour whose id starts with C01's: untouched
    report = DeleteDepartedCustomer(data, archive, RETENTION, lambda: NOW)(
        "C01", execute=True, by="kim"
    )
    assert report.deleted
    left = {
        c: sorted(i for i in d if i.startswith("C01_") or i == "C01")
        for c, d in data.collections.items()
    }
    assert left["seat_holders"] == [] and left["recipients"] == [] and left["usage_daily"] == []
    assert left["licence_insights"] == [] and left["notifications"] == []
    # Younger than 7 years: kept, with the audit trail and its head, and the removed licences
    # and the customer that say it departed (how a later run finds it again).
    assert left["topup_requests"] == ["C01_1010020020-auto-2"]
    assert left["monthly_additions"] == ["C01_2025-05"]
    assert left["usage_monthly"] == ["C01_1010020020_2025-05"]
    assert left["audit_events"] == ["C01_1010020020_0000000001"]
    assert left["audit_heads"] == ["C01_1010020020"]
    assert len(left["licences"]) == 2 and left["customers"] == ["C01"]
    assert len(data.collections["seat_holders"]) == 1  # C012's
    record = json.loads(archive.objects[record_name("C01", NOW)])
    assert record["by"] == "kim" and record["deleted"]["seat_holders"] == 1
    assert record["invoicingKeptFrom"].startswith("2019-07-07")  # 7 years before the run

    # Seven years on, the rest ages out and goes, the licences and the customer last.
    later = NOW + timedelta(days=2557)
    done = DeleteDepartedCustomer(data, archive, RETENTION, lambda: later)(
        "C01", execute=True, by="scheduled"
    )
    assert done.deleted and done.counts["licences"] == 2 and done.counts["customers"] == 1
    left = {
        c: sorted(i for i in d if i.startswith("C01_") or i == "C01")
        for c, d in data.collections.items()
    }
    assert not any(left.values()), left
    assert record_name("C01", later) in archive.objects
    again = DeleteDepartedCustomer(data, archive, RETENTION, lambda: later)(
        "C01", execute=True, by="scheduled"
    )
    assert again.departed is None and not again.deleted


def test_nothing_is_deleted_when_the_record_cannot_be_kept() -> None:
    class Broken(MemoryArchive):
        def put_new(self, name: str, content: bytes) -> bool:
            raise ArchiveError("bucket unavailable")

    data = MemoryCustomerData()
    seed(data)
    with pytest.raises(ArchiveError):
        DeleteDepartedCustomer(data, Broken(), RETENTION, lambda: NOW)(
            "C01", execute=True, by="ops"
        )
    assert len(data.collections["licences"]) == 2


def test_retention_bounds() -> None:
    with pytest.raises(ValueError):
        Retention(after_days=10)
    with pytest.raises(ValueError):
        Retention(invoicing_days=100)
