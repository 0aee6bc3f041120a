"""Google's business rules, as the real client sees them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from licence_manager_local.simulator import (
    RunningSimulator,
    World,
    error_body,
    generated_world,
    reseller_service,
    start_simulator,
)
from licence_manager_local.simulator.demo import (
    ENTERPRISE_ESSENTIALS,
    ENTERPRISE_PLUS,
    FRONTLINE_STARTER,
    PLUS,
    STANDARD,
    STARTER,
)

pytestmark = pytest.mark.timeout(30)


def _refused(call: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value.resp.status, error_body(caught.value)


def _change(service: Any, world: World, domain: str, sku: str, seats: dict[str, Any]) -> Any:
    sub = world.find_subscription(domain, sku)
    return service.subscriptions().changeSeats(
        customerId=sub.customer_id, subscriptionId=sub.subscription_id, body=seats
    )


# ----- paging -----


@pytest.fixture(scope="module")
def big_sim() -> Iterator[RunningSimulator]:
    with start_simulator(generated_world(300, seed=3, forbidden_customers=5)) as running:
        yield running


def test_paging_300_subscriptions_in_three_pages_each_once(big_sim: RunningSimulator) -> None:
    service = reseller_service(big_sim.url)
    ours = {c.customer_id for c in big_sim.world.customers() if c.ours}
    subs = big_sim.world.subscriptions()
    expected = {(s.customer_id, s.sku_id) for s in subs if s.customer_id in ours}
    assert len(expected) > 250
    seen: list[tuple[str, str]] = []
    pages, token = 0, None
    while True:
        page = service.subscriptions().list(maxResults=100, pageToken=token).execute()
        seen += [(s["customerId"], s["skuId"]) for s in page["subscriptions"]]
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            break
    assert pages == 3
    assert len(seen) == len(set(seen))
    assert set(seen) == expected


def test_paging_is_exact_while_the_world_changes(sim: RunningSimulator, service: Any) -> None:
    first = service.subscriptions().list(maxResults=4).execute()
    sim.world.drift(random.Random(1), probability=1.0)
    # A new customer sorting before the cursor must not shift later pages.
    sim.world.add_customer("aaa-first.example", "AAA")
    sim.world.add_subscription("aaa-first.example", STARTER, "FLEXIBLE", 5)
    rest: list[Any] = []
    token = first["nextPageToken"]
    while token:
        page = service.subscriptions().list(maxResults=4, pageToken=token).execute()
        rest += page["subscriptions"]
        token = page.get("nextPageToken")
    keys = [(s["customerDomain"], s["skuId"]) for s in first["subscriptions"] + rest]
    assert len(keys) == 11 == len(set(keys))


@pytest.mark.parametrize("max_results", [0, 101, -1])
def test_max_results_out_of_range_is_400(service: Any, max_results: int) -> None:
    status, error = _refused(service.subscriptions().list(maxResults=max_results))
    assert status == 400
    assert error["errors"][0]["reason"] == "invalid"
    assert error["status"] == "INVALID_ARGUMENT"
    assert "maxResults" in error["message"]


def test_max_results_bounds_are_allowed(service: Any) -> None:
    assert len(service.subscriptions().list(maxResults=1).execute()["subscriptions"]) == 1
    assert len(service.subscriptions().list(maxResults=100).execute()["subscriptions"]) == 11


@pytest.mark.parametrize("token", ["garbage", "eyJ2IjoxfQ", "%%%"])
def test_invalid_page_token_is_400(service: Any, token: str) -> None:
    status, error = _refused(service.subscriptions().list(pageToken=token))
    assert status == 400 and error["errors"][0]["reason"] == "invalid"


def test_page_token_from_another_query_is_400(service: Any) -> None:
    token = service.subscriptions().list(maxResults=2).execute()["nextPageToken"]
    status, _ = _refused(
        service.subscriptions().list(maxResults=2, pageToken=token, customerNamePrefix="n")
    )
    assert status == 400


# ----- filters and visibility -----


def test_customer_name_prefix_matches_as_documented(sim: RunningSimulator, service: Any) -> None:
    for domain in ("exam.com", "example20.com", "example.com", "examine.org", "other.com"):
        sim.world.add_customer(domain, domain)
        sim.world.add_subscription(domain, STARTER, "FLEXIBLE", 3)
    body = service.subscriptions().list(customerNamePrefix="exa").execute()
    domains = {s["customerDomain"] for s in body["subscriptions"]}
    assert domains == {"exam.com", "example20.com", "example.com", "examine.org"}
    body = service.subscriptions().list(customerNamePrefix="example").execute()
    assert {s["customerDomain"] for s in body["subscriptions"]} == {"example20.com", "example.com"}
    body = service.subscriptions().list(customerNamePrefix="zzz").execute()
    assert body["subscriptions"] == [] and "nextPageToken" not in body


def test_prefix_paging_stays_inside_the_prefix(service: Any) -> None:
    page = service.subscriptions().list(customerNamePrefix="n", maxResults=2).execute()
    rest = (
        service.subscriptions()
        .list(customerNamePrefix="n", maxResults=2, pageToken=page["nextPageToken"])
        .execute()
    )
    domains = {s["customerDomain"] for s in page["subscriptions"] + rest["subscriptions"]}
    assert domains == {"northwind.example"}
    assert "nextPageToken" not in rest


def test_forbidden_customer_is_403_everywhere_and_hidden(service: Any, world: World) -> None:
    hooli = world.find_subscription("hooli.example", PLUS)
    calls = [
        service.customers().get(customerId="hooli.example"),
        service.customers().get(customerId=hooli.customer_id),
        service.subscriptions().list(customerId="hooli.example"),
        service.subscriptions().get(
            customerId=hooli.customer_id, subscriptionId=hooli.subscription_id
        ),
        service.subscriptions().changeSeats(
            customerId=hooli.customer_id,
            subscriptionId=hooli.subscription_id,
            body={"numberOfSeats": 300},
        ),
        service.subscriptions().insert(
            customerId="hooli.example",
            body={
                "skuId": STARTER,
                "plan": {"planName": "FLEXIBLE"},
                "seats": {"maximumNumberOfSeats": 3},
            },
        ),
    ]
    for call in calls:
        status, error = _refused(call)
        assert status == 403
        assert error["errors"][0]["reason"] == "forbidden"
        assert error["status"] == "PERMISSION_DENIED"
    listed = service.subscriptions().list(maxResults=100).execute()["subscriptions"]
    assert "hooli.example" not in {s["customerDomain"] for s in listed}
    by_prefix = service.subscriptions().list(customerNamePrefix="hoo").execute()
    assert by_prefix["subscriptions"] == []
    assert world.find_subscription("hooli.example", PLUS).seats == 200


def test_unknown_customer_is_404(service: Any) -> None:
    for call in (
        service.customers().get(customerId="nobody.example"),
        service.subscriptions().list(customerId="C0nobody00"),
    ):
        status, error = _refused(call)
        assert status == 404 and error["errors"][0]["reason"] == "notFound"


def test_offline_subscriptions_are_listed_without_commitment(service: Any) -> None:
    listed = service.subscriptions().list(customerId="northwind.example").execute()
    offline = [s for s in listed["subscriptions"] if s["billingMethod"] == "OFFLINE"]
    assert [s["skuId"] for s in offline] == [FRONTLINE_STARTER]
    assert "commitmentInterval" not in offline[0]["plan"]
    assert {s["billingMethod"] for s in listed["subscriptions"]} == {"ONLINE", "OFFLINE"}


def test_suspended_subscription_is_listed_with_reason(service: Any) -> None:
    listed = service.subscriptions().list(customerId="globex.example").execute()
    suspended = [s for s in listed["subscriptions"] if s["status"] == "SUSPENDED"]
    assert len(suspended) == 1
    assert suspended[0]["suspensionReasons"] == ["RESELLER_INITIATED"]


# ----- seats -----


def test_annual_seats_cannot_be_reduced(service: Any, world: World) -> None:
    status, error = _refused(
        _change(service, world, "acme-widgets.example", STANDARD, {"numberOfSeats": 24})
    )
    assert status == 400 and error["errors"][0]["reason"] == "invalid"
    assert world.find_subscription("acme-widgets.example", STANDARD).seats == 25


def test_annual_needs_number_of_seats_not_maximum(service: Any, world: World) -> None:
    status, _ = _refused(
        _change(service, world, "acme-widgets.example", STANDARD, {"maximumNumberOfSeats": 40})
    )
    assert status == 400


def test_flexible_cannot_go_below_assigned(service: Any, world: World) -> None:
    sub = world.find_subscription("globex.example", ENTERPRISE_PLUS)  # 15 of 15 assigned
    status, error = _refused(
        _change(service, world, "globex.example", ENTERPRISE_PLUS, {"maximumNumberOfSeats": 14})
    )
    assert status == 400 and error["errors"][0]["reason"] == "invalid"
    body = _change(
        service, world, "globex.example", ENTERPRISE_PLUS, {"maximumNumberOfSeats": sub.licensed}
    ).execute()
    assert body["seats"]["maximumNumberOfSeats"] == 15


def test_flexible_may_shrink_down_to_assigned(service: Any, world: World) -> None:
    sub = world.find_subscription("northwind.example", STARTER)
    body = _change(
        service, world, "northwind.example", STARTER, {"maximumNumberOfSeats": sub.licensed}
    ).execute()
    assert body["seats"]["maximumNumberOfSeats"] == sub.licensed


def test_trial_is_capped_at_ten_seats(service: Any, world: World) -> None:
    status, error = _refused(
        _change(
            service,
            world,
            "acme-widgets.example",
            ENTERPRISE_ESSENTIALS,
            {"maximumNumberOfSeats": 11},
        )
    )
    assert status == 400 and "10" in error["message"]
    status, _ = _refused(
        service.subscriptions().insert(
            customerId="initech.example",
            body={
                "skuId": PLUS,
                "plan": {"planName": "TRIAL"},
                "seats": {"maximumNumberOfSeats": 11},
            },
        )
    )
    assert status == 400


def test_licensed_number_of_seats_in_a_request_is_ignored(service: Any, world: World) -> None:
    before = world.find_subscription("acme-widgets.example", STARTER).licensed
    body = _change(
        service,
        world,
        "acme-widgets.example",
        STARTER,
        {"maximumNumberOfSeats": 20, "licensedNumberOfSeats": 1},
    ).execute()
    assert body["seats"]["licensedNumberOfSeats"] == before


def test_annual_monthly_pay_is_reported_as_annual(service: Any) -> None:
    listed = service.subscriptions().list(maxResults=100).execute()["subscriptions"]
    plans = {s["plan"]["planName"] for s in listed}
    assert "ANNUAL_MONTHLY_PAY" not in plans
    assert {"ANNUAL", "ANNUAL_YEARLY_PAY", "FLEXIBLE", "TRIAL"} <= plans
    for sub in listed:
        annual = sub["plan"]["planName"] in ("ANNUAL", "ANNUAL_YEARLY_PAY")
        assert sub["plan"]["isCommitmentPlan"] is annual
        assert ("numberOfSeats" in sub["seats"]) is annual
        assert ("maximumNumberOfSeats" in sub["seats"]) is not annual


def test_subscription_id_changes_on_update_and_old_id_is_404(service: Any, world: World) -> None:
    old = world.find_subscription("acme-widgets.example", STANDARD)
    body = _change(
        service, world, "acme-widgets.example", STANDARD, {"numberOfSeats": 26}
    ).execute()
    assert body["subscriptionId"] != old.subscription_id
    status, error = _refused(
        service.subscriptions().get(customerId=old.customer_id, subscriptionId=old.subscription_id)
    )
    assert status == 404 and error["errors"][0]["reason"] == "notFound"
    fresh = (
        service.subscriptions()
        .get(customerId=old.customer_id, subscriptionId=body["subscriptionId"])
        .execute()
    )
    assert fresh["seats"]["numberOfSeats"] == 26
    # A retry that still uses the old id cannot apply twice.
    status, _ = _refused(
        service.subscriptions().changeSeats(
            customerId=old.customer_id,
            subscriptionId=old.subscription_id,
            body={"numberOfSeats": 27},
        )
    )
    assert status == 404


def test_subscription_of_another_customer_is_404(service: Any, world: World) -> None:
    other = world.find_subscription("globex.example", ENTERPRISE_PLUS)
    status, _ = _refused(
        service.subscriptions().get(
            customerId="acme-widgets.example", subscriptionId=other.subscription_id
        )
    )
    assert status == 404


def test_suspended_and_offline_subscriptions_refuse_seat_changes(
    service: Any, world: World
) -> None:
    for domain, sku in (("globex.example", STARTER), ("northwind.example", FRONTLINE_STARTER)):
        status, error = _refused(_change(service, world, domain, sku, {"maximumNumberOfSeats": 50}))
        assert status == 400
        assert error["status"] == "FAILED_PRECONDITION"


@pytest.mark.parametrize(
    "seats",
    [{"numberOfSeats": 0}, {"numberOfSeats": "many"}, {"numberOfSeats": 30, "bogus": 1}, {}],
)
def test_malformed_seats_body_is_400(service: Any, world: World, seats: dict[str, Any]) -> None:
    status, _ = _refused(_change(service, world, "acme-widgets.example", STANDARD, seats))
    assert status == 400


# ----- insert -----


def test_insert_duplicate_sku_is_409(service: Any) -> None:
    status, error = _refused(
        service.subscriptions().insert(
            customerId="acme-widgets.example",
            body={
                "skuId": STARTER,
                "plan": {"planName": "FLEXIBLE"},
                "seats": {"maximumNumberOfSeats": 3},
            },
        )
    )
    assert status == 409
    assert error["errors"][0]["reason"] == "duplicate"
    assert error["status"] == "ALREADY_EXISTS"


@pytest.mark.parametrize(
    "body",
    [
        {"skuId": "999", "plan": {"planName": "FLEXIBLE"}, "seats": {"maximumNumberOfSeats": 3}},
        {"skuId": PLUS, "plan": {"planName": "ANNUAL"}, "seats": {"numberOfSeats": 3}},
        {"skuId": PLUS, "plan": {"planName": "FLEXIBLE"}, "seats": {"numberOfSeats": 3}},
        {"skuId": PLUS, "plan": {"planName": "FLEXIBLE"}},
        {"skuId": PLUS, "seats": {"maximumNumberOfSeats": 3}},
        {
            "skuId": PLUS,
            "plan": {"planName": "FLEXIBLE"},
            "seats": {"maximumNumberOfSeats": 3},
            "color": "red",
        },
        {
            "customerId": "globex.example",
            "skuId": PLUS,
            "plan": {"planName": "FLEXIBLE"},
            "seats": {"maximumNumberOfSeats": 3},
        },
    ],
)
def test_insert_rejects_bad_bodies(service: Any, body: dict[str, Any]) -> None:
    status, error = _refused(
        service.subscriptions().insert(customerId="initech.example", body=body)
    )
    assert status == 400
    assert error["errors"][0]["reason"] in ("invalid", "parseError")
