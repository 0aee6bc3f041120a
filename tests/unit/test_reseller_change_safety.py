"""The Reseller adapter's part in money safety, through the real google-api-python-client with
its HTTP answered by googleapiclient's own HttpMockSequence: it stops asking Google when the
attempt's lease is ending, says when an earlier try may have been applied, and refuses to guess
between two subscriptions of one SKU (review findings 1, 2 and item 13)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from googleapiclient.discovery import build_from_document
from googleapiclient.http import HttpMockSequence

from licence_manager.adapters.reseller import ResellerApi, subscription_from_api
from licence_manager.adapters.reseller_client import discovery_document
from licence_manager.adapters.retry import RetryPolicy
from licence_manager.ports import SourceError
from tests.builders import T0

CUSTOMER, SKU = "C01", "1010020028"


def item(subscription_id: str, status: str = "ACTIVE", seats: int = 10) -> dict[str, Any]:
    return {
        "kind": "reseller#subscription",
        "customerId": CUSTOMER,
        "customerDomain": "acme.example",
        "skuId": SKU,
        "skuName": "Google Workspace Business Standard",
        "plan": {"planName": "FLEXIBLE"},
        "subscriptionId": subscription_id,
        "status": status,
        "seats": {"kind": "subscriptions#seats", "maximumNumberOfSeats": seats},
    }


def api(*answers: tuple[int, Any]) -> tuple[ResellerApi, HttpMockSequence]:
    http = HttpMockSequence([({"status": str(code)}, json.dumps(body)) for code, body in answers])
    adapter = ResellerApi(
        lambda: build_from_document(discovery_document(), http=http),
        retry=RetryPolicy(max_attempts=3, initial_delay=0.0, max_delay=0.0),
        sleep=lambda _s: None,
        call_timeout_seconds=30,
        clock=lambda: T0,
    )
    return adapter, http


def error(code: int, reason: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": reason, "errors": [{"reason": reason}]}}


def test_no_try_starts_that_could_outlast_the_attempts_lease() -> None:
    adapter, http = api((200, item("s2", seats=13)))
    with pytest.raises(SourceError) as raised:
        adapter.change_seats(subscription_from_api(item("s1")), 13, T0 + timedelta(seconds=29))
    assert raised.value.reason == "leaseEnding"
    assert raised.value.may_have_applied is False
    assert len(http._iterable) == 1  # nothing was sent


def test_a_404_after_a_5xx_try_may_have_been_applied() -> None:
    adapter, _ = api((500, error(500, "backendError")), (404, error(404, "notFound")))
    with pytest.raises(SourceError) as raised:
        adapter.change_seats(subscription_from_api(item("s1")), 13, T0 + timedelta(minutes=5))
    assert (raised.value.status, raised.value.may_have_applied) == (404, True)


def test_a_404_on_the_only_try_was_certainly_not_applied() -> None:
    adapter, _ = api((404, error(404, "notFound")))
    with pytest.raises(SourceError) as raised:
        adapter.change_seats(subscription_from_api(item("s1")), 13, T0 + timedelta(minutes=5))
    assert (raised.value.status, raised.value.may_have_applied) == (404, False)


def test_a_429_first_is_a_refusal_not_an_unanswered_try() -> None:
    adapter, _ = api((429, error(429, "rateLimitExceeded")), (404, error(404, "notFound")))
    with pytest.raises(SourceError) as raised:
        adapter.change_seats(subscription_from_api(item("s1")), 13, T0 + timedelta(minutes=5))
    assert raised.value.may_have_applied is False


def test_current_prefers_the_one_active_subscription_of_a_sku() -> None:
    listing = {"subscriptions": [item("trial", status="SUSPENDED"), item("paid")]}
    adapter, _ = api((200, listing))
    found = adapter.current(CUSTOMER, SKU)
    assert found is not None and found.subscription_id == "paid"


def test_current_refuses_to_guess_between_two_active_subscriptions_of_a_sku() -> None:
    adapter, _ = api((200, {"subscriptions": [item("a"), item("b")]}))
    with pytest.raises(SourceError) as raised:
        adapter.current(CUSTOMER, SKU)
    assert raised.value.reason == "ambiguousSubscription"
