"""GET /customers a page at a time (reseller ops page through the whole book, others through
their own customers), GET /me showing only the first page, and GET /customers/<id> for the one
in the address."""

from __future__ import annotations

import pytest

from licence_manager.domain.model import Customer
from licence_manager.domain.users import Role, User
from tests.api.conftest import ACME, ADMIN, GLOBEX, MANAGER, OPS, TZ, Api


def add_customers(api: Api, count: int) -> None:
    for i in range(count):
        api.store.save_customer(Customer(f"C9{i:03d}", f"book-{i:03d}.example", f"Book {i}", TZ))


def listed(api: Api, query: str, email: str = OPS) -> tuple[list[str], str | None]:
    body = api.call("GET", f"/api/v1/customers{query}", email).get_json()
    return [c["customerDomain"] for c in body["customers"]], body["nextCursor"]


def test_reseller_ops_page_through_every_customer_by_domain(api: Api) -> None:
    add_customers(api, 7)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        domains, cursor = listed(api, f"?limit=4{'&cursor=' + cursor if cursor else ''}")
        seen += domains
        pages += 1
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 9
    assert seen[:2] == ["acme.example", "book-000.example"]


def test_the_default_page_is_fifty_and_search_is_a_domain_prefix(api: Api) -> None:
    add_customers(api, 60)
    domains, cursor = listed(api, "")
    assert len(domains) == 50 and cursor is not None
    assert listed(api, "?q=GLOB") == (["globex.example"], None)
    domains, cursor = listed(api, "?q=book-05&limit=5")
    assert domains == [f"book-05{i}.example" for i in range(5)]
    rest, end = listed(api, f"?q=book-05&limit=5&cursor={cursor}")
    assert rest == [f"book-05{i}.example" for i in range(5, 10)] and end is None


def test_me_shows_the_first_page_and_where_the_rest_starts(api: Api) -> None:
    add_customers(api, 60)
    me = api.call("GET", "/api/v1/me", OPS).get_json()
    assert len(me["customers"]) == 50 and me["customersNextCursor"] is not None
    admin = api.call("GET", "/api/v1/me", ADMIN).get_json()
    assert [c["customerId"] for c in admin["customers"]] == [ACME]
    assert admin["customersNextCursor"] is None


def test_a_user_who_sees_a_few_customers_pages_through_their_own_only(api: Api) -> None:
    add_customers(api, 5)
    api.store.save_user(
        User(MANAGER, "Manager", Role.ACCOUNT_MANAGER, frozenset({ACME, GLOBEX, "C9003"}))
    )
    first, cursor = listed(api, "?limit=2", MANAGER)
    assert first == ["acme.example", "book-003.example"]
    assert listed(api, f"?limit=2&cursor={cursor}", MANAGER) == (["globex.example"], None)
    assert listed(api, "?q=b", ADMIN) == ([], None)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=ten", "limit"),
        ("?cursor=nonsense", "cursor"),
        ("?q=" + "a" * 254, "q"),
    ],
)
def test_bad_paging_is_a_400_naming_the_field(api: Api, query: str, field: str) -> None:
    response = api.call("GET", f"/api/v1/customers{query}", OPS)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_one_customer_by_id_as_the_user_may_see_it(api: Api) -> None:
    body = api.call("GET", f"/api/v1/customers/{GLOBEX}", OPS).get_json()
    assert body == {
        "customerId": GLOBEX,
        "customerDomain": "globex.example",
        "name": "Globex",
        "timeZone": TZ,
        "canChange": True,
    }
    assert api.call("GET", f"/api/v1/customers/{GLOBEX}", ADMIN).status_code == 404
    assert api.call("GET", "/api/v1/customers/nobody", OPS).status_code == 404
