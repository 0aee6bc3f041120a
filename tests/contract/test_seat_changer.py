"""One contract, two seat changers: the in-memory fake and the real Reseller adapter
(google-api-python-client against the simulator) must agree on reading and changing seats.
The tests after the shared ones pin down how the real adapter fails: ApplyTopUp is built on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from licence_manager.domain.audit import Source
from licence_manager.domain.model import LicenceKey, Subscription
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import RequestStatus, TopUpRequest
from licence_manager.ports import SeatChanger, SourceError
from licence_manager.services.settings import save_settings
from licence_manager.services.topup import ApplyTopUp
from licence_manager_local.simulator import RunningSimulator, World, start_simulator
from tests.builders import SKU_NAMES, T0, subscription
from tests.fakes.memory_automation import (
    FakeSeatChanger,
    InMemoryStore,
    RecordingPublisher,
)
from tests.fakes.unit_of_work import MemoryUnitOfWork
from tests.integration.conftest import RecordedSleeps, reseller_source

CUSTOMER = "C0alpha01"
DOMAIN = "alpha.example"
FLEXIBLE_SKU = "1010020027"
ANNUAL_SKU = "1010020028"
OFFLINE_SKU = "1010020025"
MISSING_SKU = "1010020026"
# (SKU, plan, seats, users, billing)
ROWS = [
    (FLEXIBLE_SKU, "FLEXIBLE", 10, 4, "ONLINE"),
    (ANNUAL_SKU, "ANNUAL_YEARLY_PAY", 20, 18, "ONLINE"),
    (OFFLINE_SKU, "FLEXIBLE", 5, 1, "OFFLINE"),
]
CHANGE_SEATS = "subscriptions.changeSeats"  # the simulator's method id, as in discovery


def build_fake() -> FakeSeatChanger:
    # The fake holds what the API lets us touch: an offline order is simply not there.
    return FakeSeatChanger(
        [
            subscription(
                CUSTOMER,
                DOMAIN,
                sku,
                plan,
                seats,
                users,
                subscription_id=f"sub-{sku}",
                # Google's default for an active annual plan (google-apis.md §3.2)
                renewal_type="RENEW_CURRENT_USERS_YEARLY_PAY" if plan.startswith("ANNUAL") else "",
            )
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


@pytest.fixture(params=["fake", "reseller-simulator"])
def seats(request: pytest.FixtureRequest) -> Iterator[SeatChanger]:
    if request.param == "fake":
        yield build_fake()
        return
    with start_simulator(build_world(), strict=True) as running:
        yield reseller_source(running.url, RecordedSleeps())


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    with start_simulator(build_world(), strict=True) as running:
        yield running


def current(seats: SeatChanger, sku: str) -> Subscription:
    found = seats.current(CUSTOMER, sku)
    assert found is not None
    return found


def top_up_request(total_before: int, total_after: int) -> TopUpRequest:
    return TopUpRequest(
        request_id="r1",
        key=LicenceKey(CUSTOMER, FLEXIBLE_SKU),
        source=Source.AUTOMATIC,
        requested_by="automatic top-up",
        plan_name="FLEXIBLE",
        seats_to_add=total_after - total_before,
        total_before=total_before,
        total_after=total_after,
        created_at=T0,
    )


# the shared contract


@pytest.mark.parametrize(
    ("plan", "field"),
    [("FLEXIBLE", "maximum_number_of_seats"), ("ANNUAL_MONTHLY_PAY", "number_of_seats")],
)
def test_insert_buys_a_sku_the_customer_does_not_have(
    seats: SeatChanger, plan: str, field: str
) -> None:
    bought = seats.insert(CUSTOMER, MISSING_SKU, plan, 7, "C0alpha01_1010020026-purchase-1")
    assert bought.key == LicenceKey(CUSTOMER, MISSING_SKU)
    assert (bought.total_seats, bought.licensed_number_of_seats, bought.status) == (7, 0, "ACTIVE")
    assert getattr(bought, field) == 7
    assert bought.purchase_order_id == "C0alpha01_1010020026-purchase-1"
    assert bought.customer_domain == DOMAIN
    again = current(seats, MISSING_SKU)
    assert (again.total_seats, again.purchase_order_id) == (7, bought.purchase_order_id)


def test_insert_refuses_a_sku_the_customer_has_and_a_trial_over_ten_seats(
    seats: SeatChanger,
) -> None:
    with pytest.raises(SourceError) as duplicate:
        seats.insert(CUSTOMER, FLEXIBLE_SKU, "FLEXIBLE", 3, "r-dup")
    assert duplicate.value.status == 409
    with pytest.raises(SourceError) as trial:
        seats.insert(CUSTOMER, MISSING_SKU, "TRIAL", 11, "r-trial")
    assert trial.value.status == 400
    assert seats.current(CUSTOMER, MISSING_SKU) is None


def test_current_finds_the_subscription_by_sku(seats: SeatChanger) -> None:
    flexible = current(seats, FLEXIBLE_SKU)
    assert flexible.key == LicenceKey(CUSTOMER, FLEXIBLE_SKU)
    assert (flexible.customer_domain, flexible.sku_name) == (DOMAIN, SKU_NAMES[FLEXIBLE_SKU])
    assert (flexible.plan_name, flexible.status) == ("FLEXIBLE", "ACTIVE")
    assert (flexible.maximum_number_of_seats, flexible.licensed_number_of_seats) == (10, 4)

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


def test_a_renewal_change_sets_the_type_under_a_new_id_and_no_seat_moves(
    seats: SeatChanger,
) -> None:
    before = current(seats, ANNUAL_SKU)
    assert before.renewal_type == "RENEW_CURRENT_USERS_YEARLY_PAY"

    changed = seats.change_renewal(before, "AUTO_RENEW_YEARLY_PAY")

    assert changed.renewal_type == "AUTO_RENEW_YEARLY_PAY"
    assert changed.subscription_id != before.subscription_id
    assert (changed.total_seats, changed.licensed_number_of_seats) == (20, 18)
    assert current(seats, ANNUAL_SKU) == changed


def test_setting_the_same_renewal_type_again_is_harmless(seats: SeatChanger) -> None:
    first = seats.change_renewal(current(seats, ANNUAL_SKU), "CANCEL")
    again = seats.change_renewal(first, "CANCEL")
    assert again.renewal_type == "CANCEL"
    assert again.total_seats == first.total_seats


def test_a_renewal_change_on_a_flexible_plan_is_refused_with_400(seats: SeatChanger) -> None:
    before = current(seats, FLEXIBLE_SKU)

    with pytest.raises(SourceError) as raised:
        seats.change_renewal(before, "AUTO_RENEW_MONTHLY_PAY")

    assert raised.value.status == 400
    assert not raised.value.may_have_applied
    assert current(seats, FLEXIBLE_SKU) == before


def test_a_renewal_change_with_an_old_id_is_404(seats: SeatChanger) -> None:
    before = current(seats, ANNUAL_SKU)
    seats.change_renewal(before, "CANCEL")

    with pytest.raises(SourceError) as raised:
        seats.change_renewal(before, "AUTO_RENEW_YEARLY_PAY")

    assert raised.value.status == 404
    assert current(seats, ANNUAL_SKU).renewal_type == "CANCEL"


# the real adapter only


def test_a_503_on_change_seats_is_retried(simulator: RunningSimulator) -> None:
    sleeps = RecordedSleeps()
    api = reseller_source(simulator.url, sleeps)
    before = current(api, FLEXIBLE_SKU)
    simulator.faults.fail_next(503, method=CHANGE_SEATS)

    changed = api.change_seats(before, 13)

    assert changed.total_seats == 13
    assert len(sleeps) == 1
    assert simulator.stats.snapshot()[CHANGE_SEATS] == 2


def test_a_503_that_outlasts_the_retries_is_a_source_error(simulator: RunningSimulator) -> None:
    sleeps = RecordedSleeps()
    api = reseller_source(simulator.url, sleeps)  # five attempts in all
    before = current(api, FLEXIBLE_SKU)
    simulator.faults.fail_next(503, count=5, method=CHANGE_SEATS)

    with pytest.raises(SourceError) as raised:
        api.change_seats(before, 13)

    assert raised.value.status == 503
    assert len(sleeps) == 4
    assert simulator.world.find_subscription(CUSTOMER, FLEXIBLE_SKU).seats == 10


def test_a_change_that_timed_out_after_it_happened_is_retried_into_a_404(
    simulator: RunningSimulator,
) -> None:
    """Google made the change but its answer came too late: the adapter retries the timeout
    with the subscription id the change retired, and Google answers 404. Not a SourceError
    without a status, and not a silent success: the caller cannot tell it from a stale id."""
    api = reseller_source(simulator.url, RecordedSleeps(), timeout=1.0)
    before = current(api, FLEXIBLE_SKU)
    simulator.faults.hang_next(4.0, method=CHANGE_SEATS)

    with pytest.raises(SourceError) as raised:
        api.change_seats(before, 13)

    assert raised.value.status == 404
    assert simulator.stats.snapshot()[CHANGE_SEATS] == 2
    assert current(api, FLEXIBLE_SKU).total_seats == 13  # it did happen


def test_apply_top_up_reads_again_after_that_404_and_buys_once(
    simulator: RunningSimulator,
) -> None:
    api = reseller_source(simulator.url, RecordedSleeps(), timeout=1.0)
    store = InMemoryStore()
    key = LicenceKey(CUSTOMER, FLEXIBLE_SKU)
    now = datetime.now(UTC)  # the adapter checks the attempt's lease against the real clock
    uow = MemoryUnitOfWork(store)
    save_settings(uow, key, LicenceSettings(auto_top_up=True, max_total_seats=100), "test", now)
    store.create_request(replace(top_up_request(total_before=10, total_after=13), created_at=now))
    apply = ApplyTopUp(uow, api, RecordingPublisher(), clock=lambda: now)
    simulator.faults.hang_next(4.0, method=CHANGE_SEATS)

    outcome = apply("r1")

    assert outcome is not None
    assert (outcome.request.status, outcome.request.recovered) == (RequestStatus.APPLIED, True)
    assert simulator.world.find_subscription(CUSTOMER, FLEXIBLE_SKU).seats == 13
    assert simulator.stats.snapshot()[CHANGE_SEATS] == 2  # the sent one and its retry: no more
