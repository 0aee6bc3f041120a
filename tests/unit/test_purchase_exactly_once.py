"""Purchases (subscriptions.insert) go through apply_topup's claim, fresh read, compare-and-set
and record like every seat change: whatever the deliveries (duplicates, any order, attempts
dying before or after Google answered, leases running out), the SKU is bought at most once, and
exactly once when the request is recorded as applied."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.model import Customer, LicenceKey, Subscription
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.topup import RequestStatus, SeatCheck, compare_insert
from licence_manager.ports import SourceError
from licence_manager.services.purchases import RequestPurchase
from licence_manager.services.topup import ApplyTopUp, RetryLater
from licence_manager_local.demo_prices import seed_demo_prices
from tests.builders import T0, subscription
from tests.fakes.memory_automation import FakeSeatChanger, RecordingPublisher
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

KEY = LicenceKey("C01", "1010020025")
LEASE = timedelta(minutes=2)


class Crash(Exception):
    pass


class Seats(FakeSeatChanger):
    """The fake Reseller API with faults: die after the insert reached Google, lose the answer
    (the adapter's retry then meets 409), or let someone else buy the SKU first."""

    def __init__(self) -> None:
        super().__init__([subscription(sku_id="1010020028", subscription_id="s-std")])
        self.crash_after_insert = False
        self.lose_answer = False
        self.crash_on_read = False
        self.crash_before_insert = False

    def current(self, customer_id: str, sku_id: str) -> Subscription | None:
        if self.crash_on_read:
            self.crash_on_read = False
            raise Crash("died after claiming")
        return super().current(customer_id, sku_id)

    def insert(
        self, customer_id: str, sku_id: str, plan_name: str, seats: int, reference: str
    ) -> Subscription:
        if self.crash_before_insert:  # marked as sent, then died before Google heard of it
            self.crash_before_insert = False
            raise Crash("died before asking Google")
        bought = super().insert(customer_id, sku_id, plan_name, seats, reference)
        if self.lose_answer:
            self.lose_answer = False
            # the answer was lost; the adapter retried and Google said "already there"
            raise SourceError("duplicate", status=409, reason="duplicate")
        if self.crash_after_insert:
            self.crash_after_insert = False
            raise Crash("died after Google bought it")
        return bought


class World:
    def __init__(self) -> None:
        self.now = T0
        self.store = InMemoryApiStore()
        seed_demo_prices(self.store)
        self.store.save_customer(Customer("C01", "acme.example", "Acme", "Europe/London"))
        self.seats = Seats()
        self.publisher = RecordingPublisher()
        clock = lambda: self.now  # noqa: E731
        self.apply = ApplyTopUp(
            MemoryUnitOfWork(self.store), self.seats, self.publisher, clock, LEASE
        )
        uow = MemoryUnitOfWork(self.store)
        self.request = RequestPurchase(self.store, self.publisher, uow, clock=clock)(
            "C01", KEY.sku_id, "FLEXIBLE", 5, "alex@acme.example"
        )

    def deliver(self) -> str:
        try:
            self.apply(self.request.request_id)
            return "ok"
        except (Crash, RetryLater) as error:
            return type(error).__name__


def test_compare_insert() -> None:
    world = World()
    request = world.request
    assert compare_insert(request, None) is SeatCheck.CHANGE
    assert compare_insert(request, 5) is SeatCheck.SUPERSEDED  # someone else bought it
    sent = request.__class__(**{**_fields(request), "change_sent_at": T0})
    # without a purchase order id to go by, the change-sent marker decides
    assert compare_insert(sent, 5) is SeatCheck.ALREADY_APPLIED
    assert compare_insert(sent, 7) is SeatCheck.PROBABLY_APPLIED
    # with one, it says whose the subscription is, whatever its seats now
    assert compare_insert(sent, 7, request.request_id) is SeatCheck.ALREADY_APPLIED
    assert compare_insert(sent, 5, "someone else's order") is SeatCheck.SUPERSEDED


def _fields(request: object) -> dict[str, object]:
    return {name: getattr(request, name) for name in request.__slots__}  # type: ignore[attr-defined]


def test_a_purchase_is_bought_recorded_and_confirmed() -> None:
    world = World()
    assert world.deliver() == "ok"
    assert world.seats.inserts == [(KEY, 5)]
    done = world.store.request(world.request.request_id)
    assert done is not None and done.status is RequestStatus.APPLIED
    licence = next(lic for lic in world.store.licences_of("C01") if lic.key == KEY)
    assert (licence.usage.total, licence.usage.assigned, licence.time_zone) == (
        5,
        0,
        "Europe/London",
    )
    entries = world.store.audit_entries(KEY)
    assert [(e.action, e.source, e.actor) for e in entries] == [
        (AuditAction.TOP_UP_REQUESTED, Source.PURCHASE, "alex@acme.example"),
        (AuditAction.TOP_UP_APPLIED, Source.PURCHASE, "alex@acme.example"),
    ]
    (notification,) = world.store.notifications_of("C01")
    assert notification.type is NotificationType.PURCHASE_CONFIRMED
    assert world.publisher.notifications == [notification.notification_id]
    assert world.deliver() == "ok"  # a duplicate delivery buys nothing more
    assert world.seats.inserts == [(KEY, 5)]


def test_an_attempt_that_died_after_google_bought_it_is_recovered_not_bought_again() -> None:
    world = World()
    world.seats.crash_after_insert = True
    assert world.deliver() == "Crash"
    assert world.deliver() == "RetryLater"  # the dead attempt's claim is still live
    world.now += LEASE + timedelta(seconds=1)
    assert world.deliver() == "ok"
    assert world.seats.inserts == [(KEY, 5)]
    done = world.store.request(world.request.request_id)
    assert done is not None and done.status is RequestStatus.APPLIED and done.recovered


def test_a_lost_answer_is_recognised_as_our_own_purchase() -> None:
    world = World()
    world.seats.lose_answer = True
    assert world.deliver() == "ok"
    assert world.seats.inserts == [(KEY, 5)]
    done = world.store.request(world.request.request_id)
    assert done is not None and done.status is RequestStatus.APPLIED


def test_a_sku_someone_else_bought_meanwhile_is_not_bought_again() -> None:
    world = World()
    world.seats.insert("C01", KEY.sku_id, "FLEXIBLE", 8, "someone else")
    assert world.deliver() == "ok"
    assert world.seats.inserts == [(KEY, 8)]
    done = world.store.request(world.request.request_id)
    assert done is not None and done.status is RequestStatus.SUPERSEDED


def test_google_refusing_the_purchase_fails_it_with_an_alert() -> None:
    world = World()
    world.seats.subscriptions.clear()

    def refuse(*_args: object) -> Subscription:
        raise SourceError("Invalid planName", status=400, reason="invalid")

    world.seats.insert = refuse  # type: ignore[method-assign]
    assert world.deliver() == "ok"
    done = world.store.request(world.request.request_id)
    assert done is not None and done.status is RequestStatus.FAILED
    (notification,) = world.store.notifications_of("C01")
    assert notification.type is NotificationType.TOP_UP_FAILED
    assert notification.facts["skuName"] == "Google Workspace Business Plus"


steps = st.lists(
    st.sampled_from(
        [
            "deliver",
            "crash_on_read",
            "crash_before_insert",
            "crash_after_insert",
            "lose_answer",
            "wait",
        ]
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps, rival=st.booleans())
def test_a_purchase_is_bought_at_most_once_whatever_the_deliveries(
    steps: list[str], rival: bool
) -> None:
    world = World()
    for step in steps:
        if step == "deliver":
            world.deliver()
        elif step == "wait":
            world.now += LEASE + timedelta(seconds=1)
        else:
            setattr(world.seats, step, True)
    if rival and not world.seats.inserts:  # somebody else buys it, outside Licence Manager
        FakeSeatChanger.insert(world.seats, "C01", KEY.sku_id, "FLEXIBLE", 7, "someone else")
    # the cloud calms down: faults stop, leases expire, the message is delivered until done
    world.seats.crash_on_read = world.seats.crash_after_insert = False
    world.seats.crash_before_insert = False
    world.seats.lose_answer = False
    for _ in range(5):
        world.now += LEASE + timedelta(seconds=1)
        world.deliver()
    done = world.store.request(world.request.request_id)
    assert done is not None and done.status.final
    ours = [i for i in world.seats.inserts if i == (KEY, 5)]
    assert len(world.seats.inserts) == 1  # bought once in all, by us or the rival
    if done.status is RequestStatus.APPLIED:
        assert ours == [(KEY, 5)]
        licence = next(lic for lic in world.store.licences_of("C01") if lic.key == KEY)
        assert licence.usage.total == 5
    else:
        assert done.status is RequestStatus.SUPERSEDED and ours == []
    assert verify_chain(world.store.audit_entries(KEY)) == []
    confirmations = [n for n in world.store.notifications_of("C01") if n.key == KEY]
    assert len(confirmations) == (1 if done.status is RequestStatus.APPLIED else 0)
