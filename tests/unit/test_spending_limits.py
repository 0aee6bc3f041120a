"""Security review #11 (issue 10 item 11): manual additions and purchases above a customer's
spending limit wait for reseller ops' approval, and buy nothing unless approved."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from licence_manager.domain import spending
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.automation import month_of
from licence_manager.domain.model import Customer, LicenceKey
from licence_manager.domain.notifications import NotificationType, Recipient
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import RequestStatus, TopUpRequest
from licence_manager.services.additions import RequestAddition
from licence_manager.services.alerts import SendNotification
from licence_manager.services.approvals import DecideApproval, NotAwaitingApproval
from licence_manager.services.purchases import PurchaseRefused, RequestPurchase
from licence_manager.services.spending import set_spending_limit, spending_limit
from licence_manager.services.sweeper import SweepRequests
from licence_manager_local.demo_prices import seed_demo_prices
from tests.automation_harness import LEASE, BusPublisher, Stack, flexible
from tests.builders import T0
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.memory_prices import InMemoryPriceList
from tests.fakes.unit_of_work import MemoryUnitOfWork
from tests.pricing import DEMO_PRICE_OF

OPS = "ops@reseller.example"
SKU_NAME = "Google Workspace Business Standard"
ADMIN = "admin@acme.example"


@pytest.fixture(autouse=True)
def quiet() -> Iterator[None]:
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


class World:
    """The in-memory stack with the dashboard's addition service and the ops' decisions."""

    def __init__(self) -> None:
        self.stack = Stack(flexible(total=10, assigned=5), LicenceSettings())  # top-ups off
        stack = self.stack
        clock = lambda: stack.now  # noqa: E731
        publisher = BusPublisher(stack.bus, stack.faults, "dashboard:before_publish")
        prices = InMemoryPriceList()
        seed_demo_prices(prices)
        self.add = RequestAddition(stack.store, publisher, stack.uow, clock, prices=prices)  # type: ignore[arg-type]
        self.decide = DecideApproval(stack.uow, publisher, clock)
        self.sweep = SweepRequests(
            stack.uow, stack.store, stack.store, publisher, clock=clock, lease=LEASE
        )
        self.send = SendNotification(
            stack.store, stack.uow, stack.mailer, "", clock, LEASE, reseller_ops_email=OPS
        )

    def pending(self, kind: str) -> list[str]:
        return [m.ref for m in self.stack.bus.pending if m.kind == kind]

    def request(self, request_id: str) -> TopUpRequest:
        found = self.stack.store.request(request_id)
        assert found is not None
        return found

    def deliver_all(self) -> None:
        stack = self.stack
        while stack.bus.pending:
            message = stack.bus.pending.pop(0)
            if message.kind == "top_up":
                stack.apply(message.ref)
            elif message.kind == "notification":
                self.send(message.ref)
            else:
                stack.evaluate(stack.key)


@pytest.fixture
def world() -> World:
    w = World()
    w.stack.bus.pending.clear()
    return w


def test_an_addition_within_the_limits_goes_to_apply_topup_at_once(world: World) -> None:
    request = world.add(world.stack.key, 40, ADMIN)  # 40 x £14.16 = £566.40 a month
    assert request.status is RequestStatus.PENDING
    assert world.pending("top_up") == [request.request_id]
    world.deliver_all()
    assert world.request(request.request_id).status is RequestStatus.APPLIED


def test_above_the_seats_per_request_limit_it_waits_for_approval_and_says_so(
    world: World,
) -> None:
    request = world.add(world.stack.key, 51, ADMIN)
    assert request.status is RequestStatus.AWAITING_APPROVAL
    assert world.pending("top_up") == []
    entries = world.stack.store.audit_entries(world.stack.key)
    assert entries[-1].action is AuditAction.TOP_UP_REQUESTED
    assert "waits for the reseller's approval" in entries[-1].message
    assert entries[-1].actor == ADMIN
    world.deliver_all()
    (email,) = world.stack.mailer.sent
    assert email.subject.startswith("Waiting for the reseller's approval")
    assert email.text.startswith(f"An addition of 51 {SKU_NAME} licences for acme.example")
    assert "more than the 50 one request may add" in email.text
    # the customer's recipients who want "top-up failed or blocked", and reseller ops
    assert set(email.to) == {ADMIN, OPS}
    assert world.stack.seats.changes == []


def test_above_the_monthly_estimate_it_waits_counting_this_months_earlier_requests(
    world: World,
) -> None:
    set_spending_limit(
        world.stack.uow,
        world.stack.key.customer_id,
        seats_per_request=None,
        monthly_cost_minor=60_000,  # £600
        by=OPS,
        at=T0,
    )
    first = world.add(world.stack.key, 30, ADMIN)  # £424.80
    assert first.status is RequestStatus.PENDING
    world.deliver_all()
    second = world.add(world.stack.key, 20, ADMIN)  # + £283.20 = £708 > £600
    assert second.status is RequestStatus.AWAITING_APPROVAL
    assert "£708" in second.message


def test_the_months_estimate_counts_only_peoples_requests_that_may_still_buy() -> None:
    key = LicenceKey("C01", "1010020028")  # Business Standard: £14.16 flexible, £11.80 annual

    def made(status: RequestStatus, source: Source = Source.MANUAL, **kw: object) -> TopUpRequest:
        base = TopUpRequest("r", key, source, ADMIN, "FLEXIBLE", 10, 10, 20, T0, status=status)
        return replace(base, **kw)  # type: ignore[arg-type]

    month = month_of(T0, "Europe/London")
    requests = [
        made(RequestStatus.APPLIED),  # 14160: FLEXIBLE as if every seat were assigned
        made(RequestStatus.AWAITING_APPROVAL, plan_name="ANNUAL_MONTHLY_PAY"),  # 11800
        made(RequestStatus.FAILED),  # declined or failed: bought nothing
        made(RequestStatus.SUPERSEDED),
        made(RequestStatus.APPLIED, Source.AUTOMATIC),  # bounded by the admin's own caps
        made(RequestStatus.APPLIED, created_at=T0 - timedelta(days=40)),  # another month
    ]
    assert (
        spending.spent_this_month(requests, month, "Europe/London", DEMO_PRICE_OF) == 14160 + 11800
    )


def test_apply_topup_acknowledges_and_ignores_a_request_awaiting_approval(world: World) -> None:
    request = world.add(world.stack.key, 60, ADMIN)
    assert world.stack.apply(request.request_id) is None  # a stray delivery: nothing happens
    assert world.request(request.request_id).status is RequestStatus.AWAITING_APPROVAL
    assert world.stack.seats.changes == []


def test_the_sweeper_never_republishes_it_and_fails_it_after_7_days(world: World) -> None:
    request = world.add(world.stack.key, 60, ADMIN)
    world.deliver_all()
    world.stack.advance(timedelta(days=6, hours=23).total_seconds())
    assert world.sweep().actions == {}
    assert world.pending("top_up") == []
    world.stack.advance(timedelta(hours=2).total_seconds())
    report = world.sweep()
    assert report.actions == {"gave_up": [request.request_id]}
    failed = world.request(request.request_id)
    assert failed.status is RequestStatus.FAILED
    assert "not approved within 7 days" in failed.message
    world.deliver_all()
    assert world.stack.mailer.sent[-1].subject.startswith("Top-up not made")
    assert "not approved within 7 days" in world.stack.mailer.sent[-1].text
    assert world.stack.seats.changes == []


def test_approved_days_later_it_is_bought_through_the_usual_claim(world: World) -> None:
    request = world.add(world.stack.key, 60, ADMIN)
    world.deliver_all()
    world.stack.advance(timedelta(days=2).total_seconds())
    approved = world.decide(request.request_id, True, OPS, "agreed by phone")
    assert approved.status is RequestStatus.PENDING
    assert (approved.approved_by, approved.approved_at) == (OPS, world.stack.now)
    assert approved.created_at == request.created_at
    assert world.pending("top_up") == [request.request_id]
    # The sweeper times it from the approval, not from when it was asked for.
    world.stack.bus.pending.clear()
    world.stack.advance(180)
    assert world.sweep().actions == {"republished": [request.request_id]}
    world.deliver_all()
    assert world.request(request.request_id).status is RequestStatus.APPLIED
    assert [t for _, t in world.stack.seats.changes] == [70]
    actions = [(e.action, e.actor) for e in world.stack.store.audit_entries(world.stack.key)]
    assert (AuditAction.TOP_UP_APPROVED, OPS) in actions


def test_an_approved_request_whose_seats_changed_while_it_waited_is_superseded(
    world: World,
) -> None:
    request = world.add(world.stack.key, 60, ADMIN)
    world.stack.add_seats_outside(2)
    world.decide(request.request_id, True, OPS)
    world.deliver_all()
    assert world.request(request.request_id).status is RequestStatus.SUPERSEDED
    assert world.stack.seats.changes == []


def test_declined_it_fails_with_an_email_and_buys_nothing(world: World) -> None:
    request = world.add(world.stack.key, 60, ADMIN)
    declined = world.decide(request.request_id, False, OPS, "too many at once")
    assert declined.status is RequestStatus.FAILED
    assert "declined by the reseller" in declined.message
    assert "too many at once" in declined.message
    world.deliver_all()
    assert world.stack.seats.changes == []
    failed = next(e for e in world.stack.mailer.sent if e.subject.startswith("Top-up not made"))
    assert "declined by the reseller" in failed.text
    last = world.stack.store.audit_entries(world.stack.key)[-1]
    assert last.action is AuditAction.TOP_UP_FAILED and OPS in last.message


def test_a_request_no_longer_awaiting_approval_cannot_be_decided_again(world: World) -> None:
    request = world.add(world.stack.key, 60, ADMIN)
    world.decide(request.request_id, False, OPS)
    with pytest.raises(NotAwaitingApproval):
        world.decide(request.request_id, True, OPS)
    assert world.request(request.request_id).status is RequestStatus.FAILED


def test_a_large_purchase_waits_and_blocks_a_second_purchase_of_the_sku() -> None:
    store = InMemoryApiStore()
    seed_demo_prices(store)
    store.save_customer(Customer("C01", "acme.example", "Acme", "Europe/London"))
    store.save_recipient(Recipient("C01", ADMIN))
    publisher = RecordingPublisher()
    buy = RequestPurchase(store, publisher, MemoryUnitOfWork(store), clock=lambda: T0)
    # 100 x £21.60 = £2,160 a month, above the default £2,000 (and 50 seats)
    held = buy("C01", "1010020025", "FLEXIBLE", 100, ADMIN)
    assert held.status is RequestStatus.AWAITING_APPROVAL
    assert publisher.top_ups == []
    (note,) = store.notification_records.values()
    assert note.type is NotificationType.APPROVAL_NEEDED
    assert note.facts["customerDomain"] == "acme.example"
    with pytest.raises(PurchaseRefused, match="waiting for the reseller's approval"):
        buy("C01", "1010020025", "FLEXIBLE", 5, ADMIN)


def test_limits_default_to_50_seats_and_2000_pounds_and_reseller_ops_change_them() -> None:
    store = InMemoryApiStore()
    uow = MemoryUnitOfWork(store)
    assert spending_limit(uow, "C01") == spending.SpendingLimit("C01", 50, 200_000)
    set_spending_limit(uow, "C01", seats_per_request=200, monthly_cost_minor=None, by=OPS, at=T0)
    changed = spending_limit(uow, "C01")
    assert (changed.max_seats_per_request, changed.max_monthly_cost_minor) == (200, 200_000)
    assert (changed.updated_by, changed.updated_at) == (OPS, T0)
    assert spending.limit_problems(0, 1_000_001) == {
        "maxSeatsPerRequest": "Must be a whole number from 1 to 1,000,000.",
        "maxMonthlyPounds": "Must be a whole number from 1 to 1,000,000.",
    }
