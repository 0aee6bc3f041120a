"""Property: the usage digest never lets a sync skip a licence whose stored figures differ from
Google's, whatever writes land in the middle of a sync.

Each example runs the production sync (services.sync, services.shard_pass) on the in-memory
store and unit of work, over two shards of three customers. Between any two of the sync's steps
(reading the digest, marking, each record transaction, settling, reading licences) the program
may slip in: a top-up landing (Google's total rises and a transaction writes the licence, as
apply_topup's does, through the licence repository), a change made outside (Google only), a
subscription cancelled at Google or coming back, its renewal type changed in the Admin console,
or a whole other sync. Digest documents are made tiny in some examples, so shards split mid-run.

Checked after every step, mid-sync included: an entry that is a fingerprint sits in the
document that lists its licence and equals the fingerprint of the licence as stored. Checked
at the end: once Google stops changing, one more sync leaves every stored licence equal to
Google's figures, and a sync after that reads the digest and nothing else.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licence_manager.domain import usage_digest
from licence_manager.domain.model import LicenceKey, Subscription, Usage
from licence_manager.domain.observation import REMOVED
from licence_manager.domain.usage_digest import fingerprint, is_fingerprint
from licence_manager.ports.unit_of_work import Transaction
from licence_manager.services.sync import SyncUsage, UsageSync
from tests.builders import T0, subscription
from tests.fakes.memory import FakeSubscriptionSource
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

EXAMPLES = int(os.environ.get("LM_PROPERTY_EXAMPLES", "1000")) // 2
SHARDS = ("a", "b")
SKUS = ("1010020027", "1010020028")


def google_world() -> list[Subscription]:
    return [
        subscription(
            customer_id=f"C{shard}{n}",
            domain=f"{shard}{n}.example",
            sku_id=sku,
            subscription_id=f"s-{shard}{n}-{sku}",
        )
        for shard in SHARDS
        for n in range(3)
        for sku in SKUS
    ]


KEYS = [s.key for s in google_world()]
# Renewal types the Admin console might switch to ("": none reported), each with its term end.
RENEWALS = ("", "AUTO_RENEW_YEARLY_PAY", "RENEW_CURRENT_USERS_YEARLY_PAY", "CANCEL")
actions = st.one_of(
    st.just(("nothing", None)),
    st.tuples(st.just("top_up"), st.tuples(st.sampled_from(KEYS), st.integers(1, 3))),
    st.tuples(st.just("outside"), st.tuples(st.sampled_from(KEYS), st.integers(-3, 3))),
    st.tuples(st.just("users"), st.tuples(st.sampled_from(KEYS), st.integers(0, 12))),
    st.tuples(st.just("cancel"), st.sampled_from(KEYS)),
    st.tuples(st.just("renewal"), st.tuples(st.sampled_from(KEYS), st.sampled_from(RENEWALS))),
    st.tuples(st.just("restore"), st.sampled_from(KEYS)),
    st.tuples(st.just("sync"), st.booleans()),
)


class Example:
    """Google, the store, and a sync whose every step may let an action in first."""

    def __init__(self, program: list[tuple[str, Any]]) -> None:
        self.program = list(program)
        self.now = T0
        self.google = {s.key: s for s in google_world()}
        self.cancelled: set[LicenceKey] = set()
        self.store = InMemoryStore()
        self.uow = MemoryUnitOfWork(self.store)
        self.source = _LiveGoogle(self)
        self.busy = False
        self.sync = UsageSync(
            self.source,
            _Interleaved(self.store, self),
            _InterleavedUow(self.uow, self),
            "Europe/London",
            clock=lambda: self.now,
            max_parallel_shards=1,  # one thread: the same program interleaves the same way
            # A sync run inside another's step cannot outwait it on one thread: it leaves.
            sleep=lambda _seconds: None,
        )

    # the world moving
    def step(self) -> None:
        """Run the next action of the program, if any (not from inside another action)."""
        if self.busy or not self.program:
            return
        self.busy = True
        try:
            self.act(*self.program.pop(0))
        finally:
            self.busy = False
        assert_digest_true(self.store)

    def act(self, kind: str, arg: Any) -> None:
        self.now += timedelta(seconds=7)
        if kind == "top_up":
            key, seats = arg
            self.top_up(key, seats)
        elif kind == "outside":
            key, seats = arg
            now = self.google[key]
            self.set_google(key, total=max(now.total_seats + seats, now.licensed_number_of_seats))
        elif kind == "users":
            key, users = arg
            self.set_google(key, assigned=min(users, self.google[key].total_seats))
        elif kind == "cancel":
            self.cancelled.add(arg)
        elif kind == "renewal":
            key, renewal_type = arg
            ends = T0 + timedelta(days=100 + RENEWALS.index(renewal_type)) if renewal_type else None
            self.google[key] = replace(
                self.google[key], renewal_type=renewal_type, commitment_ends_at=ends
            )
        elif kind == "restore":
            self.cancelled.discard(arg)
        elif kind == "sync":
            self.run_sync(verify=arg)

    def set_google(
        self, key: LicenceKey, total: int | None = None, assigned: int | None = None
    ) -> None:
        now = self.google[key]
        total = now.total_seats if total is None else total
        self.google[key] = replace(
            now,
            maximum_number_of_seats=total,
            licensed_number_of_seats=now.licensed_number_of_seats if assigned is None else assigned,
        )

    def top_up(self, key: LicenceKey, seats: int) -> None:
        """Google applies a seat change, and a transaction records it on the licence: the
        write apply_topup makes (through the same licence repository, which marks the digest)."""
        if key in self.cancelled:
            return
        self.set_google(key, total=self.google[key].total_seats + seats)
        after, at = self.google[key], self.now

        def write(tx: Transaction) -> None:
            stored = tx.licences.get(key)
            if stored is not None and stored.usage.status != REMOVED:
                tx.licences.put(key, replace(stored, usage=Usage.of(after), updated_at=at))

        self.uow.run(write)

    def run_sync(self, verify: bool = False) -> None:
        self.sync(SyncUsage(shards=SHARDS, verify=verify))

    def listed(self) -> list[Subscription]:
        return [s for key, s in self.google.items() if key not in self.cancelled]


class _LiveGoogle(FakeSubscriptionSource):
    """Lists what Google holds at the moment of the call."""

    def __init__(self, example: Example) -> None:
        super().__init__()
        self._example = example

    def list_subscriptions(self, customer_name_prefix: str | None) -> Any:
        self.subscriptions = self._example.listed()
        return super().list_subscriptions(customer_name_prefix)

    def list_customer_subscriptions(self, customer_id: str) -> list[Subscription]:
        self.subscriptions = self._example.listed()
        return super().list_customer_subscriptions(customer_id)


class _Interleaved:
    """The store, letting the program in before each call the sync makes to it."""

    def __init__(self, store: InMemoryStore, example: Example) -> None:
        self._store, self._example = store, example

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            # The digests and the heartbeat are read on a thread of their own, beside the
            # listing: stepping there would race it. What lands after those reads lands before
            # the next call.
            if name not in ("usage_digests", "read_heartbeat"):
                self._example.step()
            return method(*args, **kwargs)

        return call


class _InterleavedUow:
    def __init__(self, uow: MemoryUnitOfWork, example: Example) -> None:
        self._uow, self._example = uow, example

    def run(self, work: Any) -> Any:
        self._example.step()
        result = self._uow.run(work)
        self._example.step()
        return result


def assert_digest_true(store: InMemoryStore) -> None:
    for document, entries in store.digests.items():
        for key, entry in entries.items():
            if not is_fingerprint(entry):
                continue
            licence = store.licences.get(key)
            assert licence is not None, (document, key, entry)
            assert store.listed_in.get(key) == document, (document, key)
            assert entry == fingerprint(licence.usage), (document, key, licence.usage)


@pytest.fixture(params=[usage_digest.DOCUMENT_BUDGET, 60], ids=["one-document", "splitting"])
def capacity(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(usage_digest, "DOCUMENT_BUDGET", request.param)  # 60: two entries
    return int(request.param)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(program=st.lists(actions, min_size=1, max_size=60))
def test_a_sync_never_skips_a_licence_that_differs_from_google(capacity: int, program) -> None:  # type: ignore[no-untyped-def]
    example = Example(program)
    while example.program:
        example.run_sync()
    example.run_sync()  # Google calm: this one must see everything that differs

    for key, google in example.google.items():
        stored = example.store.licences.get(key)
        if key in example.cancelled:
            assert stored is None or stored.usage.status == REMOVED, key
        else:
            assert stored is not None and stored.usage == Usage.of(google), (key, stored, google)
    assert_digest_true(example.store)

    # and soon an idle sync reads the digest and writes nothing but its run record (a split
    # drops the entries that move, so their licences are read once more first)
    for _ in range(3):
        reads, writes = example.store.digest_reads, example.store.writes
        example.run_sync()
        if example.store.writes - writes == 1:
            break
    assert example.store.writes - writes == 1
    assert example.store.digest_reads - reads == sum(example.store.digest_parts.values())


def test_a_full_digest_document_fits_firestores_limit_with_the_longest_ids() -> None:
    """What the largest shard document can hold, by Firestore's storage-size rules: entries up
    to DOCUMENT_BUDGET, plus the document's name and other fields, stay under 1 MiB."""
    from licence_manager.domain.model import LicenceKey
    from licence_manager.domain.usage_digest import DOCUMENT_BUDGET, document_id, entry_size

    longest = LicenceKey("C0123456789a", "Google-Drive-storage-20TB-xx")  # 12 and 28 characters
    typical = LicenceKey("C03az79cb", "1010020028")
    entry = fingerprint(Usage.of(subscription()))
    assert (entry_size(typical, entry), entry_size(longest, entry)) == (34, 55)
    entries = DOCUMENT_BUDGET // entry_size(longest, entry)
    name = len(f"projects/p/databases/(default)/documents/sync_digests/{document_id('ab', 7)}")
    other_fields = sum(len(f) + 1 for f in ("shard", "parts", "entries", "updatedAt", "lease"))
    other_values = 3 + 8 + 8 + 2 * 40  # shard, parts, updatedAt, lease {holder, until}
    size = name + 16 + other_fields + other_values + 32 + entries * entry_size(longest, entry)
    assert size < 1024 * 1024 * 0.7, size  # 30% head room for a part hashing filled fuller
    assert DOCUMENT_BUDGET // entry_size(typical, entry) >= 20_000
