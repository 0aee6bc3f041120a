from dataclasses import replace
from datetime import UTC, datetime, timedelta

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.automation import AutomationState, Evaluation, evaluate
from licence_manager.domain.model import GENESIS, AuditHead, Licence, Usage
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.settings import LicenceSettings, TopUpMode
from licence_manager.domain.topup import RequestStatus
from tests.builders import T0, subscription

LONDON = "Europe/London"
ALERT = LicenceSettings(low_licence_alert=True, alert_vacant_at_or_below=2)
TOP_UP = LicenceSettings(
    auto_top_up=True, top_up_when_vacant_below=2, top_up_target_vacant=4, max_total_seats=100
)
BOTH = replace(
    ALERT, auto_top_up=True, top_up_when_vacant_below=2, top_up_target_vacant=4, max_total_seats=100
)
THIS_MONTH = AutomationState(month="2026-11")  # T0 is 2 November 2026


def licence(
    total: int = 10, assigned: int = 5, status: str = "ACTIVE", time_zone: str = LONDON
) -> Licence:
    sub = subscription(total=total, assigned=assigned, status=status)
    return Licence(sub.key, sub.customer_domain, Usage.of(sub), time_zone, T0)


def run(
    licence: Licence,
    settings: LicenceSettings,
    state: AutomationState = THIS_MONTH,
    head: AuditHead = GENESIS,
    now: datetime = T0,
) -> Evaluation:
    return evaluate(licence, settings, state, head, now)


# Low-licence alerts


def test_low_usage_raises_an_alert_with_a_deterministic_id() -> None:
    result = run(licence(total=10, assigned=9), ALERT)
    (alert,) = result.new_notifications
    assert alert.notification_id == "C01_1010020028-low-1"
    assert alert.type is NotificationType.LOW_LICENCES
    assert alert.created_at == T0
    assert (result.state.low_alert_active, result.state.low_alerts) == (True, 1)
    assert result.changed


def test_the_alert_carries_the_usage_figures() -> None:
    (alert,) = run(licence(total=10, assigned=9), ALERT).new_notifications
    assert alert.facts == {
        "customerDomain": "acme.example",
        "skuName": "Google Workspace Business Standard",
        "planName": "FLEXIBLE",
        "assigned": 9,
        "total": 10,
        "vacant": 1,
        "utilisation": 0.9,
    }


def test_the_same_low_usage_evaluated_twice_alerts_once() -> None:
    low = licence(total=10, assigned=9)
    first = run(low, ALERT)
    again = run(low, ALERT, first.state, first.audit_head, T0 + timedelta(minutes=5))
    assert len(first.new_notifications) == 1
    assert again.new_notifications == ()
    assert again.audit == ()
    assert not again.changed


def test_recovering_re_arms_the_alert_without_notifying() -> None:
    first = run(licence(total=10, assigned=9), ALERT)
    recovered = run(licence(total=10, assigned=5), ALERT, first.state, first.audit_head)
    assert recovered.new_notifications == ()
    assert recovered.state.low_alert_active is False
    assert recovered.changed


def test_the_next_crossing_after_recovery_is_a_second_alert() -> None:
    first = run(licence(total=10, assigned=9), ALERT)
    recovered = run(licence(total=10, assigned=5), ALERT, first.state)
    second = run(licence(total=10, assigned=8), ALERT, recovered.state)
    (alert,) = second.new_notifications
    assert alert.notification_id == "C01_1010020028-low-2"
    assert second.state.low_alerts == 2


def test_the_alert_is_audited_as_made_by_the_automation() -> None:
    (entry,) = run(licence(total=10, assigned=9), ALERT).audit
    assert entry.action is AuditAction.LOW_LICENCE_ALERT
    assert (entry.source, entry.actor) == (Source.AUTOMATIC, "automatic top-up")
    assert entry.message == "Low licences: 1 vacant of 10; alert raised"
    assert (entry.seats_before, entry.seats_after) == (10, 10)


def test_a_suspended_licence_neither_alerts_nor_tops_up() -> None:
    result = run(licence(total=10, assigned=10, status="SUSPENDED"), BOTH)
    assert (result.new_notifications, result.new_request, result.audit) == ((), None, ())


def test_healthy_usage_changes_nothing() -> None:
    head = AuditHead(seq=7, hash="a" * 64)
    result = run(licence(total=10, assigned=5), BOTH, head=head)
    assert result == Evaluation(state=THIS_MONTH, audit_head=head, changed=False)


# Automatic top-ups


def test_a_top_up_request_is_created_with_a_deterministic_id() -> None:
    request = run(licence(total=10, assigned=9), TOP_UP).new_request
    assert request is not None
    assert request.request_id == "C01_1010020028-auto-1"
    assert (request.seats_to_add, request.total_before, request.total_after) == (3, 10, 13)
    assert (request.source, request.requested_by) == (Source.AUTOMATIC, "automatic top-up")
    assert (request.plan_name, request.created_at, request.status) == (
        "FLEXIBLE",
        T0,
        RequestStatus.PENDING,
    )


def test_the_new_request_is_pending_on_the_licence() -> None:
    result = run(licence(total=10, assigned=9), TOP_UP)
    assert result.state.pending_request_id == "C01_1010020028-auto-1"
    assert result.state.top_ups == 1
    assert result.changed


def test_the_top_up_request_is_audited_with_the_intended_totals() -> None:
    (entry,) = run(licence(total=10, assigned=9), TOP_UP).audit
    assert entry.action is AuditAction.TOP_UP_REQUESTED
    assert entry.message == "1 vacant, below 2: adding 3 seats (10 → 13)"
    assert (entry.seats_before, entry.seats_after) == (10, 13)


def test_no_second_request_while_one_is_pending_even_if_still_low() -> None:
    low = licence(total=10, assigned=10)
    first = run(low, TOP_UP)
    again = run(low, TOP_UP, first.state, first.audit_head, T0 + timedelta(minutes=5))
    assert again.new_request is None
    assert again.audit == ()
    assert not again.changed


def test_the_next_request_after_one_finished_is_numbered_on() -> None:
    state = replace(THIS_MONTH, top_ups=1)  # the first was applied and released
    request = run(licence(total=12, assigned=12), TOP_UP, state).new_request
    assert request is not None
    assert request.request_id == "C01_1010020028-auto-2"


def test_an_alert_and_a_request_can_come_from_one_evaluation() -> None:
    result = run(licence(total=10, assigned=9), BOTH)
    assert [n.notification_id for n in result.new_notifications] == ["C01_1010020028-low-1"]
    assert result.new_request is not None
    assert [e.action for e in result.audit] == [
        AuditAction.LOW_LICENCE_ALERT,
        AuditAction.TOP_UP_REQUESTED,
    ]


# Blocked top-ups

CAPPED = replace(TOP_UP, max_total_seats=12)
CAP_REASON = "Adding 3 would make 13, above your maximum of 12 seats."


def test_a_blocked_top_up_notifies_the_reason_once() -> None:
    result = run(licence(total=10, assigned=9), CAPPED)
    (notice,) = result.new_notifications
    assert notice.notification_id == "C01_1010020028-blocked-1"
    assert notice.type is NotificationType.TOP_UP_FAILED
    assert (notice.facts["reason"], notice.facts["seatsWanted"]) == (CAP_REASON, 3)
    assert result.new_request is None
    assert (result.state.blocked_alert_active, result.state.blocked_alerts) == (True, 1)


def test_a_blocked_top_up_is_audited_with_the_reason() -> None:
    (entry,) = run(licence(total=10, assigned=9), CAPPED).audit
    assert entry.action is AuditAction.TOP_UP_BLOCKED
    assert entry.message == f"Automatic top-up not made: {CAP_REASON}"
    assert (entry.seats_before, entry.seats_after) == (10, 10)


def test_a_top_up_still_blocked_is_not_notified_again() -> None:
    low = licence(total=10, assigned=9)
    first = run(low, CAPPED)
    again = run(low, CAPPED, first.state, first.audit_head, T0 + timedelta(minutes=5))
    assert (again.new_notifications, again.audit, again.changed) == ((), (), False)


def test_a_new_crossing_after_recovery_notifies_a_blocked_top_up_again() -> None:
    first = run(licence(total=10, assigned=9), CAPPED)
    recovered = run(licence(total=10, assigned=5), CAPPED, first.state)
    assert recovered.state.blocked_alert_active is False
    second = run(licence(total=10, assigned=9), CAPPED, recovered.state)
    assert [n.notification_id for n in second.new_notifications] == ["C01_1010020028-blocked-2"]


# A failed top-up pauses the automation


def test_after_a_failure_no_top_up_is_planned_at_the_same_total() -> None:
    paused = replace(THIS_MONTH, failed_at_total=10)
    result = run(licence(total=10, assigned=10), TOP_UP, paused)
    assert (result.new_request, result.audit, result.changed) == (None, (), False)
    assert result.state.failed_at_total == 10


def test_the_automation_resumes_once_the_total_changes() -> None:
    paused = replace(THIS_MONTH, failed_at_total=10)
    result = run(licence(total=11, assigned=11), TOP_UP, paused)
    assert result.state.failed_at_total is None
    assert result.new_request is not None
    assert (result.new_request.total_before, result.new_request.total_after) == (11, 15)


# The monthly counter, in the licence's own time zone

LAST_NIGHT_OF_JUNE = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London
MONTHLY = LicenceSettings(
    auto_top_up=True,
    top_up_mode=TopUpMode.FIXED_STEP,
    top_up_step=1,
    max_seats_per_month=5,
)
JUNE_SPENT = AutomationState(month="2026-06", seats_added_this_month=5)


def test_a_new_month_in_the_licence_time_zone_resets_the_monthly_counter() -> None:
    london = licence(total=10, assigned=10, time_zone=LONDON)
    result = run(london, MONTHLY, JUNE_SPENT, now=LAST_NIGHT_OF_JUNE)
    assert (result.state.month, result.state.seats_added_this_month) == ("2026-07", 0)
    assert result.new_request is not None


def test_the_same_instant_is_still_last_month_in_utc() -> None:
    utc = licence(total=10, assigned=10, time_zone="UTC")
    result = run(utc, MONTHLY, JUNE_SPENT, now=LAST_NIGHT_OF_JUNE)
    assert (result.state.month, result.state.seats_added_this_month) == ("2026-06", 5)
    assert result.new_request is None
    (notice,) = result.new_notifications
    assert notice.facts["reason"] == (
        "Adding 1 would bring this month's automatic additions to 6, "
        "above your monthly maximum of 5."
    )


def test_a_first_evaluation_records_the_month_as_a_change() -> None:
    result = run(licence(total=10, assigned=5), BOTH, AutomationState())
    assert result.state == AutomationState(month="2026-11")
    assert result.changed


# The audit chain


def test_entries_from_genesis_form_a_verifiable_chain() -> None:
    result = run(licence(total=10, assigned=9), BOTH, head=GENESIS)
    assert [e.seq for e in result.audit] == [1, 2]
    assert result.audit[0].prev_hash == GENESIS.hash
    assert result.audit_head == result.audit[-1].head
    assert verify_chain(list(result.audit)) == []


def test_entries_continue_the_chain_from_the_given_head() -> None:
    earlier = audit.append(
        GENESIS, licence().key, T0 - timedelta(days=1), AuditAction.LICENCE_DISCOVERED,
        Source.SYNC, "sync", "Discovered", None, 10,
    )  # fmt: skip
    result = run(licence(total=10, assigned=9), BOTH, head=earlier.head)
    assert [e.seq for e in result.audit] == [2, 3]
    assert result.audit[0].prev_hash == earlier.hash
    assert result.audit_head == AuditHead(seq=3, hash=result.audit[1].hash)
    assert verify_chain([earlier, *result.audit]) == []
