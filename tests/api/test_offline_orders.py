"""A SKU the customer holds through an offline order is shown as held, never offered, and a
purchase of it is refused before anything reaches Google."""

from __future__ import annotations

from licence_manager.domain.freshness import ShardOutcome
from licence_manager.ports import SyncRunRecord
from tests.api.conftest import ACME, Api
from tests.builders import T0

BASE = f"/api/v1/customers/{ACME}"
PLUS = "1010020025"


def held_offline(api: Api, *sku_ids: str) -> None:
    outcome = ShardOutcome("", T0, True, offline_skus={ACME: frozenset(sku_ids)})
    api.store.record_sync_run(SyncRunRecord("r1", T0, T0, 1, 0, 1, 0, True, 300, (outcome,)))


def test_the_catalogue_marks_a_sku_held_offline_as_owned_and_why(api: Api) -> None:
    held_offline(api, PLUS)
    skus = {s["skuId"]: s for s in api.call("GET", f"{BASE}/catalogue").get_json()["skus"]}
    assert skus[PLUS]["owned"] is True and skus[PLUS]["heldOffline"] is True
    assert all(s["heldOffline"] is False for sku_id, s in skus.items() if sku_id != PLUS)


def test_buying_a_sku_held_offline_is_refused_and_nothing_is_requested(api: Api) -> None:
    held_offline(api, PLUS)
    response = api.call(
        "POST", f"{BASE}/purchases", json={"skuId": PLUS, "planName": "FLEXIBLE", "seats": 2}
    )
    assert response.status_code == 409, response.get_json()
    problem = response.get_json()
    assert "offline order" in problem["detail"] and "account manager" in problem["detail"]
    assert "Google Workspace Business Plus" in problem["detail"]
    assert problem["errors"]["skuId"] == problem["detail"]
    assert api.publisher.top_ups == []
