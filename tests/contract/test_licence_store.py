"""One contract, two stores: the in-memory fake must behave like Firestore on the emulator."""

import threading
from datetime import timedelta
from functools import partial

import pytest

from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.domain.audit import verify_chain
from licence_manager.domain.model import Customer, LicenceKey
from licence_manager.domain.observation import record_observation
from licence_manager.ports import LicenceStore, SyncRunRecord
from licence_manager.ports.usage import BadCursor
from tests.builders import T0, subscription
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.unit_of_work import record

TZ = "Europe/London"


@pytest.fixture(params=["memory", "firestore"])
def store(request: pytest.FixtureRequest) -> LicenceStore:
    if request.param == "memory":
        return InMemoryStore()
    return FirestoreStore(request.getfixturevalue("firestore_client"))


def observe(store: LicenceStore, sub, at=T0):  # type: ignore[no-untyped-def]
    decide = partial(_decide, sub=sub, at=at)
    return record(store, sub.key, at, TZ, decide)


def _decide(context, *, sub, at):  # type: ignore[no-untyped-def]
    return record_observation(context, sub, at, TZ)


def test_a_recorded_licence_reads_back_equal(store: LicenceStore) -> None:
    change = observe(store, subscription(total=10, assigned=4))
    assert change is not None
    assert store.licences_for_domains(None) == {change.licence.key: change.licence}
    assert store.licences_of("C01") == [change.licence]
    assert store.daily_usage(change.licence.key) == [change.daily]
    assert store.audit_entries(change.licence.key) == list(change.audit)


def test_domain_prefix_selects_licences(store: LicenceStore) -> None:
    observe(store, subscription(customer_id="A", domain="alpha.example"))
    observe(store, subscription(customer_id="B", domain="beta.example"))
    observe(store, subscription(customer_id="B2", domain="bravo.example"))
    assert {k.customer_id for k in store.licences_for_domains("b")} == {"B", "B2"}
    assert {k.customer_id for k in store.licences_for_domains("al")} == {"A"}
    assert len(store.licences_for_domains(None)) == 3


def test_a_decision_of_nothing_writes_nothing(store: LicenceStore) -> None:
    observe(store, subscription())
    assert observe(store, subscription(), T0 + timedelta(minutes=1)) is None
    assert len(store.audit_entries(LicenceKey("C01", "1010020028"))) == 1


def test_daily_rollups_and_audit_entries_come_back_in_order(store: LicenceStore) -> None:
    key = LicenceKey("C01", "1010020028")
    for day, total in enumerate([10, 12, 15, 20]):
        observe(store, subscription(total=total), T0 + timedelta(days=day))
    # another licence whose ids share the prefix must not leak in
    observe(store, subscription(sku_id="10100200280"), T0)
    days = store.daily_usage(key)
    assert [d.day.isoformat() for d in days] == [
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
        "2026-11-05",
    ]
    entries = store.audit_entries(key)
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert verify_chain(entries) == []


def test_customers_round_trip(store: LicenceStore) -> None:
    store.save_customer(Customer("C2", "zeta.example", "Zeta Ltd", TZ))
    store.save_customer(Customer("C1", "alpha.example", "Alpha Ltd", "Asia/Tokyo"))
    assert [c.name for c in store.customers()] == ["Alpha Ltd", "Zeta Ltd"]
    assert store.customer("C1") == Customer("C1", "alpha.example", "Alpha Ltd", "Asia/Tokyo")
    assert store.customer("nope") is None


def test_customers_by_id_reads_only_those_asked_for(store: LicenceStore) -> None:
    for i, domain in enumerate(["zeta.example", "alpha.example", "mid.example"]):
        store.save_customer(Customer(f"C{i}", domain, domain, TZ))
    found = store.customers_by_id(["C0", "C1", "missing", "C1"])
    assert [c.customer_domain for c in found] == ["alpha.example", "zeta.example"]
    assert store.customers_by_id([]) == []


def test_customers_page_by_domain_then_id_with_a_stable_cursor(store: LicenceStore) -> None:
    domains = ["delta.example", "alpha.example", "bravo.example", "beta.example", "bravo.example"]
    for i, domain in enumerate(domains):
        store.save_customer(Customer(f"C{i}", domain, domain, TZ))
    first = store.customer_page(2, None)
    assert [c.customer_id for c in first.customers] == ["C1", "C3"]
    assert first.next_cursor is not None
    # a customer added before the cursor's place does not shift the next page
    store.save_customer(Customer("C9", "aaa.example", "aaa", TZ))
    second = store.customer_page(2, first.next_cursor)
    assert [c.customer_id for c in second.customers] == ["C2", "C4"]  # same domain: by id
    last = store.customer_page(2, second.next_cursor)
    assert [c.customer_id for c in last.customers] == ["C0"] and last.next_cursor is None
    whole = store.customer_page(6, None)
    assert len(whole.customers) == 6 and whole.next_cursor is None


def test_customers_page_by_domain_prefix(store: LicenceStore) -> None:
    for i, domain in enumerate(["beta.example", "bravo.example", "alpha.example", "b.io"]):
        store.save_customer(Customer(f"C{i}", domain, domain, TZ))
    page = store.customer_page(2, None, "br")
    assert [c.customer_domain for c in page.customers] == ["bravo.example"]
    assert page.next_cursor is None
    first = store.customer_page(2, None, "B")  # domains are lower case; so is the search
    assert [c.customer_domain for c in first.customers] == ["b.io", "beta.example"]
    rest = store.customer_page(2, first.next_cursor, "b")
    assert [c.customer_domain for c in rest.customers] == ["bravo.example"]
    assert store.customer_page(5, None, "zz").customers == []


@pytest.mark.parametrize("cursor", ["not a cursor", "bnVsbA", "WyJhIiwgMV0"])
def test_a_customer_cursor_that_is_not_one_is_refused(store: LicenceStore, cursor: str) -> None:
    with pytest.raises(BadCursor):
        store.customer_page(2, cursor)


def test_the_latest_sync_run_is_kept(store: LicenceStore) -> None:
    assert store.last_sync_run() is None
    store.record_sync_run(SyncRunRecord("r1", T0, T0, 3, 1, 1, 0, True))
    second = SyncRunRecord("r2", T0, T0 + timedelta(seconds=2), 3, 0, 1, 1, False)
    store.record_sync_run(second)
    assert store.last_sync_run() == second


def test_concurrent_observations_never_lose_or_duplicate_an_audit_entry(
    store: LicenceStore,
) -> None:
    """Four writers race on one licence. Under heavy contention a writer may give up after its
    retries (the caller sees the error and the next sync records it again); what must never
    happen is a lost or duplicated entry in the chain."""
    observe(store, subscription(total=10))
    errors: list[BaseException] = []
    written: list[int] = []

    def writer(total: int) -> None:
        try:
            if observe(store, subscription(total=total), T0 + timedelta(seconds=total)):
                written.append(total)
        except BaseException as error:  # surfaced below, not swallowed
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(11 + n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all("commit transaction" in str(e) or "Aborted" in type(e).__name__ for e in errors)
    entries = store.audit_entries(LicenceKey("C01", "1010020028"))
    assert verify_chain(entries) == []
    assert len({e.seq for e in entries}) == len(entries)
    # every writer that reported success is in the chain, in the order the chain took them
    assert sorted(written) == sorted(e.seats_after for e in entries[1:])
    assert written  # contention slows writers down; it does not stop them all


def test_the_freshness_heartbeat_merges_each_run_into_one_document(store: LicenceStore) -> None:
    from licence_manager.domain.freshness import CustomerProblem, ShardOutcome

    assert store.sync_heartbeat() is None
    later = T0 + timedelta(minutes=5)
    store.record_sync_run(
        SyncRunRecord("r1", T0, T0, 3, 1, 1, 0, True, 300, (ShardOutcome("a", T0, True),))
    )
    store.record_sync_run(
        SyncRunRecord(
            "r2",
            later,
            later,
            3,
            0,
            1,
            1,
            False,
            300,
            (
                ShardOutcome("", later, True, None, {"C9": "403 for this customer"}),
                ShardOutcome("a", later, False, "stopped early"),
            ),
        )
    )
    beat = store.sync_heartbeat()
    assert beat is not None and beat.interval_seconds == 300
    assert beat.shards["a"].checked_at == T0 and beat.shards["a"].error == "stopped early"
    assert beat.shards["a"].attempted_at == later
    assert beat.shards[""].checked_at == later
    assert beat.shards[""].customers == {"C9": CustomerProblem("403 for this customer", None)}
    run = store.last_sync_run()
    assert run is not None and run.run_id == "r2"


def test_the_heartbeat_keeps_the_skus_held_through_offline_orders(store: LicenceStore) -> None:
    from licence_manager.domain.freshness import ShardOutcome

    offline = {"C1": frozenset({"1010020025", "1010020027"})}
    outcome = ShardOutcome("", T0, True, offline_skus=offline)
    store.record_sync_run(SyncRunRecord("r1", T0, T0, 3, 1, 1, 0, True, 300, (outcome,)))
    beat = store.sync_heartbeat()
    assert beat is not None and beat.shards[""].offline_skus == offline
