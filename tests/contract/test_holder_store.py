"""One contract, two holder stores: the in-memory fake and Firestore (on the emulator) keep the
holder sync's documents alike: records round-trip exactly (so an unchanged holder compares
equal and is not rewritten), deletes, insights, the reclaim policy with its default, and the
holder digest (read with the policy and insights, written last, marked first when a write
takes several batches)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from licence_manager.adapters.firestore_holders import (
    RECLAIM_POLICIES,
    SEAT_HOLDERS,
    FirestoreHolders,
)
from licence_manager.domain.holder_digest import MARK, HolderDigest
from licence_manager.domain.holders import HolderRecord, holder_fingerprint
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight
from licence_manager.domain.reclaim import ReclaimPolicy
from licence_manager.ports.holders import HolderStore, HolderSyncState
from tests.fakes.memory_holders import InMemoryHolderStore

NOW = datetime(2026, 11, 20, 6, 0, 0, 123456, tzinfo=UTC)


def record(n: int, customer_id: str = "C01", **changes: Any) -> HolderRecord:
    base = HolderRecord(
        customer_id=customer_id,
        customer_domain="acme.example",
        product_id="Google-Apps",
        sku_id="1010020027",
        email=f"user{n}@acme.example",
        user_id=f"u{n}",
        suspended=False,
        archived=False,
        created_at=datetime(2024, 5, 1, 12, tzinfo=UTC),
        last_login=datetime(2026, 11, 19, 8, 30, 1, 5000, tzinfo=UTC),
        last_activity=None,
        activity_as_of=date(2026, 11, 17),
        reclaim_reason="",
        synced_at=NOW,
    )
    return replace(base, **changes)


@pytest.fixture(params=["memory", "firestore"])
def store_and_policy(
    request: pytest.FixtureRequest,
) -> tuple[HolderStore, Callable[[str, int], None]]:
    if request.param == "memory":
        fake = InMemoryHolderStore()

        def set_fake(customer_id: str, days: int) -> None:
            fake.policies[customer_id] = ReclaimPolicy(days)

        return fake, set_fake
    client = request.getfixturevalue("firestore_client")

    def set_stored(customer_id: str, days: int) -> None:
        client.collection(RECLAIM_POLICIES).document(customer_id).set(
            {"customerId": customer_id, "inactiveDays": days, "changedBy": "t", "changedAt": NOW}
        )

    return FirestoreHolders(client), set_stored


def test_records_round_trip_exactly(store_and_policy: Any) -> None:
    store, _ = store_and_policy
    never = record(2, last_login=None, created_at=None, activity_as_of=None, user_id="")
    suspended = record(3, suspended=True, reclaim_reason="SUSPENDED")
    assert store.write_holders([record(1), never, suspended], [], None) == 3
    stored = store.holders_of("C01")
    assert stored == {r.document_id: r for r in (record(1), never, suspended)}
    # What was read compares equal to what the sync would write again: nothing to rewrite.
    assert not record(1).needs_writing_over(stored[record(1).document_id])


def test_holders_are_read_per_customer_and_deleted_by_id(store_and_policy: Any) -> None:
    store, _ = store_and_policy
    store.write_holders([record(1), record(2), record(1, customer_id="C02")], [], None)
    assert store.write_holders([], [record(2).document_id], None) == 1
    assert list(store.holders_of("C01")) == [record(1).document_id]
    assert list(store.holders_of("C02")) == [record(1, customer_id="C02").document_id]
    assert store.holders_of("C03") == {}


def test_more_than_one_batch_of_writes(store_and_policy: Any) -> None:
    store, _ = store_and_policy
    many = [record(n) for n in range(520)]
    assert store.write_holders(many, [], None) == 520
    assert len(store.holders_of("C01")) == 520
    assert store.write_holders([], [r.document_id for r in many], None) == 520
    assert store.holders_of("C01") == {}


def test_insights_are_written_last_and_read_back(store_and_policy: Any) -> None:
    store, _ = store_and_policy
    assert store.insights("C01") is None
    insights = LicenceInsights(
        "C01",
        NOW,
        HoldersStatus.OK,
        "",
        60,
        {"1010020027": SkuInsight("Google-Apps", 4, 3, 1, 1, 1)},
    )
    assert store.write_holders([record(1)], [], insights) == 2
    assert store.insights("C01") == insights
    refused = LicenceInsights("C01", NOW, HoldersStatus.NO_ACCESS, "switched off", 60, {})
    store.write_holders([], [], refused)
    assert store.insights("C01") == refused


def test_the_reclaim_policy_defaults_to_60_days(store_and_policy: Any) -> None:
    store, set_policy = store_and_policy
    assert store.reclaim_policy("C01") == ReclaimPolicy(60)
    set_policy("C01", 90)
    assert store.reclaim_policy("C01") == ReclaimPolicy(90)


def test_a_stored_policy_out_of_bounds_falls_back_to_the_default(firestore_client: Any) -> None:
    firestore_client.collection(RECLAIM_POLICIES).document("C01").set({"inactiveDays": 2})
    assert FirestoreHolders(firestore_client).reclaim_policy("C01") == ReclaimPolicy(60)


def test_documents_are_flat_and_named_for_export(firestore_client: Any) -> None:
    FirestoreHolders(firestore_client).write_holders([record(1)], [], None)
    doc = firestore_client.collection(SEAT_HOLDERS).document("C01_1010020027_u1").get().to_dict()
    assert set(doc) == {
        "customerId",
        "customerDomain",
        "productId",
        "skuId",
        "email",
        "userId",
        "suspended",
        "archived",
        "createdAt",
        "lastLogin",
        "lastActivity",
        "activityAsOf",
        "reclaimReason",
        "syncedAt",
    }
    assert doc["activityAsOf"] == "2026-11-17"
    assert doc["lastActivity"] is None


# The holder digest (domain.holder_digest).


def digest_of(*records: HolderRecord, customer_id: str = "C01") -> HolderDigest:
    return HolderDigest(customer_id, {r.document_id: holder_fingerprint(r) for r in records})


def test_the_digest_is_written_last_and_read_with_the_policy_and_insights(
    store_and_policy: Any,
) -> None:
    store, set_policy = store_and_policy
    assert store.holder_digest("C01") is None
    assert store.sync_state("C01") == HolderSyncState(ReclaimPolicy(60), None, None)
    digest = digest_of(record(1), record(2))
    insights = LicenceInsights("C01", NOW, HoldersStatus.OK, "", 90, {})
    assert store.write_holders([record(1), record(2)], [], insights, digest) == 4
    set_policy("C01", 90)
    assert store.holder_digest("C01") == digest
    assert store.sync_state("C01") == HolderSyncState(ReclaimPolicy(90), insights, digest)
    assert store.holder_digest("C02") is None
    # An empty digest (a customer whose holders all left) is a digest, not none.
    empty = HolderDigest("C01", {})
    store.write_holders([], [record(1).document_id, record(2).document_id], None, empty)
    assert store.holder_digest("C01") == empty
    store.drop_holder_digest("C01")
    assert store.holder_digest("C01") is None


def test_a_write_of_several_batches_marks_what_it_touches_in_its_first(
    store_and_cut_short: Any,
) -> None:
    """Cut short after its first batch, the digest stored lists every document the write was
    to write or delete as a mark, and the others with their fingerprints: nothing it lists as
    a fingerprint differs from what is stored."""
    store, cut_short = store_and_cut_short
    kept, leaving = record(1), record(2)
    store.write_holders([kept, leaving], [], None, digest_of(kept, leaving))
    joining = [record(n) for n in range(10, 530)]
    with pytest.raises(Exception, match="cut short"):
        cut_short(1).write_holders(joining, [leaving.document_id], None, digest_of(kept, *joining))
    stored = store.holder_digest("C01")
    assert stored is not None
    assert stored.entries == {
        kept.document_id: holder_fingerprint(kept),
        leaving.document_id: MARK,
        **{r.document_id: MARK for r in joining},
    }
    # The first batch: the marked digest and 499 holders.
    assert len(store.holders_of("C01")) == 2 + 499
    assert store.write_holders(joining, [leaving.document_id], None, digest_of(kept, *joining))
    assert store.holder_digest("C01") == digest_of(kept, *joining)
    assert set(store.holders_of("C01")) == {r.document_id for r in (kept, *joining)}


class CutShortBatch:
    def __init__(self, batch: Any, client: CutShortClient) -> None:
        self._batch, self._client = batch, client

    def set(self, ref: Any, doc: Any) -> None:
        self._batch.set(ref, doc)

    def delete(self, ref: Any) -> None:
        self._batch.delete(ref)

    def commit(self) -> None:
        if self._client.commits >= self._client.after:
            raise ConnectionError(f"cut short after {self._client.commits} batches")
        self._batch.commit()
        self._client.commits += 1


class CutShortClient:
    """The Firestore client, whose batches fail once `after` have committed."""

    def __init__(self, client: Any, after: int) -> None:
        self._client, self.after, self.commits = client, after, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch(self) -> CutShortBatch:
        return CutShortBatch(self._client.batch(), self)


@pytest.fixture(params=["memory", "firestore"])
def store_and_cut_short(
    request: pytest.FixtureRequest,
) -> tuple[HolderStore, Callable[[int], HolderStore]]:
    """A store, and the same store whose next write fails after so many batches."""
    if request.param == "memory":
        fake = InMemoryHolderStore()

        def cut_fake(after: int) -> HolderStore:
            fake.fail_after_batches = after  # the next write only
            return fake

        return fake, cut_fake
    client = request.getfixturevalue("firestore_client")
    return FirestoreHolders(client), lambda after: FirestoreHolders(CutShortClient(client, after))
