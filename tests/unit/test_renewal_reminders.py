"""Renewal reminders made by the holder sync's per-customer step, on fakes: a reminder due is
created once under the rule's id and published, not again on a second run or a retried message,
a run late past two thresholds sends only the nearest, and a recipient who turned renewal
reminders off gets none; the email states the recommendation and the warning, and goes out
through the SendGrid stand-in with the real sendgrid client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from licence_manager.adapters.sendgrid_mailer import SendGridMailer
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight
from licence_manager.domain.model import Customer, Licence, LicenceKey, Usage
from licence_manager.domain.notifications import (
    PREFERENCES,
    DeliveryStatus,
    NotificationType,
    Recipient,
)
from licence_manager.domain.reclaim import ReclaimPolicy
from licence_manager.ports import Mailer
from licence_manager.services.alerts import SendNotification
from licence_manager.services.holder_sync import SyncCustomerHolders
from licence_manager.services.renewal_reminders import RenewalReminders
from licence_manager_local.demo_prices import seed_demo_prices
from licence_manager_local.sendgrid_standin import RunningStandIn, start_sendgrid_standin
from tests.fakes.memory import InMemoryLicenceStore
from tests.fakes.memory_automation import InMemoryStore, RecordingMailer, RecordingPublisher
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.memory_holders import FakeSeatHolderSource, InMemoryHolderStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
PLUS, STARTER = "1010020025", "1010020027"
KEY = LicenceKey("C01", PLUS)
CUSTOMER = Customer("C01", "acme.example", "Acme", "Europe/London")
ADMIN = "it@acme.example"


class World:
    def __init__(self, ends_in_days: int = 25, renewal_type: str = "AUTO_RENEW_YEARLY_PAY"):
        self.now = NOW
        self.licences = InMemoryLicenceStore()
        self.licences.save_customer(CUSTOMER)
        usage = Usage(
            "Google Workspace Business Plus",
            "ANNUAL_YEARLY_PAY",
            "sub-plus",
            "ACTIVE",
            50,
            40,
            renewal_type=renewal_type,
            commitment_ends_at=NOW + timedelta(days=ends_in_days),
        )
        self.licences.licences[KEY] = Licence(KEY, "acme.example", usage, "Europe/London", NOW)
        flexible = Usage("Business Starter", "FLEXIBLE", "sub-s", "ACTIVE", 10, 3)
        key = LicenceKey("C01", STARTER)
        self.licences.licences[key] = Licence(key, "acme.example", flexible, "Europe/London", NOW)
        self.source = FakeSeatHolderSource()
        domain = self.domain = self.source.add_customer("C01", "acme.example")
        for n in range(6):  # six holders, all suspended: reclaimable
            domain.add_user(f"u-{n}", f"user{n}@acme.example", PLUS, suspended=True, created_at=NOW)
        self.holders = InMemoryHolderStore()
        self.notifications = InMemoryStore()
        self.notifications.save_recipient(Recipient("C01", ADMIN, "IT"))
        self.publisher = RecordingPublisher()
        prices = InMemoryApiStore()
        seed_demo_prices(prices)
        self.reminders = RenewalReminders(
            MemoryUnitOfWork(self.notifications), self.publisher, prices
        )
        self.sync = SyncCustomerHolders(
            self.source,
            self.holders,
            self.licences,
            clock=lambda: self.now,
            reminders=self.reminders,
        )

    def reminders_stored(self) -> list[str]:
        return sorted(
            n.notification_id
            for n in self.notifications.notifications_of("C01")
            if n.type is NotificationType.RENEWAL_REMINDER
        )

    def send(self, mailer: Mailer) -> None:
        send = SendNotification(
            self.notifications,
            MemoryUnitOfWork(self.notifications),
            mailer,
            "https://lm.example",
            clock=lambda: self.now,
        )
        for notification_id in self.publisher.notifications:
            send(notification_id)


def test_a_due_reminder_is_created_once_with_the_rules_id_and_published() -> None:
    world = World(ends_in_days=25)
    world.sync("C01")
    expected = "C01_1010020025-renewal-2026-12-15-30"
    assert world.reminders_stored() == [expected]
    assert world.publisher.notifications == [expected]
    (reminder,) = world.notifications.notifications_of("C01")
    assert reminder.status is DeliveryStatus.PENDING
    facts = reminder.facts
    # 40 assigned, 6 reclaimable (the holders just judged), no forecast history here
    assert facts["recommendedSeats"] == 34
    assert str(facts["recommendation"]).startswith("Renew 34 seats: 40 assigned, 6 reclaimable")
    assert "re-commits all 50 seats for another year: 16 seats more than recommended" in str(
        facts["warning"]
    )
    assert facts["unusedYearlyCostMinor"] is not None  # priced from the price list
    assert "for the year, excluding VAT" in str(facts["warning"])


def test_a_second_run_or_a_retried_message_creates_nothing_and_sends_once() -> None:
    world = World()
    world.sync("C01")
    world.send(RecordingMailer())
    world.publisher.notifications.clear()
    world.now += timedelta(hours=3)
    world.sync("C01")  # the same day, or Pub/Sub delivering the customer's message again
    world.now += timedelta(days=1)
    world.sync("C01")  # the next day, still within the 30-day threshold
    assert world.reminders_stored() == ["C01_1010020025-renewal-2026-12-15-30"]
    assert world.publisher.notifications == []  # already sent: nothing published again


def test_a_reminder_whose_publish_was_lost_is_published_by_the_next_run() -> None:
    world = World()
    world.sync("C01")
    world.publisher.notifications.clear()  # the process died before publishing
    world.sync("C01")
    assert world.publisher.notifications == ["C01_1010020025-renewal-2026-12-15-30"]
    assert len(world.reminders_stored()) == 1


def test_a_late_job_sends_only_the_nearest_threshold() -> None:
    world = World(ends_in_days=6)  # the 90 and 30 days were missed
    world.sync("C01")
    assert world.reminders_stored() == ["C01_1010020025-renewal-2026-11-26-7"]


def test_no_reminder_far_from_renewal_or_for_a_flexible_plan() -> None:
    world = World(ends_in_days=120)
    world.sync("C01")
    assert world.reminders_stored() == []


def test_each_threshold_is_reminded_once_as_the_date_comes_nearer() -> None:
    world = World(ends_in_days=95)
    for _ in range(95):
        world.sync("C01")
        world.now += timedelta(days=1)
    assert [i.rsplit("-", 1)[1] for i in world.reminders_stored()] == ["30", "7", "90"]


def test_reminders_are_made_when_the_holders_cannot_be_read_and_say_so() -> None:
    world = World()
    world.domain.denied.add("directory")
    world.sync("C01")
    (reminder,) = world.notifications.notifications_of("C01")
    assert "reclaimable seats unknown" in str(reminder.facts["recommendation"])


def test_a_recipient_who_turned_renewal_reminders_off_gets_none() -> None:
    world = World()
    world.notifications.save_recipient(
        Recipient("C01", ADMIN, "IT", PREFERENCES - {NotificationType.RENEWAL_REMINDER})
    )
    world.notifications.save_recipient(Recipient("C01", "cfo@acme.example", "CFO"))
    world.sync("C01")
    mailer = RecordingMailer()
    world.send(mailer)
    assert [email.to for email in mailer.sent] == [("cfo@acme.example",)]


@pytest.fixture
def sendgrid() -> Iterator[RunningStandIn]:
    with start_sendgrid_standin() as standin:
        yield standin


def test_send_alerts_emails_it_through_the_sendgrid_stand_in(sendgrid: RunningStandIn) -> None:
    world = World()
    world.sync("C01")
    world.send(SendGridMailer(sendgrid.api_key, "alerts@lm.example", host=sendgrid.url))
    (message,) = sendgrid.outbox
    assert message.recipients == (ADMIN,)
    assert message.subject == (
        "Google Workspace Business Plus for acme.example renews in 25 days (15 Dec 2026)"
    )
    text = message.text or ""
    assert "Renewal setting: Renew every seat (annual plan, yearly payment)." in text
    assert "Renew 34 seats: 40 assigned, 6 reclaimable" in text
    assert "16 seats more than recommended" in text
    assert message.custom_args["notificationId"] == "C01_1010020025-renewal-2026-12-15-30"
    (sent,) = world.notifications.notifications_of("C01")
    assert sent.status is DeliveryStatus.SENT


def test_reminder_ids_do_not_depend_on_the_policy_or_insights() -> None:
    world = World()
    world.holders.policies["C01"] = ReclaimPolicy(inactive_days=30)
    insights = LicenceInsights(
        "C01", NOW, HoldersStatus.OK, "", 60, {PLUS: SkuInsight("Google-Apps", 40, 0, 0, 0, 0)}
    )
    first = world.reminders("C01", world.licences.licences_of("C01"), insights, NOW)
    again = world.reminders("C01", world.licences.licences_of("C01"), None, NOW)
    assert first == again == ["C01_1010020025-renewal-2026-12-15-30"]
