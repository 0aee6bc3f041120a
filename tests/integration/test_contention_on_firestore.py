"""Writers racing on one licence, on the Firestore emulator: every transaction that reads a
document and then writes it holds a read lock another writer must wait out, so two such
transactions at once deadlock until the emulator times one out. A retry that starts again at
once takes the same locks and deadlocks again; seen as minutes-long livelocks of the sync, the
event path and evaluations on one licence. Each abort must back off before trying again."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from licence_manager.adapters.firestore_store import in_transaction

pytestmark = [pytest.mark.emulator]

WRITERS = 6


def test_read_then_write_transactions_on_the_same_documents_all_commit(
    firestore_client: Any,
) -> None:
    from google.cloud import firestore

    licence = firestore_client.collection("licences").document("C1_sku")
    automation = firestore_client.collection("licence_automation").document("C1_sku")
    licence.set({"count": 0})
    automation.set({"count": 0})
    failures: list[BaseException] = []

    def writer(index: int) -> None:
        # Half read the licence first, half the automation state: both orders happen (the
        # record step and an evaluation read them in different orders).
        first, second = (licence, automation) if index % 2 else (automation, licence)

        @firestore.transactional
        def work(tx: Any) -> None:
            a = first.get(transaction=tx).get("count")
            b = second.get(transaction=tx).get("count")
            time.sleep(0.05)  # the work between the reads and the writes
            tx.update(first, {"count": a + 1})
            tx.update(second, {"count": b + 1})

        try:
            in_transaction(firestore_client, work)
        except BaseException as error:  # reported below, with the others
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    took = time.monotonic() - began
    assert not failures, failures
    assert licence.get().get("count") == WRITERS
    assert automation.get().get("count") == WRITERS
    print(f"{WRITERS} racing writers committed in {took:.1f} s")
