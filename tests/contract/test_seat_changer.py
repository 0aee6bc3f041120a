"""One contract, two seat changers: the in-memory fake and the real Reseller adapter
(google-api-python-client against the simulator) must agree on reading and changing seats.
The last tests pin down how the real adapter fails, which ApplyTopUp depends on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from licence_manager.adapters.memory_automation import FakeSeatChanger
from licence_manager.adapters.reseller import ResellerApi
from licence_manager.domain.topup import SeatCheck, compare_seats
from licence_manager.ports import SeatChanger, SourceError
from licence_manager_local.simulator import RunningSimulator, World, start_simulator
from tests.builders import T0, subscription
from tests.integration.conftest import RecordedSleeps, reseller_source

from ..builders import SKU_NAMES

CUSTOMER = "C0alpha01"
DOMAIN = "alpha.example"
FLEXIBLE_SKU, ANNUAL_SKU, OFFLINE_SKU, MISSING_SKU = (
    "1010020027",
    "1010020028",
    "1010020025",
    "1010020026",
)
# (SKU, plan, seats, users, billing)
ROWS = [
    (FLEXIBLE_SKU, "FLEXIBLE", 10, 4, "ONLINE"),
    (ANNUAL_SKU, "ANNUAL_YEARLY_PAY", 20, 18, "ONLINE"),
    (OFFLINE_SKU, "FLEXIBLE", 5, 1, "OFFLINE"),
]
CHANGE_SEATS = "subscriptions.changeSeats"


def build_fake() -> FakeSeatChanger:
    # The fake holds only what the API would let us touch: offline orders are left out.
    return FakeSeatChanger(
        [
            subscription(CUSTOMER, DOMAIN, sku, plan, seats, users, subscription_id=f"sub-{sku}")
            for sku, plan, seats, users, billing in ROWS
            if billing == "ONLINE"
        ]
    )


def build_world() -> World:
    world = World(seed=3)
    world.add_customer(DOMAIN, "Alpha Ltd", customer_id=CUSTOMER)
    for sku, plan, seats, users, billing in ROWS:
        world.add_subscription(CUSTOMER, sku, plan, seats, users=users, billing_method=billing)
    return world


def simulated(world: World) -> Iterator[RunningSimulator]:
    with start_simulator(world, strict=True) as simulator:
        yield simulator


@pytest.fixture(params=["fake", "reseller-simulator"])
def seats(request: pytest.FixtureRequest) -> Iterator[SeatChanger]:
    if request.param == "fake":
        yield build_fake()
        return
    for simulator in simulated(build_world()):
        yield reseller_source(simulator.url, RecordedSleeps())


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    yield from simulated(build_world())


def current(seats: SeatChanger, sku: str):  # type: ignore[no-untyped-def]
    found = seats.current(CUSTOMER, sku)
    assert found is not None
    return found


# the shared contract


def test_current_finds_the_subscription_by_sku(seats: SeatChanger) -> None:
    found = current(seats, FLEXIBLE_SKU)

    assert found.key == (CUSTOMER, FLEXIBLE_SKU) or (found.customer_id, found.sku_id) == (
        CUSTOMER,
        FLEXIBLE_SKU,
    )
    assert (found.customer_domain, found.sku_name) == (DOMAIN, SKU_NAMES[FLEXIBLE_SKU])
    assert (found.plan_name, found.status) == ("FLEXIBLE", "ACTIVE")
    assert (found.total_seats, found.licensed_number_of_seats) == (10, 4)
    annual = current(seats, ANNUAL_SKU)
    assert (annual.plan_name, annual.number_of_seats, annual.total_seats) == (
        "ANNUAL_YEARLY_PAY",
        20,
        20,
    )


def test_current_is_none_for_a_sku_the_customer_lacks(seats: SeatChanger) -> None:
    assert seats.current(CUSTOMER, MISSING_SKU) is None


def test_current_ignores_an_offline_subscription(seats: SeatChanger) -> None:
    assert seats.current(CUSTOMER, OFFLINE_SKU) is None


def test_a_flexible_change_sets_the_maximum_under_a_new_id(seats: SeatChanger) -> None:
    before = current(seats, FLEXIBLE_SKU)

    changed = seats.change_seats(before, 13)

    assert (changed.maximum_number_of_seats, changed.number_of_seats) == (13, None)
    assert changed.total_seats == 13
    assert changed.subscription_id != before.subscription_id
    assert changed.sku_id == FLEXIBLE_SKU
    assert current(seats, FLEXIBLE_SKU) == changed


def test_an_annual_change_sets_the_number_of_seats_under_a_new_id(seats: SeatChanger) -> None:
    before = current(seats, ANNUAL_SKU)

    changed = seats.change_seats(before, 25)

    assert (changed.number_of_seats, changed.maximum_number_of_seats) == (25, None)
    assert changed.total_seats == 25
    assert changed.subscription_id != before.subscription_id
    assert current(seats, ANNUAL_SKU) == changed


def test_the_old_subscription_id_is_not_found_after_a_change(seats: SeatChanger) -> None:
    before = current(seats, FLEXIBLE_SKU)
    seats.change_seats(before, 13)

    with pytest.raises(SourceError) as raised:
        seats.change_seats(before, 14)

    assert raised.value.status == 404
    assert current(seats, FLEXIBLE_SKU).total_seats == 13


def test_reducing_an_annual_plan_is_refused_with_400(seats: SeatChanger) -> None:
    before = current(seats, ANNUAL_SKU)

    with pytest.raises(SourceError) as raised:
        seats.change_seats(before, 19)

    assert raised.value.status == 400
    assert current(seats, ANNUAL_SKU) == before


# the real adapter's failures, which ApplyTopUp is built on


def test_a_503_on_change_seats_is_retried(simulator: RunningSimulator) -> None:
    sleeps = RecordedSleeps()
    api = reseller_source(simulator.url, sleeps)
    before = current(api, FLEXIBLE_SKU)
    simulator.faults.fail_next(503, method=CHANGE_SEATS)

    changed = api.change_seats(before, 13)

    assert changed.total_seats == 13
    assert len(sleeps) == 1
    assert simulator.stats.snapshot()[CHANGE_SEATS] == 2


def test_a_503_that_persists_is_a_source_error(simulator: RunningSimulator) -> None:
    sleeps = RecordedSleeps()
    api = reseller_source(simulator.url, sleeps)
    before = current(api, FLEXIBLE_SKU)
    simulator.faults.fail_next(503, count=5, method=CHANGE_SEATS)

    with pytest.raises(SourceError) as raised:
        api.change_seats(before, 13)

    assert raised.value.status == 503
    assert len(sleeps) == 4
    assert simulator.world.find_subscription(CUSTOMER, FLEXIBLE_SKU).seats == 10


def test_a_timed_out_change_that_happened_is_retried_into_a_404(
    simulator: RunningSimulator,
) -> None:
    """Google made the change but the answer never arrived: the adapter retries the timeout
    with the now stale subscription id and gets 404. ApplyTopUp (which marked the change sent
    first) reads again and finds the seats already at its target."""
    api = reseller_source(simulator.url, RecordedSleeps(), timeout=0.5)
    before = current(api, FLEXIBLE_SKU)
    simulator.faults.hang_next(3.0, method=CHANGE_SEATS)

    with pytest.raises(SourceError) as raised:
        api.change_seats(before, 13)

    assert raised.value.status == 404
    assert simulator.stats.snapshot()[CHANGE_SEATS] == 2
    after = current(api, FLEXIBLE_SKU)
    assert after.total_seats == 13
    assert after.subscription_id != before.subscription_id
    sent = _request_sent(total_before=10, total_after=13)
    assert compare_seats(sent, after.total_seats) is SeatCheck.ALREADY_APPLIED


def _request_sent(total_before: int, total_after: int):  # type: ignore[no-untyped-def]
    from licence_manager.domain.audit import Source
    from licence_manager.domain.model import LicenceKey
    from licence_manager.domain.topup import TopUpRequest

    return TopUpRequest(
        "r1",
        LicenceKey(CUSTOMER, FLEXIBLE_SKU),
        Source.AUTOMATIC,
        "automatic top-up",
        "FLEXIBLE",
        total_after - total_before,
        total_before,
        total_after,
        T0,
        change_sent_at=T0,
    )


def test_the_real_adapter_is_a_seat_changer() -> None:
    assert issubclass(ResellerApi, SeatChanger)
