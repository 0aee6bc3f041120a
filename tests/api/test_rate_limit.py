"""Security review #17: a per-user rate limit. A user past it gets 429 problem+json with
Retry-After before anything is read; other users are not affected; the bucket refills."""

from __future__ import annotations

from typing import Any

import pytest

from licence_manager import bootstrap
from licence_manager.api.rate_limit import RateLimit
from tests.api.conftest import ACME, ADMIN, OPS, Api


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_allows_a_burst_then_the_rate_and_says_how_long_to_wait() -> None:
    clock = Clock()
    limit = RateLimit(per_minute=60, burst=3, clock=clock)
    assert [limit.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limit.take("a") == pytest.approx(1.0)
    assert limit.take("b") == 0.0  # someone else's bucket is full
    clock.now += 0.5
    assert limit.take("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert limit.take("a") == 0.0
    clock.now += 3600
    assert [limit.take("a") for _ in range(4)][-1] > 0  # refilled to the burst, not beyond


def test_the_table_of_users_is_bounded() -> None:
    clock = Clock()
    limit = RateLimit(per_minute=60, burst=1, clock=clock, max_users=2)
    limit.take("a")
    limit.take("b")
    limit.take("c")  # "a", least recently seen, is forgotten: it starts again with a full bucket
    assert limit.take("a") == 0.0
    assert limit.take("c") > 0


def test_a_user_past_the_limit_gets_429_with_retry_after_and_nothing_is_read(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    api.app.config["RATE_LIMIT"] = RateLimit(per_minute=30, burst=2, clock=clock)
    path = f"/api/v1/customers/{ACME}/licences"
    assert api.call("GET", path, ADMIN).status_code == 200
    assert api.call("GET", path, ADMIN).status_code == 200
    reads: list[Any] = []
    store = api.app.config["STORE"]
    original = store.user_and_customer
    monkeypatch.setattr(store, "user_and_customer", lambda *a: reads.append(a) or original(*a))
    refused = api.call("GET", path, ADMIN)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2"
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["status"] == 429 and body["title"] == "Too Many Requests"
    assert "try again in 2 seconds" in body["detail"]
    assert reads == []  # refused before the user or the customer was read
    assert api.call("GET", path, OPS).status_code == 200  # another user is not held up
    clock.now += 2
    assert api.call("GET", path, ADMIN).status_code == 200


def test_production_builds_the_api_with_a_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p")
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")  # never contacted
    bootstrap.clear()
    limit = bootstrap.api_app().config["RATE_LIMIT"]
    assert isinstance(limit, RateLimit)


def test_the_429_is_documented_on_every_signed_in_operation(api: Api) -> None:
    from tests.api.test_openapi import check, document

    for path, item in document()["paths"].items():
        for method, op in item.items():
            if op.get("security") == []:
                assert "429" not in op["responses"], (method, path)
            else:
                assert "Retry-After" in op["responses"]["429"]["headers"], (method, path)
    api.app.config["RATE_LIMIT"] = RateLimit(per_minute=1, burst=1, clock=Clock())
    template = "/api/v1/customers/{customerId}/licences"
    path = f"/api/v1/customers/{ACME}/licences"
    assert check(api, "GET", path, template).status_code == 200
    assert check(api, "GET", path, template).status_code == 429
