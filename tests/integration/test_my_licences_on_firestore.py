"""My Licences on the Firestore emulator after a real sync from the Reseller simulator: the
licence list reads every row's settings and automation state in one round trip, and the sync's
heartbeat says the figures were just checked."""

from __future__ import annotations

from typing import Any

from bench.firestore_tools import counting_reads

from licence_manager import bootstrap
from licence_manager.domain.reclaim import ReclaimReason
from tests.integration.test_api_automation import SKU, api, simulator

__all__ = ["api", "simulator"]  # the fixtures, shared with the settings routes' tests


def test_the_licence_list_reads_settings_and_states_in_one_round_trip(api: Any) -> None:
    client, customer, _ = api
    with counting_reads() as counter:
        rows = client.get(f"/api/v1/customers/{customer}/licences").get_json()
    assert len(rows) == 2
    # queries: the licences and the price list; gets: the signed-in user with the customer, then
    # ONE batch for both rows' settings and automation state with the customer's discount and
    # the holder sync's insights (before: the user, the customer, the discount, then two gets
    # a row).
    assert counter.calls["run_query"] == 2, counter.calls
    assert counter.calls["batch_get_documents"] == 2, counter.calls
    # Documents: user + customer, 2 licences, 2 settings + 2 states + discount + insights (the
    # one read issue 13 added: 37 → 38 here), and the price list.
    prices = len(bootstrap.store().prices())
    assert counter.reads == 2 + 2 + 6 + prices, (counter.reads, prices)
    assert [row["reclaim"] for row in rows] == [None, None]  # the holder sync has not run


def test_reclaimable_seats_come_with_the_same_round_trips(api: Any) -> None:
    """With the holder sync's insights stored, every row carries its reclaimable seats, priced,
    and its run-out forecast, and My Licences still takes the same round trips and reads."""
    from datetime import date

    from tests.reclaim_seed import growing_forecast, holder_record, insights_of

    client, customer, _ = api
    store = bootstrap.store()
    reclaimable = [
        holder_record(customer, SKU, f"u{n}@acme.example", ReclaimReason.INACTIVE) for n in range(3)
    ]
    forecast = growing_forecast(40, 30, 0.2, date(2026, 12, 4))
    store.save_licence_insights(insights_of(customer, reclaimable, forecasts={SKU: forecast}))
    with counting_reads() as counter:
        rows = client.get(f"/api/v1/customers/{customer}/licences").get_json()
    assert counter.calls["batch_get_documents"] == 2 and counter.calls["run_query"] <= 2
    # The forecast and the renewal plan come from the same insights document: no more reads.
    prices = len(store.prices())
    assert counter.reads <= 2 + 2 + 6 + prices, (counter.reads, prices)
    row = next(r for r in rows if r["skuId"] == SKU)
    assert row["reclaim"]["status"] == "OK" and row["reclaim"]["count"] == 3
    per_seat = row["price"]["perSeatMonthlyMinor"]
    assert row["reclaim"]["monthlyCostMinor"] == 3 * per_seat
    other = next(r for r in rows if r["skuId"] != SKU)
    assert other["reclaim"]["count"] == 0
    assert row["forecast"]["words"] == forecast.words() and other["forecast"] is None


def test_my_licences_with_twenty_skus_takes_at_most_four_round_trips(api: Any) -> None:
    """Issue 12's target: ≤ 4 round trips however many SKUs (it was ~42, one after another),
    and 3 while the price list is cached; a changed discount shows at once."""
    from decimal import Decimal

    from bench.firestore_tools import batch_write

    from licence_manager.adapters import firestore_codec as codec
    from licence_manager.domain.observation import LicenceContext, record_observation
    from tests.builders import T0, subscription

    client, customer, _ = api
    store = bootstrap.store()
    writes = []
    for n in range(18):  # 20 SKUs with the two the sync wrote
        sub = subscription(customer_id=customer, sku_id=f"99{n:08d}", subscription_id=f"s{n}")
        change = record_observation(LicenceContext(), sub, T0, "UTC")
        assert change is not None
        writes.append(("licences", sub.key.doc_id, codec.licence_to_doc(change.licence)))
    batch_write(store._db, writes)
    path = f"/api/v1/customers/{customer}/licences"
    with counting_reads() as cold:
        rows = client.get(path).get_json()
    assert len(rows) == 20
    assert sum(cold.calls.values()) <= 4, cold.calls
    with counting_reads() as warm:
        client.get(path)
    assert sum(warm.calls.values()) <= 3, warm.calls  # the price list from the cache
    priced = next(r for r in rows if r["price"]["perSeatMonthlyMinor"])
    store.save_discount(customer, Decimal(50), "ops@reseller.example", T0)
    again = {r["skuId"]: r for r in client.get(path).get_json()}
    halved = again[priced["skuId"]]["price"]["perSeatMonthlyMinor"]
    assert halved == round(priced["price"]["perSeatMonthlyMinor"] / 2)


def test_the_sync_status_after_a_sync_is_fresh(api: Any) -> None:
    client, customer, _ = api
    body = client.get(f"/api/v1/customers/{customer}/sync-status").get_json()
    assert body["state"] == "fresh" and body["intervalSeconds"] == 300
    assert body["summary"].startswith("Checked with Google at ")
    assert body["summary"].endswith(", every 5 minutes.")


def test_a_customer_admin_signing_in_reads_their_customer_not_the_book(api: Any) -> None:
    """GET /me and GET /customers for a customer admin: the user and their customer by id, never
    every customer document (issue 12's target: at most 3 reads, whatever the book's size)."""
    from google.cloud import firestore

    from licence_manager import bootstrap
    from licence_manager.domain.model import Customer
    from licence_manager.domain.users import Role, User
    from tests.signin import bearer

    client, customer, _ = api
    store = bootstrap.store()
    for i in range(25):  # a book bigger than one user's share
        store.save_customer(Customer(f"C9{i:03d}", f"other-{i}.example", f"Other {i}", "UTC"))
    admin = "admin@one-customer.example"
    store.save_user(User(admin, "Admin", Role.CUSTOMER_ADMIN, frozenset({customer})))
    raw = client._client  # the Flask test client under SignedIn
    headers = bearer(raw, admin)
    assert isinstance(store._db, firestore.Client)
    for path in ("/api/v1/me", "/api/v1/customers"):
        with counting_reads() as counter:
            body = raw.get(path, headers=headers).get_json()
        shown = body["customers"]
        assert [c["customerId"] for c in shown] == [customer]
        assert counter.calls.get("run_query", 0) == 0, counter.calls
        assert sum(counter.calls.values()) <= 3, counter.calls


def test_reseller_ops_read_one_page_of_the_book_not_all_of_it(api: Any) -> None:
    """GET /me and GET /customers for reseller ops: one query of a page (+1 to know whether
    there is more) and the user, whatever the book's size."""
    from licence_manager import bootstrap
    from licence_manager.api.session_routes import ME_PAGE
    from licence_manager.domain.model import Customer

    client, _, _ = api
    store = bootstrap.store()
    for i in range(ME_PAGE + 30):
        store.save_customer(Customer(f"C8{i:03d}", f"book-{i:03d}.example", f"Book {i}", "UTC"))
    with counting_reads() as counter:
        me = client.get("/api/v1/me").get_json()
    assert len(me["customers"]) == ME_PAGE and me["customersNextCursor"]
    assert counter.reads <= ME_PAGE + 2 and sum(counter.calls.values()) == 2, counter.calls
    cursor = me["customersNextCursor"]
    with counting_reads() as counter:
        page = client.get(f"/api/v1/customers?limit=10&cursor={cursor}").get_json()
    assert len(page["customers"]) == 10 and page["nextCursor"]
    assert counter.reads <= 12 and sum(counter.calls.values()) == 2, counter.calls
    with counting_reads() as counter:
        found = client.get("/api/v1/customers?q=book-07").get_json()
    assert len(found["customers"]) == 10 and found["nextCursor"] is None
    assert counter.reads <= 12, counter.reads
