from dataclasses import replace
from datetime import timedelta

from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.model import GENESIS, Usage
from licence_manager.domain.observation import (
    REMOVED,
    LicenceContext,
    needs_recording,
    record_disappearance,
    record_observation,
)
from tests.builders import T0, subscription

TZ = "Europe/London"
HEADS: dict = {}


def observe(stored, today, sub, at, tz, in_flight_total=None):  # type: ignore[no-untyped-def]
    """Record an observation, continuing the audit chain from the stored licence's last entry."""
    head = HEADS.get(sub.key, GENESIS) if stored is not None else GENESIS
    context = LicenceContext(stored, today, head, in_flight_total)
    change = record_observation(context, sub, at, tz)
    if change is not None:
        HEADS[sub.key] = change.audit_head
    return change


def test_a_new_licence_is_recorded_with_a_discovery_entry() -> None:
    change = observe(None, None, subscription(total=10, assigned=4), T0, TZ)
    assert change is not None
    assert change.licence.usage.total == 10
    assert change.licence.time_zone == TZ
    assert [e.action for e in change.audit] == [AuditAction.LICENCE_DISCOVERED]
    assert change.audit_head == change.audit[0].head
    assert change.daily is not None and change.daily.covered_from == T0


def test_nothing_changed_writes_nothing() -> None:
    first = observe(None, None, subscription(), T0, TZ)
    assert first is not None
    again = observe(first.licence, first.daily, subscription(), T0 + timedelta(minutes=1), TZ)
    assert again is None
    assert not needs_recording(first.licence, Usage.of(subscription()))


def test_a_new_subscription_id_alone_is_recorded_but_not_audited() -> None:
    first = observe(None, None, subscription(subscription_id="a"), T0, TZ)
    assert first is not None
    renewed = observe(
        first.licence, first.daily, subscription(subscription_id="b"), T0 + timedelta(minutes=1), TZ
    )
    assert renewed is not None
    assert renewed.audit == ()
    assert renewed.daily is None  # seat figures of the day did not move
    assert renewed.licence.usage.subscription_id == "b"


def test_assigned_users_changing_updates_the_day_without_an_audit_entry() -> None:
    first = observe(None, None, subscription(assigned=4), T0, TZ)
    assert first is not None
    later = observe(
        first.licence, first.daily, subscription(assigned=6), T0 + timedelta(hours=1), TZ
    )
    assert later is not None
    assert later.audit == ()
    assert later.daily is not None and later.daily.last_assigned == 6
    assert later.daily.assigned_seat_seconds == 4 * 3600


def test_seats_changed_outside_licence_manager_are_audited_with_before_and_after() -> None:
    first = observe(None, None, subscription(total=10), T0, TZ)
    assert first is not None
    later = observe(first.licence, first.daily, subscription(total=15), T0 + timedelta(hours=1), TZ)
    assert later is not None
    (entry,) = later.audit
    assert (entry.action, entry.source) == (AuditAction.SEATS_CHANGED_OUTSIDE, Source.OUTSIDE)
    assert (entry.seats_before, entry.seats_after) == (10, 15)
    assert verify_chain([*first.audit, entry]) == []


def test_plan_and_status_changes_are_audited_in_one_chain() -> None:
    first = observe(None, None, subscription(plan="TRIAL", total=10), T0, TZ)
    assert first is not None
    later = observe(
        first.licence,
        first.daily,
        subscription(plan="FLEXIBLE", total=10, status="SUSPENDED"),
        T0 + timedelta(hours=1),
        TZ,
    )
    assert later is not None
    assert [e.action for e in later.audit] == [AuditAction.PLAN_CHANGED, AuditAction.STATUS_CHANGED]
    assert [e.seq for e in later.audit] == [2, 3]
    assert later.audit_head.seq == 3


def test_an_observation_older_than_the_stored_licence_is_ignored() -> None:
    first = observe(None, None, subscription(total=10), T0, TZ)
    assert first is not None
    stale = observe(
        first.licence, first.daily, subscription(total=8), T0 - timedelta(minutes=5), TZ
    )
    assert stale is None


def test_a_licence_keeps_its_own_time_zone() -> None:
    first = observe(None, None, subscription(), T0, "Asia/Tokyo")
    assert first is not None
    later = observe(first.licence, None, subscription(assigned=9), T0 + timedelta(hours=1), TZ)
    assert later is not None and later.licence.time_zone == "Asia/Tokyo"


def test_disappearance_is_recorded_once() -> None:
    first = observe(None, None, subscription(), T0, TZ)
    assert first is not None
    gone = record_disappearance(
        LicenceContext(first.licence, None, first.audit_head), T0 + timedelta(hours=1)
    )
    assert gone is not None
    assert gone.licence.usage.status == REMOVED
    assert [e.action for e in gone.audit] == [AuditAction.LICENCE_REMOVED]
    again = LicenceContext(gone.licence, None, gone.audit_head)
    assert record_disappearance(again, T0 + timedelta(hours=2)) is None
    assert replace(gone.licence.usage, status="ACTIVE") == first.licence.usage


def test_while_a_change_is_in_flight_the_total_waits_for_its_outcome() -> None:
    """Which part of a new total the change in flight made cannot be told until it finishes:
    the stored total is left alone (its outcome records it), everything else is recorded."""
    first = observe(None, None, subscription(total=10, assigned=5), T0, TZ)
    assert first is not None
    at_target = observe(
        first.licence,
        first.daily,
        subscription(total=13, assigned=5),
        T0 + timedelta(minutes=1),
        TZ,
        in_flight_total=13,
    )
    assert at_target is None  # nothing else moved
    more_users = observe(
        first.licence,
        first.daily,
        subscription(total=12, assigned=7),
        T0 + timedelta(minutes=1),
        TZ,
        in_flight_total=13,
    )
    assert more_users is not None
    assert (more_users.licence.usage.total, more_users.licence.usage.assigned) == (10, 7)
    assert more_users.audit == ()


ENDS = T0 + timedelta(days=120)


def test_a_renewal_type_changed_outside_is_audited_without_touching_the_day() -> None:
    auto = subscription(
        plan="ANNUAL_YEARLY_PAY", renewal_type="AUTO_RENEW_YEARLY_PAY", commitment_ends_at=ENDS
    )
    first = observe(None, None, auto, T0, TZ)
    assert first is not None
    assert first.licence.usage.renewal_type == "AUTO_RENEW_YEARLY_PAY"
    assert first.licence.usage.commitment_ends_at == ENDS
    current = replace(auto, renewal_type="RENEW_CURRENT_USERS_YEARLY_PAY")
    later = observe(first.licence, first.daily, current, T0 + timedelta(hours=1), TZ)
    assert later is not None
    (entry,) = later.audit
    assert (entry.action, entry.source) == (AuditAction.RENEWAL_TYPE_CHANGED, Source.OUTSIDE)
    assert entry.message == (
        "Renewal type changed from AUTO_RENEW_YEARLY_PAY to RENEW_CURRENT_USERS_YEARLY_PAY"
    )
    assert (entry.seats_before, entry.seats_after) == (10, 10)
    assert later.daily is None  # the seat figures of the day did not move
    assert later.licence.usage.renewal_type == "RENEW_CURRENT_USERS_YEARLY_PAY"
    assert verify_chain([*first.audit, entry]) == []


def test_an_unknown_renewal_type_is_kept_as_it_is() -> None:
    auto = subscription(plan="ANNUAL", renewal_type="AUTO_RENEW_MONTHLY_PAY")
    first = observe(None, None, auto, T0, TZ)
    assert first is not None
    odd = replace(auto, renewal_type="RENEW_BY_MAGIC_2029")
    later = observe(first.licence, first.daily, odd, T0 + timedelta(hours=1), TZ)
    assert later is not None and later.licence.usage.renewal_type == "RENEW_BY_MAGIC_2029"
    assert [e.message for e in later.audit] == [
        "Renewal type changed from AUTO_RENEW_MONTHLY_PAY to RENEW_BY_MAGIC_2029"
    ]


def test_a_renewal_type_seen_for_the_first_time_is_stored_but_is_no_change() -> None:
    # A licence stored before renewal types were read: the first sync after stores it quietly.
    before = subscription(plan="ANNUAL")
    first = observe(None, None, before, T0, TZ)
    assert first is not None
    seen = replace(before, renewal_type="RENEW_CURRENT_USERS_MONTHLY_PAY", commitment_ends_at=ENDS)
    later = observe(first.licence, first.daily, seen, T0 + timedelta(hours=1), TZ)
    assert later is not None and later.audit == () and later.daily is None
    assert later.licence.usage.commitment_ends_at == ENDS


def test_a_renewal_type_no_longer_reported_is_audited() -> None:
    auto = subscription(plan="ANNUAL", renewal_type="CANCEL", commitment_ends_at=ENDS)
    first = observe(None, None, auto, T0, TZ)
    assert first is not None
    gone = replace(auto, renewal_type="")
    later = observe(first.licence, first.daily, gone, T0 + timedelta(hours=1), TZ)
    assert later is not None
    assert [(e.action, e.message) for e in later.audit] == [
        (AuditAction.RENEWAL_TYPE_CHANGED, "Renewal type CANCEL is no longer reported")
    ]


def test_a_new_term_end_alone_is_recorded_but_not_audited() -> None:
    auto = subscription(plan="ANNUAL", renewal_type="CANCEL", commitment_ends_at=ENDS)
    first = observe(None, None, auto, T0, TZ)
    assert first is not None
    renewed = replace(auto, commitment_ends_at=ENDS + timedelta(days=365))
    later = observe(first.licence, first.daily, renewed, T0 + timedelta(hours=1), TZ)
    assert later is not None and later.audit == ()
    assert later.licence.usage.commitment_ends_at == ENDS + timedelta(days=365)
