"""The unit of work's `seat_holders` (what an unassign checks and removes), on both backends:
a holder read and deleted in one unit is gone with its entry in the customer's holder digest,
a digest that does not exist is not created, and reads after the delete are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from licence_manager.adapters.firestore_holders import FirestoreHolders
from licence_manager.adapters.firestore_unit_of_work import ReadAfterWrite
from licence_manager.domain.holder_digest import HolderDigest
from licence_manager.domain.holders import HolderRecord
from licence_manager.ports.unit_of_work import Transaction
from tests.contract.test_unit_of_work import Backend, backend
from tests.fakes.memory_automation import InMemoryStore

__all__ = ["backend"]  # the fixture, shared with the unit of work's contract

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def a_holder(email: str, user_id: str, customer_id: str = "C01") -> HolderRecord:
    return HolderRecord(
        customer_id=customer_id,
        customer_domain="acme.example",
        product_id="Google-Vault",
        sku_id="Google-Vault",
        email=email,
        user_id=user_id,
        suspended=True,
        archived=False,
        created_at=AT,
        last_login=None,
        last_activity=None,
        activity_as_of=None,
        reclaim_reason="SUSPENDED",
        synced_at=AT,
    )


ANN = a_holder("ann@acme.example", "1001")
# No Directory user joined: its key is a hash of the address, with a dash in it.
GHOST = a_holder("ghost@acme.example", "")
BOB = a_holder("bob@acme.example", "1002")


def seed(backend: Backend, holders: list[HolderRecord], digest: HolderDigest | None) -> None:
    if isinstance(backend.store, InMemoryStore):
        backend.store.seat_holders.update({h.document_id: h for h in holders})
        if digest is not None:
            backend.store.holder_digests[digest.customer_id] = digest
        return
    FirestoreHolders(backend.store._db).write_holders(holders, [], None, digest)


def stored(backend: Backend) -> tuple[set[str], dict[str, str] | None]:
    if isinstance(backend.store, InMemoryStore):
        digest = backend.store.holder_digests.get("C01")
        return set(backend.store.seat_holders), dict(digest.entries) if digest else None
    store = FirestoreHolders(backend.store._db)
    found = store.holder_digest("C01")
    return set(store.holders_of("C01")), dict(found.entries) if found else None


def delete(doc_id: str) -> object:
    def work(tx: Transaction) -> HolderRecord | None:
        found = tx.seat_holders.get(doc_id)
        tx.seat_holders.delete(doc_id)
        return found

    return work


def test_a_stored_holder_reads_back_equal_and_a_missing_one_as_none(backend: Backend) -> None:
    seed(backend, [ANN], None)

    assert backend.run(lambda tx: tx.seat_holders.get(ANN.document_id)) == ANN
    assert backend.run(lambda tx: tx.seat_holders.get(BOB.document_id)) is None


@pytest.mark.parametrize("gone", [ANN, GHOST], ids=["directory-id", "hashed-email"])
def test_deleting_a_holder_drops_its_digest_entry_and_keeps_the_others(
    backend: Backend, gone: HolderRecord
) -> None:
    holders = [ANN, GHOST, BOB]
    seed(backend, holders, HolderDigest("C01", {h.document_id: "0123456789ab" for h in holders}))

    assert backend.run(delete(gone.document_id)) == gone

    docs, entries = stored(backend)
    kept = {h.document_id for h in holders} - {gone.document_id}
    assert docs == kept
    assert entries == dict.fromkeys(kept, "0123456789ab")


def test_no_digest_is_created_for_a_customer_that_has_none(backend: Backend) -> None:
    seed(backend, [ANN, BOB], None)

    backend.run(delete(ANN.document_id))

    assert stored(backend) == ({BOB.document_id}, None)


def test_a_read_after_the_delete_is_refused_and_nothing_is_deleted(backend: Backend) -> None:
    seed(backend, [ANN, BOB], HolderDigest("C01", {ANN.document_id: "?"}))

    def delete_then_read(tx: Transaction) -> None:
        tx.seat_holders.get(ANN.document_id)
        tx.seat_holders.delete(ANN.document_id)
        tx.seat_holders.get(BOB.document_id)

    with pytest.raises(ReadAfterWrite):
        backend.run(delete_then_read)
    assert stored(backend) == ({ANN.document_id, BOB.document_id}, {ANN.document_id: "?"})
