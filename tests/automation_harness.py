"""A whole Licence Manager in memory, with a message bus that the tests control: deliver any
pending message, deliver it twice, hold it back, let a process die at a chosen step.

The services and domain are the production ones; only the ports are fakes (held honest by the
contract tests), so the exactly-once scheme is exercised as deployed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from licence_manager.domain.audit import Source
from licence_manager.domain.model import Subscription
from licence_manager.domain.notifications import Recipient
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import TopUpRequest
from licence_manager.ports import Email, Publisher
from licence_manager.services.alerts import SendNotification
from licence_manager.services.evaluate import EvaluateLicence
from licence_manager.services.settings import save_settings
from licence_manager.services.sync import SyncUsage, UsageSync
from licence_manager.services.topup import DEFAULT_LEASE, ApplyTopUp, RetryLater
from tests.builders import T0, subscription
from tests.fakes.memory import FakeSubscriptionSource
from tests.fakes.memory_automation import (
    FakeSeatChanger,
    InMemoryStore,
    RecordingMailer,
)
from tests.fakes.unit_of_work import MemoryUnitOfWork

LEASE = DEFAULT_LEASE
CRASH_POINTS = (
    "evaluate:before_publish",  # decision committed, message not yet published
    "apply:after_claim",  # request claimed, nothing read yet
    "apply:after_change_seats",  # Google changed the seats, nothing recorded
    "apply:before_publish",  # outcome recorded, confirmation not yet published
    "send:before_send",  # marked SENDING, not handed over
    "send:after_send",  # handed to SendGrid, not recorded
)


class Crash(Exception):
    """The process died here."""


class Faults:
    def __init__(self) -> None:
        self.armed: set[str] = set()
        self.fired: list[str] = []

    def check(self, point: str) -> None:
        if point in self.armed:
            self.armed.discard(point)
            self.fired.append(point)
            raise Crash(point)


@dataclass(frozen=True)
class Message:
    kind: str  # "evaluate" | "top_up" | "notification"
    ref: str


class BusPublisher(Publisher):
    def __init__(self, bus: Bus, faults: Faults, point: str) -> None:
        self._bus, self._faults, self._point = bus, faults, point

    def publish_top_up(self, request_id: str) -> None:
        self._faults.check(self._point)
        self._bus.pending.append(Message("top_up", request_id))

    def publish_notification(self, notification_id: str) -> None:
        self._faults.check(self._point)
        self._bus.pending.append(Message("notification", notification_id))

    def publish_month_end_customers(self, month: str, customer_ids: Sequence[str]) -> None:
        raise NotImplementedError("the month-end job has tests of its own")

    def publish_month_end_page(self, month: str, after: str) -> None:
        raise NotImplementedError("the month-end job has tests of its own")

    def publish_holder_sync_customers(self, customer_ids: Sequence[str]) -> None:
        raise NotImplementedError("the holder sync has tests of its own")

    def publish_holder_sync_page(self, after: str) -> None:
        raise NotImplementedError("the holder sync has tests of its own")

    def publish_audit_verify_customers(self, customer_ids: Sequence[str]) -> None:
        raise NotImplementedError("the audit check has tests of its own")

    def publish_audit_verify_page(self, after: str) -> None:
        raise NotImplementedError("the audit check has tests of its own")


class CrashingSeats(FakeSeatChanger):
    def __init__(self, subscriptions: list[Subscription], faults: Faults) -> None:
        super().__init__(subscriptions)
        self.faults = faults

    def current(self, customer_id: str, sku_id: str) -> Subscription | None:
        self.faults.check("apply:after_claim")
        return super().current(customer_id, sku_id)

    def change_seats(
        self, subscription: Subscription, total: int, send_until: datetime | None = None
    ) -> Subscription:
        changed = super().change_seats(subscription, total, send_until)
        self.faults.check("apply:after_change_seats")
        return changed


class CrashingMailer(RecordingMailer):
    def __init__(self, faults: Faults) -> None:
        super().__init__()
        self.faults = faults

    def send(self, email: Email) -> str:
        self.faults.check("send:before_send")
        message_id = super().send(email)
        self.faults.check("send:after_send")
        return message_id


class Bus:
    """Messages waiting for delivery, in no promised order, each until it is acknowledged."""

    def __init__(self) -> None:
        self.pending: list[Message] = []


class Stack:
    def __init__(self, start: Subscription, settings: LicenceSettings) -> None:
        self.now = T0
        self.faults = Faults()
        self.bus = Bus()
        self.store = InMemoryStore()
        self.uow = MemoryUnitOfWork(self.store)
        self.seats = CrashingSeats([start], self.faults)
        self.key = start.key
        self.initial_total = start.total_seats
        self.outside_added = 0
        self.mailer = CrashingMailer(self.faults)
        self.source = FakeSubscriptionSource()
        clock = lambda: self.now  # noqa: E731
        self.sync = UsageSync(self.source, self.store, self.uow, "Europe/London", clock=clock)
        self.evaluate = EvaluateLicence(
            self.uow, BusPublisher(self.bus, self.faults, "evaluate:before_publish"), clock
        )
        self.apply = ApplyTopUp(
            self.uow,
            self.seats,
            BusPublisher(self.bus, self.faults, "apply:before_publish"),
            clock,
            LEASE,
            reevaluate=self.evaluate,
        )
        self.send = SendNotification(
            self.store,
            self.uow,
            self.mailer,
            "https://lm.example",
            clock,
            LEASE,
            sleep=lambda _s: None,
        )
        self.store.save_recipient(Recipient(start.customer_id, "admin@acme.example"))
        save_settings(self.uow, self.key, settings, "test", T0)
        self._watched = len(self.store.watched_writes)
        self.run_sync()

    # the world outside
    def set_assigned(self, assigned: int) -> None:
        sub = self.seats.subscriptions[self.key]
        self.seats.subscriptions[self.key] = replace(
            sub, licensed_number_of_seats=max(0, min(assigned, sub.total_seats))
        )

    def add_seats_outside(self, seats: int) -> None:
        """An admin adds seats in the Admin console, behind Licence Manager's back."""
        sub = self.seats.subscriptions[self.key]
        self.seats.subscriptions[self.key] = replace(
            sub, maximum_number_of_seats=sub.total_seats + seats
        )
        self.outside_added += seats

    def add_by_hand(self, seats: int, n: int) -> TopUpRequest:
        """An admin asks for `seats` more from the dashboard, on the figures it shows now."""
        licence = self.store.licences[self.key]
        request = TopUpRequest(
            f"{self.key.doc_id}-manual-{n}",
            self.key,
            Source.MANUAL,
            "admin@acme.example",
            licence.usage.plan_name,
            seats,
            licence.usage.total,
            licence.usage.total + seats,
            self.now,
        )
        self.store.create_request(request)
        return request

    def run_sync(self) -> None:
        self.source.subscriptions = [self.seats.subscriptions[self.key]]
        self.sync(SyncUsage())
        self._collect_watch_events()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def _collect_watch_events(self) -> None:
        for key in self.store.watched_writes[self._watched :]:
            self.bus.pending.append(Message("evaluate", key.doc_id))
        self._watched = len(self.store.watched_writes)

    # delivery
    def deliver(self, index: int, duplicate: bool = False) -> str:
        """Deliver one pending message; it stays pending if the handler fails (redelivery)
        or if `duplicate` (delivered again later)."""
        if not self.bus.pending:
            return "empty"
        message = self.bus.pending[index % len(self.bus.pending)]
        try:
            if message.kind == "evaluate":
                self.evaluate(self.key)
            elif message.kind == "top_up":
                self.apply(message.ref)
            else:
                self.send(message.ref)
            result = "ok"
        except (Crash, RetryLater) as error:
            result = type(error).__name__
        finally:
            self._collect_watch_events()
        if result == "ok" and not duplicate:
            self.bus.pending.remove(message)
        return result

    def drain(self, rounds: int = 400) -> None:
        """Deliver until nothing is left. A delivery that could not make progress (a crashed or
        busy attempt) goes to the back, as Pub/Sub redelivers it after a backoff while other
        messages flow, and lets a lease expire; armed faults fire once."""
        for _ in range(rounds):
            if not self.bus.pending:
                return
            message = self.bus.pending[0]
            if self.deliver(0) != "ok":
                if message in self.bus.pending:
                    self.bus.pending.remove(message)
                    self.bus.pending.append(message)
                self.advance(LEASE.total_seconds() + 1)
        raise AssertionError(f"messages still pending after {rounds} rounds: {self.bus.pending}")


def flexible(total: int = 10, assigned: int = 5) -> Subscription:
    return subscription(plan="FLEXIBLE", total=total, assigned=assigned)


def restore_policy(trigger: int = 2, target: int = 4, **extra: object) -> LicenceSettings:
    return LicenceSettings(
        low_licence_alert=True,
        alert_vacant_at_or_below=trigger,
        auto_top_up=True,
        top_up_when_vacant_below=trigger,
        top_up_target_vacant=target,
        **{"max_total_seats": 1_000, **extra},
    )  # type: ignore[arg-type]
