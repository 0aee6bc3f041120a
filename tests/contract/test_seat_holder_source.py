"""One contract, two seat-holder sources: the in-memory fake and the real adapter
(google-api-python-client against the simulator's Licensing, Directory and Reports routes) must
agree on what a customer's users, assignments and activity look like.

SIMULATOR HALF PENDING: the simulator's Admin API routes are being built on branch `sim`. Until
it is merged, `simulator_source` skips with that reason; once merged, seed SCENARIO into its
World there (users with these ids, emails, flags and times; the assignments; the activity on
DAY; access switched off for CLOSED) and the same assertions run against it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from licence_manager.domain.holders import DirectoryUser
from licence_manager.ports import SourceError
from licence_manager.ports.holders import AdminApiAccessDenied, SeatHolderSource
from tests.fakes.memory_holders import FakeSeatHolderSource

DAY = date(2026, 11, 17)
LOGIN = datetime(2026, 11, 16, 8, 30, tzinfo=UTC)
SSO = datetime(2026, 11, 16, 17, 0, tzinfo=UTC)
CREATED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
STARTER, VAULT = "1010020027", "Google-Vault"


@dataclass(frozen=True)
class Person:
    user_id: str
    email: str
    skus: tuple[str, ...]
    suspended: bool = False
    archived: bool = False
    last_login: datetime | None = None  # None: Google's 1970 "never"


OPEN = ("C0open001", "open.example")
CLOSED = ("C0closed1", "closed.example")  # switched reseller access to its Admin APIs off
PEOPLE = [
    Person("100001", "ann@open.example", (STARTER, VAULT), last_login=LOGIN),
    Person("100002", "bob@open.example", (STARTER,), suspended=True, last_login=LOGIN),
    Person("100003", "cat@open.example", (STARTER,)),  # never signed in
    Person("100004", "dan@open.example", (), archived=True, last_login=LOGIN),
]
# Enough to need several pages of users.list (500) and listForProduct (1000).
CROWD = [Person(f"2{n:05d}", f"user{n:04d}@open.example", (STARTER,)) for n in range(1100)]
# What the usage report says on DAY: ann's latest is her SSO; cat never signed in.
ACTIVITY = {"ann@open.example": SSO, "cat@open.example": None}


def build_fake() -> FakeSeatHolderSource:
    fake = FakeSeatHolderSource()
    domain = fake.add_customer(*OPEN)
    for p in PEOPLE + CROWD:
        domain.add_user(
            p.user_id,
            p.email,
            *p.skus,
            suspended=p.suspended,
            archived=p.archived,
            created_at=CREATED,
            last_login=p.last_login,
        )
    domain.activity = dict(ACTIVITY)
    closed = fake.add_customer(*CLOSED)
    closed.denied = {"licensing", "directory", "reports"}
    return fake


def simulator_source() -> SeatHolderSource:
    pytest.skip(
        "simulator half pending: the Licensing/Directory/Reports routes are on branch `sim`, "
        "not merged into `holders` yet"
    )


@pytest.fixture(params=["fake", "admin-apis-simulator"])
def source(request: pytest.FixtureRequest) -> Iterator[SeatHolderSource]:
    yield build_fake() if request.param == "fake" else simulator_source()


def test_users_are_listed_whole_with_what_the_join_needs(source: SeatHolderSource) -> None:
    users = {u.email: u for u in source.users(OPEN[0])}
    assert len(users) == len(PEOPLE) + len(CROWD)  # every page followed
    assert users["ann@open.example"] == DirectoryUser(
        "100001", "ann@open.example", False, False, CREATED, LOGIN
    )
    assert users["bob@open.example"].suspended
    assert users["dan@open.example"].archived
    # Google's 1970 value for "never" arrives as None.
    assert users["cat@open.example"].last_login is None


@pytest.mark.parametrize("customer", [OPEN[1], OPEN[0]])
def test_assignments_of_a_product_by_domain_or_id(source: SeatHolderSource, customer: str) -> None:
    workspace = source.assignments(customer, "Google-Apps")
    assert len(workspace) == 3 + len(CROWD)
    assert {(a.email, a.sku_id) for a in workspace if not a.email.startswith("user")} == {
        ("ann@open.example", STARTER),
        ("bob@open.example", STARTER),
        ("cat@open.example", STARTER),
    }
    assert {a.product_id for a in workspace} == {"Google-Apps"}
    vault = source.assignments(customer, "Google-Vault")
    assert [(a.email, a.sku_id) for a in vault] == [("ann@open.example", VAULT)]


def test_activity_is_the_latest_login_or_sso_of_the_day_asked(source: SeatHolderSource) -> None:
    report = source.activity(OPEN[0], DAY)
    assert report.as_of == DAY
    assert report.last_activity["ann@open.example"] == SSO
    assert report.last_activity["cat@open.example"] is None


@pytest.mark.parametrize("method", ["users", "assignments", "activity"])
def test_a_customer_that_switched_access_off_is_refused_by_each_api(
    source: SeatHolderSource, method: str
) -> None:
    calls = {
        "users": lambda: source.users(CLOSED[0]),
        "assignments": lambda: source.assignments(CLOSED[1], "Google-Apps"),
        "activity": lambda: source.activity(CLOSED[0], DAY),
    }
    with pytest.raises(AdminApiAccessDenied) as denied:
        calls[method]()
    assert denied.value.status == 403
    assert denied.value.reason == "domainCannotUseApis"
    assert denied.value.api == {"users": "directory", "assignments": "licensing"}.get(
        method, "reports"
    )
    assert isinstance(denied.value, SourceError)
