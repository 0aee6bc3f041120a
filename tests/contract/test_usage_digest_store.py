"""The usage digest's storage contract (domain.usage_digest), held by the in-memory store and by
Firestore on the emulator alike: marks, settles, leases, splits, and the licence repository
marking a licence's entry in the same transaction as it writes the licence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
from licence_manager.domain import usage_digest
from licence_manager.domain.model import Licence, LicenceKey, Usage
from licence_manager.domain.usage_digest import MARK, UsageDigest, fingerprint
from licence_manager.ports import ShardBusy, Store
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork
from tests.builders import T0, subscription
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

T = TypeVar("T")
LATER = T0 + timedelta(minutes=10)
KEYS = [LicenceKey(f"C{n}", "1010020028") for n in range(5)]


@dataclass
class Backend:
    store: Store
    uow: UnitOfWork

    def run(self, work: Callable[[Transaction], T]) -> T:
        return self.uow.run(work)

    def digest(self, shard: str = "a", holder: str = "run-1") -> UsageDigest:
        digest = self.store.usage_digest(shard)
        digest.holder = holder
        return digest

    def mark(self, digest: UsageDigest, keys: list[LicenceKey], now: Any = T0) -> dict[Any, str]:
        return self.store.mark_in_digest(digest, keys, now, now + timedelta(minutes=10))

    def list_licence(self, key: LicenceKey, document: str, total: int = 10) -> Licence:
        """Write a licence listed in `document`, as the sync's record step does."""
        licence = a_licence(key, total)

        def write(tx: Transaction) -> None:
            tx.licences.get(key)
            tx.licences.put_listed(key, licence, document)

        self.run(write)
        return licence

    def top_up(self, key: LicenceKey, total: int) -> None:
        """Any other writer: read the licence, write it back changed."""

        def write(tx: Transaction) -> None:
            stored = tx.licences.get(key)
            assert stored is not None
            tx.licences.put(key, replace(stored, usage=replace(stored.usage, total=total)))

        self.run(write)


@pytest.fixture(params=["memory", "firestore"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "memory":
        store = InMemoryStore()
        return Backend(store, MemoryUnitOfWork(store))
    client = request.getfixturevalue("firestore_client")
    return Backend(FirestoreStore(client), FirestoreUnitOfWork(client))


def a_licence(key: LicenceKey, total: int = 10) -> Licence:
    usage = Usage.of(subscription(customer_id=key.customer_id, total=total, assigned=4))
    return Licence(key, "acme.example", usage, "Europe/London", T0)


def test_a_digest_never_settled_does_not_exist(backend: Backend) -> None:
    digest = backend.digest()
    assert (digest.exists, digest.listed()) == (False, {})
    backend.mark(digest, KEYS[:1])  # marks alone do not make a digest a sync may trust
    assert backend.store.usage_digest("a").exists is False


def test_a_settle_fingerprints_what_was_recorded_and_keeps_the_other_marks(
    backend: Backend,
) -> None:
    digest = backend.digest()
    marks = backend.mark(digest, KEYS[:3])
    recorded = {KEYS[0]: a_licence(KEYS[0]).usage, KEYS[1]: None}
    backend.store.settle_digest(digest, marks, recorded, T0)

    read = backend.store.usage_digest("a")
    assert read.exists
    assert read.entry(KEYS[0]) == fingerprint(a_licence(KEYS[0]).usage)
    assert read.entry(KEYS[1]) is None  # no such licence: the entry goes
    assert read.entry(KEYS[2]) == marks[KEYS[2]]  # not recorded: still marked
    assert read.matches(KEYS[0], a_licence(KEYS[0]).usage)


def test_a_licence_written_after_the_mark_keeps_a_mark_not_a_fingerprint(
    backend: Backend,
) -> None:
    key = KEYS[0]
    listed = backend.list_licence(key, "a")
    digest = backend.digest()
    marks = backend.mark(digest, [key])
    backend.top_up(key, total=12)  # lands between the sync's record and its settle
    backend.store.settle_digest(digest, marks, {key: listed.usage}, T0)

    entry = backend.store.usage_digest("a").entry(key)
    assert entry is not None and entry.startswith(MARK) and entry != marks[key]


def test_every_write_of_a_listed_licence_marks_its_entry(backend: Backend) -> None:
    key = KEYS[0]
    licence = backend.list_licence(key, "a")
    digest = backend.digest()
    backend.store.settle_digest(digest, backend.mark(digest, [key]), {key: licence.usage}, T0)
    assert backend.store.usage_digest("a").matches(key, licence.usage)

    backend.top_up(key, total=11)

    assert backend.store.usage_digest("a").entry(key) != fingerprint(licence.usage)
    assert not backend.store.usage_digest("a").matches(key, licence.usage)


def test_a_licence_listed_elsewhere_leaves_no_entry_behind(backend: Backend) -> None:
    key = KEYS[0]
    licence = backend.list_licence(key, "a")
    digest = backend.digest("a")
    backend.store.settle_digest(digest, backend.mark(digest, [key]), {key: licence.usage}, T0)

    backend.list_licence(key, "b")  # the prefixes were re-split: shard "b" lists it now

    assert key not in backend.store.usage_digest("a").listed()
    assert backend.store.licences_with_listing(None)[key] == (licence, "b")


def test_a_licence_is_written_only_after_it_is_read(backend: Backend) -> None:
    with pytest.raises(RuntimeError, match="without being read"):
        backend.run(lambda tx: tx.licences.put(KEYS[0], a_licence(KEYS[0])))


def test_one_run_at_a_time_records_a_shard(backend: Backend) -> None:
    first = backend.digest(holder="run-1")
    marks = backend.mark(first, KEYS[:1])
    second = backend.digest(holder="run-2")
    with pytest.raises(ShardBusy):
        backend.mark(second, KEYS[1:2])
    backend.mark(first, KEYS[1:2])  # the holder renews it

    backend.store.settle_digest(first, marks, {}, T0)  # and gives it back
    backend.mark(second, KEYS[1:2])
    with pytest.raises(ShardBusy):  # a run whose lease was taken over settles nothing
        backend.store.settle_digest(first, marks, {}, T0)


def test_a_lease_run_out_can_be_taken_over(backend: Backend) -> None:
    backend.mark(backend.digest(holder="run-1"), KEYS[:1], now=T0)
    backend.mark(backend.digest(holder="run-2"), KEYS[:1], now=LATER + timedelta(seconds=1))


def test_a_shard_that_outgrows_a_document_is_split(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(usage_digest, "DOCUMENT_BUDGET", 60)  # two entries of these ids
    digest = backend.digest()
    licences = {key: a_licence(key) for key in KEYS}
    backend.store.settle_digest(
        digest, backend.mark(digest, KEYS), {k: lic.usage for k, lic in licences.items()}, T0
    )

    split = backend.store.usage_digest("a")
    assert split.parts == 4  # 5 entries of 27 bytes, at most 60 bytes a document: doubled twice
    assert set(split.listed()) == set(KEYS)  # every licence still listed somewhere
    for key in KEYS:
        entry = split.entry(key)  # where it stayed, its fingerprint; where it moved, a mark
        assert entry in (fingerprint(licences[key].usage), None) or entry.startswith(MARK)


def test_licences_are_read_by_key_in_one_call(backend: Backend) -> None:
    licence = backend.list_licence(KEYS[0], "a")
    assert backend.store.licences_by_key([KEYS[0], KEYS[1]]) == {KEYS[0]: licence}
    assert backend.store.licences_by_key([]) == {}
