"""One contract, two report stores: the month-end planner's page of the book (customer ids in id
order after a cursor, at most a limit) reads alike on the in-memory fake and Firestore."""

from __future__ import annotations

import pytest

from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.adapters.firestore_reports import FirestoreReports
from licence_manager.domain.model import Customer
from licence_manager.ports import LicenceStore
from licence_manager.ports.reports import ReportStore
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.memory_reports import InMemoryReports


@pytest.fixture(params=["memory", "firestore"])
def stores(request: pytest.FixtureRequest) -> tuple[LicenceStore, ReportStore]:
    if request.param == "memory":
        memory = InMemoryStore()
        return memory, InMemoryReports(memory)
    client = request.getfixturevalue("firestore_client")
    return FirestoreStore(client), FirestoreReports(client)


def test_the_book_reads_page_by_page_in_id_order_each_customer_once(
    stores: tuple[LicenceStore, ReportStore],
) -> None:
    licences, reports = stores
    # Saved out of order, with domains that sort differently from the ids.
    for customer_id, domain in [("C03", "a.example"), ("C01", "z.example"), ("C05", "m.example")]:
        licences.save_customer(Customer(customer_id, domain, domain, "Etc/UTC"))
    licences.save_customer(Customer("C02", "b.example", "b", "Etc/UTC"))
    licences.save_customer(Customer("C04", "c.example", "c", "Etc/UTC"))

    first = reports.customer_ids_after(None, 2)
    second = reports.customer_ids_after(first[-1], 2)
    third = reports.customer_ids_after(second[-1], 2)

    assert (first, second, third) == (["C01", "C02"], ["C03", "C04"], ["C05"])
    assert reports.customer_ids_after("C05", 2) == []
    assert reports.customer_ids_after("C025", 10) == ["C03", "C04", "C05"]  # any cursor works


def test_an_empty_book_is_one_empty_page(stores: tuple[LicenceStore, ReportStore]) -> None:
    _, reports = stores
    assert reports.customer_ids_after(None, 500) == []
