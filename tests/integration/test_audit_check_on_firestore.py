"""The daily audit check end to end on the Firestore emulator: chains written by the real
writer (the unit of work), verified from their checkpoints, heads exported to the local
archive; an entry edited in the database afterwards is caught the next day, and the export
made before tells it apart from a consistent rewrite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from licence_manager.adapters.firestore_audit_integrity import FirestoreAuditChains
from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
from licence_manager.adapters.head_archive import DirectoryArchive
from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.audit_integrity import export_name, exported_heads
from licence_manager.domain.model import GENESIS, LicenceKey
from licence_manager.services.audit_integrity import VerifyCustomerAudit

KEY = LicenceKey("C01", "1010020020")


def test_an_edit_in_the_database_is_caught_the_next_day(
    firestore_client: Any, tmp_path: Path
) -> None:
    uow = FirestoreUnitOfWork(firestore_client)
    head = GENESIS
    for n in range(5):
        entry = audit.append(
            head,
            KEY,
            datetime(2026, 12, 1, 9, n, tzinfo=UTC),
            AuditAction.SEATS_CHANGED_OUTSIDE,
            Source.OUTSIDE,
            "sync",
            f"seats {10 + n} -> {11 + n}",
            seats_before=10 + n,
            seats_after=11 + n,
        )
        uow.run(lambda tx, e=entry: tx.append_audit((e,), e.head))
        head = entry.head
    day = datetime(2026, 12, 6, 4, 23, tzinfo=UTC)
    clock = {"now": day}
    archive = DirectoryArchive(tmp_path)
    check = VerifyCustomerAudit(
        FirestoreAuditChains(firestore_client), archive, lambda: clock["now"]
    )
    first = check("C01")
    assert not first.broken and first.entries_read == 5 and first.exported
    exported = exported_heads(archive.get(export_name("C01", day)) or b"")
    assert exported[KEY.sku_id] == head

    # Someone edits entry 5's figures in the console, hash untouched.
    firestore_client.collection("audit_events").document(f"{KEY.doc_id}_0000000005").update(
        {"seatsAfter": 99}
    )
    clock["now"] = day + timedelta(days=1)
    second = check("C01")
    [broken] = second.broken
    assert broken.problems == ("entry 5: content does not match its hash",)
    assert second.entries_read == 1  # the checkpoint's entry only: nothing was appended
    saved = firestore_client.collection("audit_checkpoints").document("C01").get().to_dict()
    assert saved["chains"][KEY.sku_id] == {"seq": 5, "hash": head.hash}
