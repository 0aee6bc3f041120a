"""One contract, two stores of a customer's documents: the in-memory fake and the Firestore
adapter on the emulator must find the same documents by id, keep the same invoicing records
and delete the same rest (a dry run deleting nothing)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from licence_manager.ports.customer_data import CustomerData
from tests.fakes.memory_customer_data import MemoryCustomerData

CUTOFF = datetime(2019, 1, 1, tzinfo=UTC)
DOCS: list[tuple[str, str, dict[str, Any]]] = [
    ("licences", "C01_1", {"status": "REMOVED", "updatedAt": datetime(2025, 6, 1, tzinfo=UTC)}),
    ("licences", "C012_1", {"status": "ACTIVE", "updatedAt": datetime(2025, 6, 1, tzinfo=UTC)}),
    ("seat_holders", "C01_1_u1", {"email": "a@acme.example"}),
    ("seat_holders", "C012_1_u1", {"email": "b@other.example"}),
    ("recipients", "C01_a@acme.example", {"email": "a@acme.example"}),
    ("licence_insights", "C01", {"customerId": "C01"}),
    ("customers", "C01", {"customerId": "C01"}),
    ("topup_requests", "C01_1-auto-1", {"createdAt": datetime(2018, 3, 1, tzinfo=UTC)}),
    ("topup_requests", "C01_1-auto-2", {"createdAt": datetime(2024, 3, 1, tzinfo=UTC)}),
    ("monthly_additions", "C01_2018-12", {"month": "2018-12"}),
    ("monthly_additions", "C01_2019-01", {"month": "2019-01"}),
    ("audit_events", "C01_1_0000000001", {"at": datetime(2018, 1, 1, tzinfo=UTC)}),
    ("audit_heads", "C01_1", {"seq": 1, "hash": "h"}),
]

# The store, and what is left of a collection (document ids).
World = tuple[CustomerData, Callable[[str], list[str]]]


def in_memory() -> World:
    data = MemoryCustomerData()
    for collection, doc_id, doc in DOCS:
        data.put(collection, doc_id, dict(doc))
    return data, lambda c: sorted(data.collections.get(c, {}))


def on_firestore(client: Any) -> World:
    from licence_manager.adapters.firestore_customer_data import FirestoreCustomerData

    for collection, doc_id, doc in DOCS:
        client.collection(collection).document(doc_id).set(doc)
    return FirestoreCustomerData(client), lambda c: sorted(
        s.id for s in client.collection(c).stream()
    )


@pytest.fixture(params=["memory", "firestore"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    if request.param == "memory":
        yield in_memory()
    else:
        yield on_firestore(request.getfixturevalue("firestore_client"))


def test_licence_states_are_the_customers_own(world: World) -> None:
    data, _left = world
    assert data.licence_states("C01") == [("REMOVED", datetime(2025, 6, 1, tzinfo=UTC))]


def test_a_dry_run_counts_and_a_run_deletes_the_same(world: World) -> None:
    data, left = world
    planned = data.erase("C01", CUTOFF, dry_run=True)
    assert left("seat_holders") == ["C012_1_u1", "C01_1_u1"]
    done = data.erase("C01", CUTOFF, dry_run=False)
    assert done == planned
    assert (done["topup_requests"], done["monthly_additions"], done["audit_events"]) == (1, 1, 1)
    assert done["seat_holders"] == 1 and done["recipients"] == 1 and done["licence_insights"] == 1
    # Invoicing records from the cutoff on are kept, so the licences and the customer stay too.
    assert left("topup_requests") == ["C01_1-auto-2"]
    assert left("monthly_additions") == ["C01_2019-01"]
    assert left("audit_events") == []
    assert left("audit_heads") == []  # no audit entry of the customer is left
    assert left("licences") == ["C012_1", "C01_1"] and left("customers") == ["C01"]
    assert left("seat_holders") == ["C012_1_u1"] and left("recipients") == []
    assert data.erase("C01", datetime(2030, 1, 1, tzinfo=UTC), dry_run=False)["licences"] == 1
    assert left("licences") == ["C012_1"] and left("customers") == []
