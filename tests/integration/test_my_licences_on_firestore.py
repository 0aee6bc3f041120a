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
