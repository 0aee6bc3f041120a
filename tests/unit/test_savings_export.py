"""`licence-manager export savings`: a month's savings of some or all customers as CSV, a row
each, formulas made harmless; a bad month is refused before anything is read."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from licence_manager.cli import Clients, main
from licence_manager.domain.model import Customer, LicenceKey
from licence_manager.domain.prices import Price
from licence_manager.domain.savings import flexible_user_removed
from licence_manager.domain.savings_csv import SAVINGS_CSV_COLUMNS
from licence_manager.ports.unit_of_work import Transaction
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

AT = datetime(2026, 12, 6, 10, tzinfo=UTC)
FLEX = Price("1010020028", "Business Standard", "FLEXIBLE", "GBP", 1_200)


def world() -> InMemoryApiStore:
    store = InMemoryApiStore()
    uow = MemoryUnitOfWork(store)
    for customer, user in (("C01", "ann@c01.example"), ("C02", "=cmd|' /C calc'!A0")):
        store.save_customer(Customer(customer, f"{customer.lower()}.example", customer, "UTC"))
        saving = flexible_user_removed(
            LicenceKey(customer, "1010020028"),
            request_id="r1",
            plan_name="FLEXIBLE",
            sku_name="Business Standard",
            user=user,
            price=FLEX,
            at=AT,
            time_zone="UTC",
        )

        def work(tx: Transaction, saving: object = saving) -> bool:
            return tx.record_saving(saving)  # type: ignore[arg-type]

        uow.run(work)
    return store


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_every_customers_savings_of_the_month(tmp_path: Path) -> None:
    store = world()
    clients = Clients(savings=lambda: (store, store))
    path = tmp_path / "savings.csv"
    assert (
        main(
            ["export", "savings", "--month", "2026-12", "--all", "--out", str(path)],
            clients=clients,
        )
        == 0
    )
    text = path.read_text()
    assert text.splitlines()[0] == ",".join(SAVINGS_CSV_COLUMNS)
    found = rows(text)
    assert [(r["customerId"], r["kind"], r["amount"], r["currency"]) for r in found] == [
        ("C01", "FLEXIBLE_USER_REMOVED", "12.00", "GBP"),
        ("C02", "FLEXIBLE_USER_REMOVED", "12.00", "GBP"),
    ]
    assert found[1]["detail"].startswith("'=")  # shown by a spreadsheet, never run


def test_one_customer_to_standard_output_and_an_empty_month() -> None:
    store = world()
    clients = Clients(savings=lambda: (store, store))
    out = io.StringIO()
    assert (
        main(
            ["export", "savings", "--month", "2026-12", "--customer", "C01"],
            clients=clients,
            out=out,
        )
        == 0
    )
    assert [r["customerId"] for r in rows(out.getvalue())] == ["C01"]
    out = io.StringIO()
    assert main(["export", "savings", "--month", "2026-11", "--all"], clients=clients, out=out) == 0
    assert rows(out.getvalue()) == []


def test_a_bad_month_reads_nothing() -> None:
    def nothing() -> tuple[InMemoryApiStore, InMemoryApiStore]:
        raise AssertionError("read before the month was checked")

    assert (
        main(["export", "savings", "--month", "2026-13", "--all"], clients=Clients(savings=nothing))
        == 2
    )
