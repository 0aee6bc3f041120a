"""One contract, two stores of the audit check: the in-memory fake and the Firestore adapter on
the emulator, fed by the real writer (the unit of work's append_audit), must list a customer's
chains with their heads and checkpoints, read exactly an id range of a chain, and keep
checkpoints of chains not verified further."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.model import GENESIS, AuditHead, LicenceKey
from licence_manager.ports.audit_integrity import AuditChains
from tests.fakes.memory_audit_integrity import MemoryAuditChains

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ANNUAL = LicenceKey("C01", "1010020020")
OWN = LicenceKey("C01", "customer")
NEIGHBOUR = LicenceKey("C012", "1010020020")  # an id that starts with C01's

# The store, and how to append one entry as the writers do.
World = tuple[AuditChains, Callable[[audit.AuditEntry], None]]


def in_memory() -> World:
    chains = MemoryAuditChains()
    return chains, chains.append


def on_firestore(client: Any) -> World:
    from licence_manager.adapters.firestore_audit_integrity import FirestoreAuditChains
    from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork

    uow = FirestoreUnitOfWork(client)

    def append(entry: audit.AuditEntry) -> None:
        uow.run(lambda tx: tx.append_audit((entry,), entry.head))

    return FirestoreAuditChains(client), append


@pytest.fixture(params=["memory", "firestore"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    if request.param == "memory":
        yield in_memory()
    else:
        yield on_firestore(request.getfixturevalue("firestore_client"))


def grow(append: Callable[[audit.AuditEntry], None], key: LicenceKey, count: int) -> AuditHead:
    head = GENESIS
    for n in range(count):
        entry = audit.append(
            head, key, AT, AuditAction.SEATS_CHANGED_OUTSIDE, Source.OUTSIDE, "sync", f"{n}"
        )
        append(entry)
        head = entry.head
    return head


def test_chains_of_a_customer_with_heads_and_checkpoints(world: World) -> None:
    chains, append = world
    annual = grow(append, ANNUAL, 3)
    own = grow(append, OWN, 1)
    grow(append, NEIGHBOUR, 2)
    listed = chains.chains_of("C01")
    assert [(s.key, s.head, s.checkpoint) for s in listed] == [
        (ANNUAL, annual, None),
        (OWN, own, None),
    ]
    chains.save_checkpoints("C01", {ANNUAL: annual}, AT)
    chains.save_checkpoints("C01", {OWN: own}, AT)  # the other chain's checkpoint stays
    assert [(s.key, s.checkpoint) for s in chains.chains_of("C01")] == [
        (ANNUAL, annual),
        (OWN, own),
    ]
    assert chains.chains_of("C99") == []


def test_entries_are_read_by_id_range(world: World) -> None:
    chains, append = world
    grow(append, ANNUAL, 12)
    grow(append, NEIGHBOUR, 3)
    assert [e.seq for e in chains.entries(ANNUAL, 10, 12)] == [10, 11, 12]
    assert [e.seq for e in chains.entries(ANNUAL, 1, 2)] == [1, 2]
    assert chains.entries(ANNUAL, 13, 20) == []
    read = chains.entries(ANNUAL, 1, 12)
    assert audit.verify_chain(read) == []
    assert {e.key for e in read} == {ANNUAL}
