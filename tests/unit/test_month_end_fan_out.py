"""The month-end job fanned out per customer (issue 12): the planner pages through the book and
publishes one message per customer; each customer's handler writes and emails that customer's
report once however often its message arrives, and a failing customer fails only its own
message, which is retried and, after the route's maximum attempts, dead-lettered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from licence_manager.domain.model import Customer
from licence_manager.domain.month_end import MonthEndSummary
from licence_manager.domain.notifications import Notification, Recipient
from licence_manager.ports import Publisher
from licence_manager.services.alerts import SendNotification
from licence_manager.services.month_end import CustomerMonthEnd, MonthEndCustomer, PlanMonthEnd
from licence_manager.services.reports import Reports
from tests.fakes.memory_automation import InMemoryStore, RecordingMailer, RecordingPublisher
from tests.fakes.memory_reports import InMemoryReports
from tests.fakes.unit_of_work import MemoryUnitOfWork

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
NOVEMBER = date(2026, 11, 1)
MAX_DELIVERY_ATTEMPTS = 5  # topology.MAX_DELIVERY_ATTEMPTS, Terraform's max_delivery_attempts


def book(count: int) -> InMemoryStore:
    store = InMemoryStore()
    for n in range(1, count + 1):
        customer_id = f"C{n:03d}"
        store.save_customer(Customer(customer_id, f"c{n}.example", f"Customer {n}", "Etc/UTC"))
        store.save_recipient(Recipient(customer_id, f"billing@c{n}.example"))
    return store


def drive_plan(plan: PlanMonthEnd, publisher: RecordingPublisher, month: date | None) -> int:
    """Deliver the planner's messages: the first, then each next page it publishes."""
    calls = 1
    page = plan(month)
    while page.next_after is not None:
        assert publisher.month_end_pages[-1] == (page.month, page.next_after)
        page = plan(month, publisher.month_end_pages[-1][1])
        calls += 1
    return calls


@pytest.mark.parametrize(("customers", "pages"), [(7, 3), (6, 3), (2, 1), (0, 1)])
def test_the_planner_pages_through_the_book_one_message_per_customer(
    customers: int, pages: int
) -> None:
    store = book(customers)
    publisher = RecordingPublisher()
    reads = CountingReports(store)
    plan = PlanMonthEnd(reads, publisher, clock=lambda: NOW, page_size=3)

    calls = drive_plan(plan, publisher, NOVEMBER)

    expected = [(f"C{n:03d}", "2026-11") for n in range(1, customers + 1)]
    assert publisher.month_end_customers == expected  # each customer once, in id order
    assert calls == pages
    # Never more than a page of the book in one invocation.
    assert reads.page_sizes and max(reads.page_sizes) <= 3
    assert publisher.notifications == []  # the planner writes and sends nothing itself


def test_the_planner_plans_the_month_just_ended_on_its_own_calendar() -> None:
    publisher = RecordingPublisher()
    # 00:30 on 1 December in London: November has ended there.
    plan = PlanMonthEnd(
        InMemoryReports(book(1)),
        publisher,
        clock=lambda: datetime(2026, 12, 1, 0, 30, tzinfo=UTC),
        time_zone="Europe/London",
    )
    assert plan().month == "2026-11"
    assert publisher.month_end_customers == [("C001", "2026-11")]


def test_rerunning_the_planner_republishes_which_the_handlers_make_harmless() -> None:
    store = book(4)
    world = FanOut(store)
    world.plan_and_deliver()
    world.plan_and_deliver()  # a rerun, or the scheduler's message delivered twice

    assert sorted(world.reports.month_ends) == [f"C00{n}_2026-11" for n in range(1, 5)]
    assert len(world.mailer.sent) == 4  # one email per customer, not two
    assert Counter(world.outcomes) == {
        CustomerMonthEnd.CREATED: 4,
        CustomerMonthEnd.ALREADY_THERE: 4,
    }


def test_a_redelivered_customer_message_writes_and_emails_nothing_new() -> None:
    store = book(1)
    world = FanOut(store)
    handler = world.handler

    assert handler("C001", NOVEMBER) is CustomerMonthEnd.CREATED
    # Redelivered before its email went out: the email is published again, and sent once.
    assert handler("C001", NOVEMBER) is CustomerMonthEnd.ALREADY_THERE
    assert world.publisher.notifications == ["C001-month-end-2026-11"] * 2
    for notification_id in world.publisher.notifications:
        world.send(notification_id)
    # Redelivered after: not even published again.
    assert handler("C001", NOVEMBER) is CustomerMonthEnd.ALREADY_THERE
    assert len(world.publisher.notifications) == 2
    assert len(world.mailer.sent) == 1
    assert list(world.reports.month_ends) == ["C001_2026-11"]


def test_one_customers_failure_is_retried_alone_and_the_others_finish_first_time() -> None:
    store = book(6)
    world = FanOut(store, failing={"C004": 1})

    world.plan_and_deliver()

    assert world.attempts == {f"C00{n}": 1 for n in (1, 2, 3, 5, 6)} | {"C004": 2}
    assert world.retries == 1
    assert world.dead_letters == []
    assert len(world.reports.month_ends) == 6
    assert sorted(e.reference for e in world.mailer.sent) == [
        f"C00{n}-month-end-2026-11" for n in range(1, 7)
    ]


def test_a_customer_failing_every_attempt_is_dead_lettered_and_no_one_else_waits() -> None:
    store = book(3)
    world = FanOut(store, failing={"C002": MAX_DELIVERY_ATTEMPTS})

    world.plan_and_deliver()

    assert world.dead_letters == [("C002", "2026-11")]
    assert world.attempts["C002"] == MAX_DELIVERY_ATTEMPTS
    assert sorted(world.reports.month_ends) == ["C001_2026-11", "C003_2026-11"]
    assert len(world.mailer.sent) == 2


def test_a_customer_whose_month_has_not_ended_waits_for_the_next_run() -> None:
    store = InMemoryStore()
    store.save_customer(Customer("C001", "la.example", "LA Inc", "America/Los_Angeles"))
    reports = InMemoryReports(store)
    early = datetime(2026, 12, 1, 6, tzinfo=UTC)  # 22:00 on 30 November in Los Angeles
    handler = MonthEndCustomer(
        Reports(reports, store), reports, store, store, RecordingPublisher(), clock=lambda: early
    )
    assert handler("C001", NOVEMBER) is CustomerMonthEnd.WAITING
    assert handler("C999", NOVEMBER) is CustomerMonthEnd.NO_CUSTOMER
    assert reports.month_ends == {}


# --- a small Pub/Sub in memory -------------------------------------------------------------------


class CountingReports(InMemoryReports):
    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store)
        self.page_sizes: list[int] = []

    def customer_ids_after(self, after: str | None, limit: int) -> list[str]:
        found = super().customer_ids_after(after, limit)
        self.page_sizes.append(len(found))
        return found


class Flaky(Exception):
    """The injected failure of one customer's handler."""


class FailingReports(InMemoryReports):
    """Fails a customer's month-end write the first `failing[customer]` times."""

    def __init__(self, store: InMemoryStore, failing: dict[str, int]) -> None:
        super().__init__(store)
        self.failing = dict(failing)

    def record_month_end(self, summary: MonthEndSummary, notification: Notification | None) -> bool:
        if self.failing.get(summary.customer_id, 0) > 0:
            self.failing[summary.customer_id] -= 1
            raise Flaky(summary.customer_id)
        return super().record_month_end(summary, notification)


@dataclass
class Delivery:
    customer_id: str
    month: str
    attempt: int = 1


class QueuePublisher(Publisher):
    """Customer messages queue for delivery; everything else is recorded."""

    def __init__(self, recorded: RecordingPublisher, queue: list[Delivery]) -> None:
        self.recorded, self.queue = recorded, queue

    def publish_top_up(self, request_id: str) -> None:
        self.recorded.publish_top_up(request_id)

    def publish_notification(self, notification_id: str) -> None:
        self.recorded.publish_notification(notification_id)

    def publish_month_end_customers(self, month: str, customer_ids: Sequence[str]) -> None:
        self.queue += [Delivery(customer_id, month) for customer_id in customer_ids]

    def publish_month_end_page(self, month: str, after: str) -> None:
        self.recorded.publish_month_end_page(month, after)

    def publish_holder_sync_customers(self, customer_ids: Sequence[str]) -> None:
        self.recorded.publish_holder_sync_customers(customer_ids)

    def publish_holder_sync_page(self, after: str) -> None:
        self.recorded.publish_holder_sync_page(after)

    def publish_audit_verify_customers(self, customer_ids: Sequence[str]) -> None:
        self.recorded.publish_audit_verify_customers(customer_ids)

    def publish_audit_verify_page(self, after: str) -> None:
        self.recorded.publish_audit_verify_page(after)


class FanOut:
    def __init__(self, store: InMemoryStore, failing: dict[str, int] | None = None) -> None:
        self.store = store
        self.reports = FailingReports(store, failing or {})
        self.publisher = RecordingPublisher()
        self.queue: list[Delivery] = []
        bus = QueuePublisher(self.publisher, self.queue)
        self.plan = PlanMonthEnd(self.reports, bus, clock=lambda: NOW, page_size=2)
        self.handler = MonthEndCustomer(
            Reports(self.reports, store), self.reports, store, store, bus, clock=lambda: NOW
        )
        self.mailer = RecordingMailer()
        self.send = SendNotification(
            store, MemoryUnitOfWork(store), self.mailer, "", clock=lambda: NOW
        )
        self.attempts: Counter[str] = Counter()
        self.outcomes: list[CustomerMonthEnd] = []
        self.retries = 0
        self.dead_letters: list[tuple[str, str]] = []

    def plan_and_deliver(self) -> None:
        drive_plan(self.plan, self.publisher, None)
        while self.queue:
            message = self.queue.pop(0)
            self.attempts[message.customer_id] += 1
            try:
                outcome = self.handler(
                    message.customer_id, date.fromisoformat(message.month + "-01")
                )
            except Flaky:
                if message.attempt >= MAX_DELIVERY_ATTEMPTS:
                    self.dead_letters.append((message.customer_id, message.month))
                else:
                    self.retries += 1
                    self.queue.append(
                        Delivery(message.customer_id, message.month, message.attempt + 1)
                    )
                continue
            self.outcomes.append(outcome)
        for notification_id in self.publisher.notifications:
            self.send(notification_id)


def pubsub_data(body: object) -> dict[str, object]:
    import base64
    import json

    return {"message": {"data": base64.b64encode(json.dumps(body).encode()).decode()}}


@pytest.mark.parametrize(
    "body",
    [
        {"job": "month-end-customer", "customerId": "C001", "month": "2026-13"},
        {"job": "month-end-customer", "customerId": "", "month": "2026-11"},
        {"job": "month-end-customer", "customerId": "C001"},
        {"job": "month-end-report", "month": "November"},
        {"job": "month-end-report", "month": "2026-11", "after": 7},
    ],
)
def test_a_malformed_month_end_message_is_dropped_not_retried(
    body: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from licence_manager import bootstrap, entrypoints

    def never() -> None:
        raise AssertionError("a malformed message reached a service")

    monkeypatch.setattr(bootstrap, "month_end_planner", never)
    monkeypatch.setattr(bootstrap, "month_end_customer", never)
    entrypoints.send_notification_message(pubsub_data(body))  # returns: acknowledged


def test_the_entry_point_routes_each_month_end_message_to_its_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from licence_manager import bootstrap, entrypoints

    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(
        bootstrap, "month_end_planner", lambda: lambda month, after: calls.append((month, after))
    )
    monkeypatch.setattr(
        bootstrap,
        "month_end_customer",
        lambda: lambda customer, month: calls.append((customer, month)) or CustomerMonthEnd.CREATED,
    )
    send = entrypoints.send_notification_message
    send(pubsub_data({"job": "month-end-report"}))
    send(pubsub_data({"job": "month-end-report", "month": "2026-11", "after": "C500"}))
    send(pubsub_data({"job": "month-end-customer", "customerId": "C001", "month": "2026-11"}))
    assert calls == [(None, None), (NOVEMBER, "C500"), ("C001", NOVEMBER)]
