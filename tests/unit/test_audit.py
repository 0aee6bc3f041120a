from dataclasses import replace

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.model import GENESIS, LicenceKey
from tests.builders import T0

KEY = LicenceKey("C01", "1010020028")


def chain(length: int) -> list[audit.AuditEntry]:
    entries, head = [], GENESIS
    for n in range(length):
        entry = audit.append(
            head,
            KEY,
            T0,
            AuditAction.SEATS_CHANGED_OUTSIDE,
            Source.OUTSIDE,
            "sync",
            f"#{n}",
            n,
            n + 1,
        )
        entries.append(entry)
        head = entry.head
    return entries


def test_an_intact_chain_verifies() -> None:
    entries = chain(3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].hash
    assert verify_chain(entries) == []


def test_editing_an_entry_is_detected() -> None:
    entries = chain(3)
    entries[1] = replace(entries[1], seats_after=99)
    assert verify_chain(entries) == ["entry 2: content does not match its hash"]


def test_removing_an_entry_is_detected() -> None:
    entries = chain(3)
    del entries[1]
    problems = verify_chain(entries)
    assert "entry 3: expected sequence 2" in problems
    assert "entry 3: does not link to entry 1" in problems


def test_rehashing_an_edited_entry_still_breaks_the_next_link() -> None:
    entries = chain(3)
    forged = replace(entries[1], seats_after=99, hash="")
    forged = replace(forged, hash=audit._digest(audit._hashed_fields(forged)))
    entries[1] = forged
    assert verify_chain(entries) == ["entry 3: does not link to entry 2"]


def test_document_ids_sort_in_chain_order() -> None:
    ids = [e.doc_id for e in chain(12)]
    assert ids == sorted(ids)
    assert ids[0] == "C01_1010020028_0000000001"
