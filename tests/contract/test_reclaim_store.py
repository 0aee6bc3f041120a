"""ports.reclaim on both stores: seat holders paged by document id (one SKU, the reclaimable
ones), cursors held to their customer, the insights document, and the reclaim policy saved
with one audit entry in the customer's chain (nothing when unchanged)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction, Source, verify_chain
from licence_manager.domain.insights import HoldersStatus
from licence_manager.domain.reclaim import ReclaimPolicy, ReclaimReason
from licence_manager.ports.reclaim import PolicyChange, SavedReclaimPolicy
from licence_manager.ports.usage import BadCursor
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.reclaim_seed import SYNCED, holder_record, insights_of

Store = InMemoryApiStore | FirestoreApiStore
STANDARD, ADDON = "1010020028", "1010470001"
AT = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture(params=["memory", "firestore"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return InMemoryApiStore()
    return FirestoreApiStore(request.getfixturevalue("firestore_client"))


def seed(store: Store) -> None:
    reasons = [
        ReclaimReason.SUSPENDED,
        None,
        ReclaimReason.INACTIVE,
        None,
        ReclaimReason.NEVER_SIGNED_IN,
    ]
    records = [
        holder_record("C01", STANDARD, f"user{n}@c01.example", reasons[n % 5], user_id=f"u{n:03d}")
        for n in range(12)
    ]
    records.append(
        holder_record(
            "C01",
            ADDON,
            "ann@c01.example",
            ReclaimReason.INACTIVE,
            product_id="Google-Vault",
            user_id="",
            last_login=datetime(2026, 8, 1, 9, 30, tzinfo=UTC),
            activity_as_of=date(2026, 11, 28),
        )
    )
    records.append(holder_record("C02", STANDARD, "other@c02.example", ReclaimReason.SUSPENDED))
    store.save_seat_holders(records)


def every_page(store: Store, limit: int, **kwargs: object) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = store.seat_holder_page("C01", limit, cursor, **kwargs)  # type: ignore[arg-type]
        pages.append([r.holder.email for r in page.holders])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_holders_page_by_document_id_within_their_customer(store: Store) -> None:
    seed(store)
    pages = every_page(store, 5)
    assert [len(p) for p in pages] == [5, 5, 3]
    flat = [e for p in pages for e in p]
    assert len(set(flat)) == 13 and "other@c02.example" not in flat
    whole = store.seat_holder_page("C01", 100, None)
    assert [r.doc_id for r in whole.holders] == sorted(r.doc_id for r in whole.holders)
    assert whole.next_cursor is None
    # Exactly a page: no cursor to an empty page.
    assert store.seat_holder_page("C01", 13, None).next_cursor is None


def test_reclaimable_only_and_one_sku(store: Store) -> None:
    seed(store)
    reclaimable = [e for p in every_page(store, 2, reclaimable_only=True) for e in p]
    assert len(reclaimable) == 8  # 7 of the 12 on STANDARD, and the add-on's
    assert [e for p in every_page(store, 50, sku_id=ADDON) for e in p] == ["ann@c01.example"]
    standard = store.seat_holder_page("C01", 100, None, sku_id=STANDARD, reclaimable_only=True)
    assert {r.reclaim_reason for r in standard.holders} == {
        ReclaimReason.SUSPENDED,
        ReclaimReason.INACTIVE,
        ReclaimReason.NEVER_SIGNED_IN,
    }
    assert len(standard.holders) == 7


def test_a_cursor_of_another_customer_is_refused(store: Store) -> None:
    seed(store)
    theirs = store.seat_holder_page("C02", 100, None).holders[0].doc_id
    with pytest.raises(BadCursor):
        store.seat_holder_page("C01", 5, theirs)


def test_a_holder_reads_back_as_written(store: Store) -> None:
    seed(store)
    (ann,) = store.seat_holder_page("C01", 10, None, sku_id=ADDON).holders
    assert ann.product_id == "Google-Vault" and ann.customer_domain == "c01.example"
    assert ann.doc_id.startswith(f"C01_{ADDON}_e-")  # no Directory user: the email's hash
    assert ann.holder.user_id == ""
    assert ann.holder.last_login == datetime(2026, 8, 1, 9, 30, tzinfo=UTC)
    assert ann.holder.last_activity is None
    assert ann.holder.activity_as_of == date(2026, 11, 28)
    assert ann.reclaim_reason is ReclaimReason.INACTIVE and ann.synced_at == SYNCED


def test_insights_and_licence_rows_carry_them(store: Store) -> None:
    assert store.licence_insights("C01") is None
    assert store.licence_rows("C01").insights is None
    insights = insights_of("C01", [holder_record("C01", STANDARD, "a@c01.example", None)])
    store.save_licence_insights(insights)
    assert store.licence_insights("C01") == insights
    assert store.licence_rows("C01").insights == insights
    no_access = insights_of("C02", [], HoldersStatus.NO_ACCESS)
    store.save_licence_insights(no_access)
    found = store.licence_insights("C02")
    assert found is not None and found.reclaimable(STANDARD) is None


def test_the_policy_defaults_changes_with_its_audit_entry_and_not_twice(store: Store) -> None:
    assert store.reclaim_policy("C01") == SavedReclaimPolicy(ReclaimPolicy(60))
    changed = store.change_reclaim_policy("C01", ReclaimPolicy(30), "alex@c01.example", AT)
    assert changed == PolicyChange(ReclaimPolicy(60), ReclaimPolicy(30))
    assert store.reclaim_policy("C01") == SavedReclaimPolicy(
        ReclaimPolicy(30), "alex@c01.example", AT
    )
    again = store.change_reclaim_policy("C01", ReclaimPolicy(30), "sam@c01.example", AT)
    assert again == PolicyChange(ReclaimPolicy(30), ReclaimPolicy(30))
    store.change_reclaim_policy("C01", ReclaimPolicy(90), "sam@c01.example", AT + timedelta(1))
    chain = store.audit_page("C01", CUSTOMER_SCOPE, 10, None).entries
    assert [(e.action, e.source, e.actor) for e in chain] == [
        (AuditAction.RECLAIM_POLICY_CHANGED, Source.DASHBOARD, "sam@c01.example"),
        (AuditAction.RECLAIM_POLICY_CHANGED, Source.DASHBOARD, "alex@c01.example"),
    ]
    assert "Before: reclaimable after 60 days" in chain[1].message
    assert "After: reclaimable after 30 days" in chain[1].message
    assert verify_chain(chain) == []
    assert store.reclaim_policy("C02") == SavedReclaimPolicy(ReclaimPolicy(60))
