"""Savings on both stores: created once through the unit of work with the customer's totals in
the same transaction (a second record of the same id changes nothing), valued at the price list
read inside it, and read back by customer and month (ports.savings)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.prices import Price
from licence_manager.domain.saving_totals import since_joined, totals_for_month
from licence_manager.domain.savings import (
    Saving,
    SavingKind,
    flexible_user_removed,
    not_recommitted,
)
from licence_manager.ports.unit_of_work import Transaction
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import unit_of_work_for

Store = InMemoryApiStore | FirestoreApiStore
KEY = LicenceKey("C01", "1010020028")
AT = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["memory", "firestore"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return InMemoryApiStore()
    return FirestoreApiStore(request.getfixturevalue("firestore_client"))


def record(store: Store, make: object) -> bool:
    """Value and record a saving in one unit of work, as the services do."""

    def work(tx: Transaction) -> bool:
        saving = make(tx)  # type: ignore[operator]
        return tx.record_saving(saving)

    done: bool = unit_of_work_for(store).run(work)
    return done


def removal(tx: Transaction, request_id: str = "req-1", at: datetime = AT) -> Saving | None:
    return flexible_user_removed(
        KEY,
        request_id=request_id,
        plan_name="FLEXIBLE",
        sku_name="Business Standard",
        user="ann@c01.example",
        price=tx.price_of(KEY.customer_id, KEY.sku_id, "FLEXIBLE"),
        at=at,
        time_zone="Europe/London",
    )


def renewal(tx: Transaction) -> Saving | None:
    return not_recommitted(
        KEY,
        plan_before="ANNUAL",
        plan_after="ANNUAL",
        seats_before=20,
        seats_after=18,
        term_ended_at=datetime(2026, 12, 1, tzinfo=UTC),
        new_term_ends_at=datetime(2027, 12, 1, tzinfo=UTC),
        sku_name="Business Standard",
        price=tx.price_of(KEY.customer_id, KEY.sku_id, "ANNUAL"),  # as Google names it
        at=AT,
        time_zone="Europe/London",
    )


def test_a_saving_is_created_once_with_its_totals(store: Store) -> None:
    store.save_price(Price(KEY.sku_id, "Business Standard", "FLEXIBLE", "GBP", 1_200, AT, "ops"))
    store.save_price(
        Price(KEY.sku_id, "Business Standard", "ANNUAL_MONTHLY_PAY", "GBP", 1_000, AT, "ops")
    )
    store.save_discount("C01", Decimal("12.5"), "ops", AT)
    assert record(store, removal) is True
    assert record(store, removal) is False  # the same request again: nothing more
    assert record(store, renewal) is True
    assert record(store, renewal) is False

    found = store.savings_in_month("C01", "2026-12")
    assert [(s.kind, s.seats, s.months, s.amount_minor) for s in found] == [
        (SavingKind.FLEXIBLE_USER_REMOVED, 1, 1, 1_050),  # 1,200p less 12.5%
        (SavingKind.NOT_RECOMMITTED, 2, 12, 875 * 2 * 12),  # 1,000p less 12.5%
    ]
    first = found[0]
    assert first.saving_id == "C01_1010020028-removed-req-1"
    assert (first.key, first.currency, first.month, first.at) == (KEY, "GBP", "2026-12", AT)
    assert (first.sku_name, first.plan_name, first.detail) == (
        "Business Standard",
        "FLEXIBLE",
        "ann@c01.example removed",
    )

    totals = store.saving_totals("C01")
    assert totals is not None and totals.counts == {"2026-12": 2}
    month = totals_for_month(totals, "2026-12")
    assert [(t.currency, t.total_minor) for t in month] == [("GBP", 1_050 + 21_000)]
    assert month[0].by_kind[SavingKind.NOT_RECOMMITTED] == 21_000


def test_savings_are_read_by_customer_and_month(store: Store) -> None:
    january = datetime(2027, 1, 3, 12, tzinfo=UTC)
    record(store, lambda tx: removal(tx, "req-1"))
    record(store, lambda tx: removal(tx, "req-2", january))
    other = lambda tx: replace(  # noqa: E731
        removal(tx, "req-3"), saving_id="C02-x", key=LicenceKey("C02", "1010020028")
    )
    record(store, other)
    assert [s.saving_id for s in store.savings_in_month("C01", "2026-12")] == [
        "C01_1010020028-removed-req-1"
    ]
    assert [s.month for s in store.savings_in_month("C01", "2027-01")] == ["2027-01"]
    assert store.savings_in_month("C01", "2027-02") == []
    # No price set: the seats count, the money does not.
    assert store.savings_in_month("C01", "2026-12")[0].amount_minor is None
    totals = store.saving_totals("C01")
    assert totals is not None and totals.counts == {"2026-12": 1, "2027-01": 1}
    assert since_joined(totals) == []
    assert store.saving_totals("C03") is None
