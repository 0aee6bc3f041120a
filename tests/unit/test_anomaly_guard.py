"""The anomaly guard's boundaries, through the sync's record step on the in-memory unit of work:
more than max(min users, min percent of the seats) within an hour pauses automatic top-ups, in
the transaction that records the figures, audited and with one alert; only a resume lifts it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from licence_manager.domain import anomaly
from licence_manager.domain.anomaly import AnomalyPolicy, AssignedSample, observe, rise
from licence_manager.domain.audit import AuditAction, verify_chain
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.settings import LicenceSettings
from licence_manager.services.anomaly import NotPaused, resume_top_ups, set_anomaly_policy
from licence_manager.services.recording import record_seen
from licence_manager.services.settings import save_settings
from tests.builders import subscription
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
KEY = LicenceKey("C01", "1010020028")


class Licence:
    """One licence whose assigned count the sync records at chosen moments."""

    def __init__(self, total: int, assigned: int) -> None:
        self.store = InMemoryStore()
        self.uow = MemoryUnitOfWork(self.store)
        self.total = total
        self.record(assigned, T0)

    def record(self, assigned: int, at: datetime) -> None:
        record_seen(self.uow, subscription(total=self.total, assigned=assigned), "UTC", at)

    def at(self, minutes: float, assigned: int) -> None:
        self.record(assigned, T0 + timedelta(minutes=minutes))

    @property
    def paused(self) -> bool:
        return self.store.automation_state(KEY).top_ups_paused is not None

    def entries(self, action: AuditAction) -> list[str]:
        return [e.message for e in self.store.audit_entries(KEY) if e.action is action]


# Exactly 10 vs 11 users: on a small licence, 20% of its seats is below 10 users.
@pytest.mark.parametrize(("added", "paused"), [(10, False), (11, True)])
def test_more_than_ten_users_in_an_hour_pauses_a_small_licence(added: int, paused: bool) -> None:
    licence = Licence(total=40, assigned=5)  # 20% of 40 is 8: ten users is the limit
    licence.at(30, 5 + added)
    assert licence.paused is paused


# 20% of the seats against the 10 users: on 100 seats, the limit is 20 users.
@pytest.mark.parametrize(("added", "paused"), [(11, False), (20, False), (21, True)])
def test_the_share_of_seats_is_the_limit_when_it_is_the_larger(added: int, paused: bool) -> None:
    licence = Licence(total=100, assigned=50)
    licence.at(10, 50 + added)
    assert licence.paused is paused


def test_a_rise_spread_over_61_minutes_does_not_pause() -> None:
    licence = Licence(total=40, assigned=5)
    licence.at(0.5, 11)  # six at 09:00:30
    licence.at(30, 14)
    licence.at(61.5, 17)  # twelve in 61 minutes; in the hour up to now, 11 → 17
    assert not licence.paused


def test_the_same_rise_within_59_minutes_does_pause() -> None:
    licence = Licence(total=40, assigned=5)
    licence.at(0.5, 11)
    licence.at(30, 14)
    licence.at(59.5, 17)  # the 5 in force at 09:00 is within the hour: +12
    assert licence.paused


def test_a_count_recorded_exactly_an_hour_ago_is_where_the_hour_starts() -> None:
    licence = Licence(total=40, assigned=5)
    licence.at(0.5, 11)
    licence.at(60.5, 22)  # 11 was in force at 09:00:30: +11 in the hour
    assert licence.paused
    other = Licence(total=40, assigned=5)
    other.at(0.5, 11)
    other.at(60.5, 21)  # +10: not more than 10
    assert not other.paused


def test_a_drop_then_a_rise_is_measured_from_the_lowest_count() -> None:
    licence = Licence(total=40, assigned=20)
    licence.at(10, 12)  # eight users removed
    licence.at(20, 22)  # ten back and two more: +2 over the hour, +10 from the low
    assert not licence.paused
    licence.at(30, 23)  # +11 from the low within the hour
    assert licence.paused
    [message] = licence.entries(AuditAction.TOP_UPS_PAUSED)
    assert "rose by 11 (12 → 23)" in message


def test_thresholds_changed_mid_window_judge_the_rise_already_in_the_hour() -> None:
    licence = Licence(total=40, assigned=5)
    licence.at(10, 10)  # +5: below the default 10 users
    assert not licence.paused
    set_anomaly_policy(licence.uow, "C01", 4, 5, "admin@acme.example", T0 + timedelta(minutes=15))
    licence.at(20, 11)  # +6 in the hour, above the new 4 users and 5% of 40 (2)
    assert licence.paused
    [changed] = [
        e for e in licence.store.audit_entries(LicenceKey("C01", "customer"))
        if e.action is AuditAction.ANOMALY_POLICY_CHANGED
    ]  # fmt: skip
    assert "After: more than 4 users and 5% of seats in an hour" in changed.message


def test_thresholds_raised_mid_window_spare_the_licence() -> None:
    licence = Licence(total=40, assigned=5)
    set_anomaly_policy(licence.uow, "C01", 30, 20, "admin@acme.example", T0)
    licence.at(10, 25)  # +20: within the raised limit
    assert not licence.paused


def test_the_pause_is_written_with_the_figures_audited_and_alerted_once() -> None:
    licence = Licence(total=40, assigned=5)
    licence.at(5, 20)
    state = licence.store.automation_state(KEY)
    pause = state.top_ups_paused
    assert pause is not None
    assert (pause.rise, pause.assigned_from, pause.assigned_to) == (15, 5, 20)
    assert pause.paused_by == "anomaly guard"
    assert licence.store.licences[KEY].usage.assigned == 20  # the same transaction
    sent = licence.store.notifications_of("C01")
    alerts = [n for n in sent if n.type is NotificationType.TOP_UPS_PAUSED]
    assert [n.notification_id for n in alerts] == ["C01_1010020028-paused-1"]
    assert alerts[0].facts["rise"] == 15
    assert state.alert_ids(KEY.doc_id)[-1] == "C01_1010020028-paused-1"  # evaluation republishes
    licence.at(6, 30)  # a further rise while paused: no second pause, no second alert
    assert len(licence.entries(AuditAction.TOP_UPS_PAUSED)) == 1
    assert len(licence.store.notifications_of("C01")) == 1
    assert verify_chain(licence.store.audit_entries(KEY)) == []


def test_a_settings_save_does_not_resume_but_a_resume_does_and_restarts_the_window() -> None:
    licence = Licence(total=40, assigned=5)
    licence.at(5, 20)
    settings = LicenceSettings(auto_top_up=True, max_total_seats=60)
    save_settings(licence.uow, KEY, settings, "admin@acme.example", T0 + timedelta(minutes=6))
    assert licence.paused
    lifted = resume_top_ups(licence.uow, KEY, "admin@acme.example", T0 + timedelta(minutes=7))
    assert lifted.rise == 15
    assert not licence.paused
    [resumed] = licence.entries(AuditAction.TOP_UPS_RESUMED)
    assert "resumed by admin@acme.example" in resumed
    licence.at(8, 21)  # one more user: the rise already looked at does not count again
    assert not licence.paused
    with pytest.raises(NotPaused):
        resume_top_ups(licence.uow, KEY, "admin@acme.example", T0 + timedelta(minutes=9))
    licence.at(9, 32)  # a new rise of 11 after the resume pauses again, with a new alert
    assert licence.paused
    ids = sorted(n.notification_id for n in licence.store.notifications_of("C01"))
    assert ids == ["C01_1010020028-paused-1", "C01_1010020028-paused-2"]
    assert verify_chain(licence.store.audit_entries(KEY)) == []


def test_a_licence_seen_for_the_first_time_is_not_a_rise() -> None:
    licence = Licence(total=500, assigned=400)
    assert not licence.paused


def test_the_window_is_a_suffix_minimum_and_keeps_the_count_in_force_at_its_start() -> None:
    window = observe((), T0, 10)
    window = observe(window, T0 + timedelta(minutes=10), 20)
    window = observe(window, T0 + timedelta(minutes=20), 15)
    assert window == (AssignedSample(T0, 10), AssignedSample(T0 + timedelta(minutes=10), 15))
    later = T0 + timedelta(minutes=75)
    window = observe(window, later, 16)
    # 10 was in force until 09:10 only; 15 (from 09:10) is in force at 09:15 and stays
    assert window[0] == AssignedSample(T0 + timedelta(minutes=10), 15)
    found = rise(window, later)
    assert found is not None and (found.amount, found.assigned_from) == (1, 15)


def test_the_window_stays_small_and_errs_towards_pausing() -> None:
    window: anomaly.Window = ()
    for i in range(200):  # one more user every 10 seconds
        window = observe(window, T0 + timedelta(seconds=10 * i), i)
    assert len(window) <= anomaly.MAX_SAMPLES
    now = T0 + timedelta(seconds=1990)
    found = rise(window, now)
    assert found is not None and found.amount >= 199  # all of it within the hour: not less


@pytest.mark.parametrize(
    ("users", "percent", "fields"),
    [
        (10, 20, set()),
        (1, 1, set()),
        (0, 20, {"minUsers"}),
        (10, 0, {"minPercent"}),
        (10, 101, {"minPercent"}),
        (True, 20, {"minUsers"}),
        ("10", 20, {"minUsers"}),
        (100_001, 20, {"minUsers"}),
    ],
)
def test_thresholds_are_validated(users: object, percent: object, fields: set[str]) -> None:
    assert set(anomaly.policy_problems(users, percent)) == fields


def test_the_defaults_are_ten_users_and_twenty_percent() -> None:
    policy = AnomalyPolicy("C01")
    assert (policy.min_users, policy.min_percent) == (10, 20)
    assert not policy.exceeded(10, 10) and policy.exceeded(11, 10)
    assert not policy.exceeded(20, 100) and policy.exceeded(21, 100)


def test_the_pause_email_says_why_and_how_to_resume() -> None:
    from licence_manager.domain.emails import render

    licence = Licence(total=40, assigned=5)
    licence.at(5, 20)
    [alert] = licence.store.notifications_of("C01")
    email = render(alert, "https://lm.example")
    assert (
        email.subject
        == "Automatic top-ups paused: Google Workspace Business Standard for acme.example"
    )
    assert "rose by 15 (5 → 20) within an hour" in email.text
    assert "Resume automatic top-ups" in email.text
    assert "Saving the settings does not resume them" in email.text


def test_automation_stored_before_the_guard_reads_as_not_paused() -> None:
    from licence_manager.adapters.automation_codec import automation_from_doc, automation_to_doc
    from licence_manager.domain.automation import AutomationState

    doc = automation_to_doc(KEY, AutomationState(low_alerts=1))
    for field in ("assignedWindow", "topUpsPaused", "anomalyPauses", "statusAlertId"):
        del doc[field]
    assert automation_from_doc(doc) == AutomationState(low_alerts=1)
