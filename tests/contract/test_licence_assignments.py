"""One contract, two Licensing APIs for unassigns: the in-memory fake and the real adapter
(google-api-python-client against the simulator's Licensing routes) must agree on what
licenseAssignments.get and delete answer: held or not, deleted once, 404 for a seat not held,
412 for an auto-licensed one, 403 for a customer that switched reseller access off."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from licence_manager.adapters.licence_assignments import (
    LicensingAssignments,
    build_licensing_service,
)
from licence_manager.adapters.retry import RetryPolicy
from licence_manager.config import Settings
from licence_manager.ports import SourceError
from licence_manager.ports.holders import AdminApiAccessDenied, LicenceAssignments
from licence_manager_local.simulator import SimulatorControl, World, start_simulator
from tests.fakes.memory_licensing import FakeLicenceAssignments
from tests.integration.conftest import RecordedSleeps

STARTER, VAULT = "1010020027", "Google-Vault"
WORKSPACE, VAULT_PRODUCT = "Google-Apps", "Google-Vault"
ANN, BOB = "ann@open.example", "bob@open.example"
EVE = "eve@closed.example"


@dataclass
class Api:
    assignments: LicenceAssignments
    name: str


def build_fake() -> FakeLicenceAssignments:
    fake = FakeLicenceAssignments(auto_licensed={STARTER})
    fake.assign(WORKSPACE, STARTER, ANN, BOB)
    fake.assign(VAULT_PRODUCT, VAULT, ANN, EVE)
    fake.closed = {"closed.example"}
    return fake


@pytest.fixture(params=["fake", "licensing-simulator"])
def api(request: pytest.FixtureRequest) -> Iterator[Api]:
    if request.param == "fake":
        yield Api(build_fake(), "fake")
        return
    with start_simulator(World(seed=1), strict=True) as simulator:
        control = SimulatorControl(simulator.url)
        customer = control.add_customer("open.example", "Open", customer_id="C0open001")
        customer_id = customer["customerId"]
        control.add_subscription(customer_id, STARTER, "FLEXIBLE", 5)
        control.add_subscription(customer_id, VAULT, "FLEXIBLE", 5)
        for email in (ANN, BOB):
            control.add_user(customer_id, sku_id=STARTER, email=email)
        control.assign_licence(customer_id, VAULT, ANN)
        closed = control.add_customer("closed.example", "Closed", customer_id="C0closed1")
        control.add_subscription(closed["customerId"], STARTER, "FLEXIBLE", 2)
        control.add_subscription(closed["customerId"], VAULT, "FLEXIBLE", 2)
        control.add_user(closed["customerId"], sku_id=STARTER, email=EVE)
        control.assign_licence(closed["customerId"], VAULT, EVE)
        control.set_admin_api_access(closed["customerId"], "OFF")
        settings = Settings.from_env({"RESELLER_API_ENDPOINT": simulator.url})
        yield Api(
            LicensingAssignments(
                lambda: build_licensing_service(settings),
                RetryPolicy(max_attempts=3),
                RecordedSleeps(),
            ),
            "simulator",
        )


def test_a_held_add_on_is_held_and_one_not_held_is_not(api: Api) -> None:
    assert api.assignments.holds(VAULT_PRODUCT, VAULT, ANN)
    assert not api.assignments.holds(VAULT_PRODUCT, VAULT, BOB)  # Google's 404
    assert api.assignments.holds(WORKSPACE, STARTER, BOB)


def test_an_unassigned_seat_is_held_no_more_and_a_second_delete_is_a_404(api: Api) -> None:
    api.assignments.unassign(VAULT_PRODUCT, VAULT, ANN)

    assert not api.assignments.holds(VAULT_PRODUCT, VAULT, ANN)
    with pytest.raises(SourceError) as again:
        api.assignments.unassign(VAULT_PRODUCT, VAULT, ANN)
    assert again.value.status == 404
    assert not again.value.may_have_applied  # a definite answer: nothing may have landed
    assert api.assignments.holds(WORKSPACE, STARTER, ANN)  # her other licence stays


def test_an_auto_licensed_seat_is_refused_with_412_and_stays(api: Api) -> None:
    with pytest.raises(SourceError) as refused:
        api.assignments.unassign(WORKSPACE, STARTER, BOB)

    assert (refused.value.status, refused.value.reason) == (412, "conditionNotMet")
    assert not refused.value.may_have_applied
    assert api.assignments.holds(WORKSPACE, STARTER, BOB)


def test_a_customer_that_switched_access_off_is_refused_with_403(api: Api) -> None:
    for call in (
        lambda: api.assignments.holds(VAULT_PRODUCT, VAULT, EVE),
        lambda: api.assignments.unassign(VAULT_PRODUCT, VAULT, EVE),
    ):
        with pytest.raises(AdminApiAccessDenied) as denied:
            call()
        assert (denied.value.status, denied.value.reason) == (403, "domainCannotUseApis")
        assert denied.value.api == "licensing"
