"""One contract, two seat-holder sources: the in-memory fake and the real adapter
(google-api-python-client against the simulator's Licensing, Directory and Reports routes) must
agree on what a customer's users, assignments and activity look like. The simulator's world is
seeded through its control API with the same people; its clock stands still so that DAY is the
latest day the Reports API has data for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from licence_manager.adapters.retry import RetryPolicy
from licence_manager.adapters.workspace_users import WorkspaceUsers, build_workspace_services
from licence_manager.config import Settings
from licence_manager.domain.holders import DirectoryUser
from licence_manager.ports import SourceError
from licence_manager.ports.holders import AdminApiAccessDenied, SeatHolderSource
from licence_manager_local.simulator import SimulatorControl, World, start_simulator
from licence_manager_local.simulator.control_users import NEVER
from tests.fakes.memory_holders import FakeSeatHolderSource
from tests.integration.conftest import RecordedSleeps

# 2026-01-01 12:00 UTC, 04:00 Pacific: the simulated Reports API has data up to 2025-12-30.
SIMULATOR_NOW_MS = 1_767_225_600_000 + 12 * 3_600_000
DAY = date(2025, 12, 30)
LOGIN = datetime(2025, 12, 28, 8, 30, tzinfo=UTC)
SSO = datetime(2025, 12, 29, 17, 0, tzinfo=UTC)
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
    last_sso: datetime | None = None

    @property
    def directory_login(self) -> datetime | None:
        """The Directory's lastLoginTime: the latest sign-in of either kind (as the simulator
        models it; the Reports API tells the two apart)."""
        return max((t for t in (self.last_login, self.last_sso) if t), default=None)


OPEN = ("C0open001", "open.example")
CLOSED = ("C0closed1", "closed.example")  # switched reseller access to its Admin APIs off
PEOPLE = [
    Person("100001", "ann@open.example", (STARTER, VAULT), last_login=LOGIN, last_sso=SSO),
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
            last_login=p.directory_login,
        )
    domain.activity = dict(ACTIVITY)
    closed = fake.add_customer(*CLOSED)
    closed.denied = {"licensing", "directory", "reports"}
    return fake


def google_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z") if value else NEVER


@contextmanager
def simulator_source() -> Iterator[SeatHolderSource]:
    world = World(seed=1, clock=lambda: SIMULATOR_NOW_MS)
    with start_simulator(world, strict=True) as simulator:
        control = SimulatorControl(simulator.url)
        customer_id = control.add_customer(OPEN[1], "Open", customer_id=OPEN[0])["customerId"]
        control.add_subscription(customer_id, STARTER, "FLEXIBLE", len(PEOPLE) + len(CROWD))
        control.add_subscription(customer_id, VAULT, "FLEXIBLE", 5)
        for p in PEOPLE + CROWD:
            extra = {"lastSsoTime": google_time(p.last_sso)} if p.last_sso else {}
            control.add_user(
                customer_id,
                sku_id=STARTER if STARTER in p.skus else None,
                email=p.email,
                creation_time=google_time(CREATED),
                last_login=google_time(p.last_login),
                suspended=p.suspended,
                archived=p.archived,
                **extra,
            )
            for sku in set(p.skus) - {STARTER}:
                control.assign_licence(customer_id, sku, p.email)
        closed = control.add_customer(CLOSED[1], "Closed", customer_id=CLOSED[0])["customerId"]
        control.add_subscription(closed, STARTER, "FLEXIBLE", 2)
        control.add_user(closed, sku_id=STARTER, email="eve@closed.example")
        control.set_admin_api_access(closed, "OFF")
        settings = Settings.from_env({"RESELLER_API_ENDPOINT": simulator.url})
        yield WorkspaceUsers(
            lambda: build_workspace_services(settings),
            RetryPolicy(max_attempts=3),
            RecordedSleeps(),
        )


@pytest.fixture(params=["fake", "admin-apis-simulator"])
def source(request: pytest.FixtureRequest) -> Iterator[SeatHolderSource]:
    if request.param == "fake":
        yield build_fake()
        return
    with simulator_source() as real:
        yield real


def test_users_are_listed_whole_with_what_the_join_needs(source: SeatHolderSource) -> None:
    users = {u.email: u for u in source.users(OPEN[0])}
    assert len(users) == len(PEOPLE) + len(CROWD)  # every page followed
    ann = users["ann@open.example"]
    assert ann.user_id  # the Directory's own id (the simulator makes up its own)
    assert ann == DirectoryUser(ann.user_id, "ann@open.example", False, False, CREATED, SSO)
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
