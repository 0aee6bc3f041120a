"""The holder sync of one customer through the real client libraries (google-api-python-client
against the simulator's Licensing, Directory and Reports routes): reasons judged from what the
APIs answer, a rerun that writes nothing, and a customer switching access off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from licence_manager.adapters.retry import RetryPolicy
from licence_manager.adapters.workspace_users import WorkspaceUsers, build_workspace_services
from licence_manager.config import Settings
from licence_manager.domain.insights import HoldersStatus
from licence_manager.domain.model import Customer, Licence, LicenceKey, Usage
from licence_manager.services.holder_sync import HolderSyncOutcome, SyncCustomerHolders
from licence_manager_local.simulator import SimulatorControl, World, start_simulator
from tests.fakes.memory import InMemoryLicenceStore
from tests.fakes.memory_holders import InMemoryHolderStore
from tests.integration.conftest import RecordedSleeps

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # the simulator's clock stands still here
STARTER, VAULT = "1010020027", "Google-Vault"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Setup:
    def __init__(self, control: SimulatorControl, url: str) -> None:
        self.control = control
        customer = control.add_customer("acme.example", "Acme", customer_id="C0acme001")
        self.customer_id = customer["customerId"]
        control.add_subscription(self.customer_id, STARTER, "FLEXIBLE", 10)
        control.add_subscription(self.customer_id, VAULT, "FLEXIBLE", 2)
        long_ago = stamp(NOW - timedelta(days=400))
        for email, login, more in [
            ("ann@acme.example", NOW - timedelta(days=3), {}),
            ("bob@acme.example", NOW - timedelta(days=4), {"suspended": True}),
            ("cat@acme.example", None, {}),
            ("dan@acme.example", NOW - timedelta(days=100), {}),
        ]:
            control.add_user(
                self.customer_id,
                sku_id=STARTER,
                email=email,
                creation_time=long_ago,
                last_login=stamp(login) if login else "1970-01-01T00:00:00.000Z",
                **more,
            )
        control.assign_licence(self.customer_id, VAULT, "ann@acme.example")
        self.licences = InMemoryLicenceStore()
        self.licences.save_customer(Customer(self.customer_id, "acme.example", "Acme", "UTC"))
        for sku in (STARTER, VAULT):
            key = LicenceKey(self.customer_id, sku)
            usage = Usage(sku, "FLEXIBLE", "s", "ACTIVE", 10, 4)
            self.licences.licences[key] = Licence(key, "acme.example", usage, "UTC", NOW)
        self.store = InMemoryHolderStore()
        settings = Settings.from_env({"RESELLER_API_ENDPOINT": url})
        source = WorkspaceUsers(
            lambda: build_workspace_services(settings),
            RetryPolicy(max_attempts=3),
            RecordedSleeps(),
        )
        self.sync = SyncCustomerHolders(source, self.store, self.licences, clock=lambda: NOW)


@pytest.fixture
def setup() -> Iterator[Setup]:
    world = World(seed=3, clock=lambda: int(NOW.timestamp() * 1000))
    with start_simulator(world, strict=True) as simulator:
        yield Setup(SimulatorControl(simulator.url), simulator.url)


def test_holders_judged_from_the_real_apis_and_a_rerun_writes_nothing(setup: Setup) -> None:
    done = setup.sync(setup.customer_id)
    assert done.outcome is HolderSyncOutcome.SYNCED and done.activity
    assert done.api_calls == 4  # two products, one users.list, one usage report
    reasons = {(r.email, r.sku_id): r.reclaim_reason for r in setup.store.holders.values()}
    assert reasons == {
        ("ann@acme.example", STARTER): "",
        ("ann@acme.example", VAULT): "",
        ("bob@acme.example", STARTER): "SUSPENDED",
        ("cat@acme.example", STARTER): "NEVER_SIGNED_IN",
        ("dan@acme.example", STARTER): "INACTIVE",
    }
    assert all(r.user_id for r in setup.store.holders.values())
    insights = setup.store.insights(setup.customer_id)
    assert insights is not None and insights.reclaimable(STARTER) == 3
    assert setup.sync(setup.customer_id).written == 0


def test_access_switched_off_keeps_the_holders(setup: Setup) -> None:
    setup.sync(setup.customer_id)
    kept = dict(setup.store.holders)
    setup.control.set_admin_api_access(setup.customer_id, "OFF")
    done = setup.sync(setup.customer_id)
    assert done.outcome is HolderSyncOutcome.NO_ACCESS
    assert setup.store.holders == kept
    insights = setup.store.insights(setup.customer_id)
    assert insights is not None and insights.holders_status is HoldersStatus.NO_ACCESS
