"""Subscription events worth an alert, from what the sync records: suspended, cancelled or
transferred away (gone from the listing), a trial ending in 7 days and ended. Each alert once
per occurrence, however often the sync or the daily step runs; the Reseller fields they need
parsed from the simulator's own JSON; the emails' words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

from licence_manager.adapters.firestore_codec import licence_from_doc, licence_to_doc
from licence_manager.adapters.reseller import subscription_from_api
from licence_manager.domain.emails import render
from licence_manager.domain.model import Licence, LicenceKey, Usage
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.observation import record_disappearance
from licence_manager.domain.subscription_events import trial_alert
from licence_manager.domain.usage_digest import fingerprint
from licence_manager.services.recording import record_licence, record_seen
from licence_manager.services.renewal_reminders import RenewalReminders
from licence_manager_local.simulator.model import Subscription as SimulatedSubscription
from licence_manager_local.simulator.wire import subscription_json
from tests.builders import subscription
from tests.fakes.memory_automation import InMemoryStore, RecordingPublisher
from tests.fakes.unit_of_work import MemoryUnitOfWork

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
KEY = LicenceKey("C01", "1010020028")


def _alerts(store: InMemoryStore, kind: NotificationType) -> list[str]:
    return sorted(n.notification_id for n in store.notifications_of("C01") if n.type is kind)


def test_a_suspension_is_alerted_once_with_its_reasons() -> None:
    store = InMemoryStore()
    uow = MemoryUnitOfWork(store)
    record_seen(uow, subscription(), "UTC", T0)
    suspended = replace(
        subscription(status="SUSPENDED"), suspension_reasons=("PENDING_TOS_ACCEPTANCE",)
    )
    for minutes in (5, 10, 15):  # the same suspension seen by three syncs
        record_seen(uow, suspended, "UTC", T0 + timedelta(minutes=minutes))
    [alert_id] = _alerts(store, NotificationType.SUBSCRIPTION_STATUS)
    alert = store.notification_records[alert_id]
    assert alert.facts["event"] == "suspended"
    assert "Terms of Service" in str(alert.facts["reasons"])
    # evaluation republishes it while unsent, as it does the other alerts
    assert alert_id in store.automation_state(KEY).alert_ids(KEY.doc_id)
    # suspended again after being reinstated: a new occurrence, a new alert
    record_seen(uow, subscription(), "UTC", T0 + timedelta(minutes=20))
    record_seen(uow, suspended, "UTC", T0 + timedelta(minutes=25))
    assert len(_alerts(store, NotificationType.SUBSCRIPTION_STATUS)) == 2


def test_a_licence_gone_from_the_listing_is_alerted_once() -> None:
    store = InMemoryStore()
    uow = MemoryUnitOfWork(store)
    record_seen(uow, subscription(), "UTC", T0)
    for minutes in (5, 10):
        decide = partial(record_disappearance, at=T0 + timedelta(minutes=minutes))
        at = T0 + timedelta(minutes=minutes)
        uow.run(partial(record_licence, key=KEY, at=at, default_time_zone="UTC", decide=decide))
    [alert_id] = _alerts(store, NotificationType.SUBSCRIPTION_STATUS)
    assert store.notification_records[alert_id].facts["event"] == "cancelled or transferred away"


def test_other_changes_alert_nothing() -> None:
    store = InMemoryStore()
    uow = MemoryUnitOfWork(store)
    record_seen(uow, subscription(status="SUSPENDED"), "UTC", T0)  # first seen: not a change
    record_seen(uow, subscription(status="ACTIVE"), "UTC", T0 + timedelta(minutes=5))
    record_seen(uow, subscription(total=12), "UTC", T0 + timedelta(minutes=10))
    assert store.notifications_of("C01") == []


def _trial(ends: datetime) -> Licence:
    usage = Usage("Business Standard", "TRIAL", "sub-t", "ACTIVE", 10, 4, trial_ends_at=ends)
    return Licence(KEY, "acme.example", usage, "UTC", T0)


def test_trial_alerts_are_due_in_the_last_7_days_and_for_7_days_after() -> None:
    ends = T0 + timedelta(days=7)
    assert trial_alert(_trial(ends), T0 - timedelta(seconds=1)) is None
    ending = trial_alert(_trial(ends), T0)
    assert ending is not None and ending.notification_id == "C01_1010020028-trial-2026-11-09-7d"
    ended = trial_alert(_trial(ends), ends)
    assert ended is not None and ended.notification_id.endswith("-ended")
    assert trial_alert(_trial(ends), ends + timedelta(days=7)) is None
    converted = replace(_trial(ends), usage=replace(_trial(ends).usage, trial_ends_at=None))
    assert trial_alert(converted, T0) is None


def test_the_daily_step_creates_each_trial_alert_once_and_publishes_it() -> None:
    store = InMemoryStore()
    publisher = RecordingPublisher()
    reminders = RenewalReminders(MemoryUnitOfWork(store), publisher, None)
    licence = _trial(T0 + timedelta(days=5))
    for hours in (0, 1, 24):  # the daily step, a retried message, the next day
        reminders.trials([licence], T0 + timedelta(hours=hours))
    reminders.trials([licence], T0 + timedelta(days=5, hours=1))  # ended
    assert _alerts(store, NotificationType.TRIAL_ENDING) == [
        "C01_1010020028-trial-2026-11-07-7d",
        "C01_1010020028-trial-2026-11-07-ended",
    ]
    delivered = [n for n in store.notification_records.values()]
    store.notification_records.update(
        {n.notification_id: replace(n, status=n.status.SENT) for n in delivered}
    )
    reminders.trials([licence], T0 + timedelta(days=5, hours=2))
    assert sorted(set(publisher.notifications)) == _alerts(store, NotificationType.TRIAL_ENDING)


def test_the_simulators_trial_and_suspension_fields_are_read_and_stored() -> None:
    simulated = SimulatedSubscription(
        customer_id="C01",
        customer_domain="acme.example",
        sku_id="1010020028",
        subscription_id="sub-t",
        plan_name="TRIAL",
        seats=10,
        users=4,
        status="SUSPENDED",
        billing_method="ONLINE",
        creation_time_ms=1_700_000_000_000,
        trial_end_ms=1_800_000_000_000,
        suspension_reasons=["TRIAL_ENDED"],
    )
    read = subscription_from_api(subscription_json(simulated))
    assert read.trial_ends_at == datetime.fromtimestamp(1_800_000_000, UTC)
    assert read.suspension_reasons == ("TRIAL_ENDED",)
    licence = Licence(KEY, "acme.example", Usage.of(read), "UTC", T0)
    assert licence_from_doc(licence_to_doc(licence)) == licence
    paid = replace(read, plan_name="FLEXIBLE", trial_ends_at=None, suspension_reasons=())
    assert fingerprint(Usage.of(read)) != fingerprint(Usage.of(paid))


def test_the_emails_say_what_happened() -> None:
    ending = trial_alert(_trial(T0 + timedelta(days=7)), T0)
    assert ending is not None
    email = render(ending, "https://lm.example")
    assert email.subject == "Trial ends on 9 November 2026: Business Standard for acme.example"
    store = InMemoryStore()
    uow = MemoryUnitOfWork(store)
    record_seen(uow, subscription(), "UTC", T0)
    record_seen(uow, subscription(status="SUSPENDED"), "UTC", T0 + timedelta(minutes=5))
    [alert_id] = _alerts(store, NotificationType.SUBSCRIPTION_STATUS)
    suspended = render(store.notification_records[alert_id], "")
    assert suspended.subject.startswith("Subscription suspended: ")
    assert "contact your reseller" in suspended.text
