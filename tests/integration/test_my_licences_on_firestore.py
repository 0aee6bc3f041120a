"""My Licences on the Firestore emulator after a real sync from the Reseller simulator: the
licence list reads every row's settings and automation state in one round trip, and the sync's
heartbeat says the figures were just checked."""

from __future__ import annotations

from typing import Any

from bench.firestore_tools import counting_reads

from tests.integration.test_api_automation import api, simulator

__all__ = ["api", "simulator"]  # the fixtures, shared with the settings routes' tests


def test_the_licence_list_reads_settings_and_states_in_one_round_trip(api: Any) -> None:
    client, customer, _ = api
    with counting_reads() as counter:
        rows = client.get(f"/api/v1/customers/{customer}/licences").get_json()
    assert len(rows) == 2
    # queries: the licences and the price list; gets: the signed-in user, the customer, the
    # customer's discount, then ONE batch for both rows' settings and automation state (before:
    # two gets a row). Fewer is issue 12's (the price list and discount could be cached).
    assert counter.calls["run_query"] == 2, counter.calls
    assert counter.calls["batch_get_documents"] == 4, counter.calls


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
