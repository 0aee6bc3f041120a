"""Moving a customer to another time zone, on both dashboard stores: the customer and every
licence of theirs move together with one audit entry naming who, before and after; nothing is
written when the zone does not change, and another customer's licences stay where they are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction, Source, verify_chain
from licence_manager.domain.model import Customer
from licence_manager.domain.observation import LicenceContext, RecordedChange, record_observation
from licence_manager.ports.dashboard import TimeZoneChange
from tests.builders import T0, subscription
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import record

Store = InMemoryApiStore | FirestoreApiStore
LONDON, NEW_YORK = "Europe/London", "America/New_York"


@pytest.fixture(params=["memory", "firestore"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return InMemoryApiStore()
    return FirestoreApiStore(request.getfixturevalue("firestore_client"))


def observe(store: Store, customer_id: str, sku_id: str) -> None:
    sub = subscription(
        customer_id=customer_id,
        domain=f"{customer_id.lower()}.example",
        sku_id=sku_id,
        subscription_id=f"{customer_id}-{sku_id}",
    )

    def decide(context: LicenceContext) -> RecordedChange | None:
        return record_observation(context, sub, T0, LONDON)

    record(store, sub.key, T0, LONDON, decide)


def test_the_customer_and_its_licences_move_with_one_audit_entry(store: Store) -> None:
    store.save_customer(Customer("C01", "c01.example", "C One", LONDON))
    store.save_customer(Customer("C02", "c02.example", "C Two", LONDON))
    for customer_id, sku_id in (("C01", "1010020028"), ("C01", "1010020027"), ("C02", "101")):
        observe(store, customer_id, sku_id)
    at = T0 + timedelta(hours=1)

    changed = store.change_time_zone("C01", NEW_YORK, "alex@c01.example", at)

    assert changed == TimeZoneChange(LONDON, NEW_YORK)
    customer = store.customer("C01")
    assert customer is not None and customer.time_zone == NEW_YORK
    assert {lic.time_zone for lic in store.licences_of("C01")} == {NEW_YORK}
    assert {lic.time_zone for lic in store.licences_of("C02")} == {LONDON}
    chain = store.audit_page("C01", CUSTOMER_SCOPE, 10, None).entries
    assert [(e.action, e.source, e.actor, e.at) for e in chain] == [
        (AuditAction.TIME_ZONE_CHANGED, Source.DASHBOARD, "alex@c01.example", at)
    ]
    assert "Before: Europe/London" in chain[0].message
    assert "After: America/New_York" in chain[0].message
    assert verify_chain(chain) == []


def test_the_same_zone_writes_nothing_and_a_missing_customer_is_none(store: Store) -> None:
    store.save_customer(Customer("C01", "c01.example", "C One", LONDON))
    assert store.change_time_zone("C01", LONDON, "a@c01.example", T0) == TimeZoneChange(
        LONDON, LONDON
    )
    assert store.audit_page("C01", None, 10, None).entries == []
    assert store.change_time_zone("C99", NEW_YORK, "a@c01.example", T0) is None
    assert store.customer("C99") is None
    assert store.audit_page("C99", None, 10, None).entries == []
