from dataclasses import replace
from datetime import timedelta

import pytest

from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.model import GENESIS, AuditHead, Licence, Usage
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.outcomes import (
    ANNUAL_NOTE,
    RequestContext,
    applied,
    failed,
    superseded,
    take,
)
from licence_manager.domain.topup import (
    Claim,
    RequestStatus,
    SeatCheck,
    TopUpRequest,
    compare_seats,
)
from tests.builders import T0, subscription

LEASE = timedelta(minutes=5)
AT = T0 + timedelta(minutes=1)
AUTO_ID = "C01_1010020028-auto-1"
MANUAL_ID = "C01_1010020028-manual-0123456789ab"
OTHER_ID = "C01_1010020028-auto-9"


def licence(total: int = 10, plan: str = "FLEXIBLE", subscription_id: str = "sub-1") -> Licence:
    sub = subscription(plan=plan, total=total, assigned=total, subscription_id=subscription_id)
    return Licence(sub.key, sub.customer_domain, Usage.of(sub), "Europe/London", T0)


def request(
    source: Source = Source.AUTOMATIC, plan: str = "FLEXIBLE", **changes: object
) -> TopUpRequest:
    automatic = source is Source.AUTOMATIC
    made = TopUpRequest(
        request_id=AUTO_ID if automatic else MANUAL_ID,
        key=licence().key,
        source=source,
        requested_by="automatic top-up" if automatic else "admin@acme.example",
        plan_name=plan,
        seats_to_add=3,
        total_before=10,
        total_after=13,
        created_at=T0,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def in_flight(request: TopUpRequest, **changes: object) -> AutomationState:
    """The state while `request` is being applied: the automatic one is also pending."""
    state = AutomationState(
        month="2026-11",
        seats_added_this_month=2,
        top_ups=1,
        pending_request_id=AUTO_ID,
        in_flight_request_id=request.request_id,
        in_flight_total_after=request.total_after,
        in_flight_since=T0,
    )
    return replace(state, **changes)  # type: ignore[arg-type]


def context(
    request: TopUpRequest, state: AutomationState | None = None, current: Licence | None = None
) -> RequestContext:
    return RequestContext(
        request=request,
        licence=current or licence(plan=request.plan_name),
        today=None,
        state=state or in_flight(request),
        head=AuditHead(seq=4, hash="4" * 64),
    )


# take


def test_taking_a_pending_request_claims_it_for_one_attempt() -> None:
    outcome, claimed, _ = take(request(), AutomationState(), T0, LEASE)
    assert outcome is Claim.CLAIMED
    assert (claimed.status, claimed.claimed_at, claimed.attempts) == (RequestStatus.CLAIMED, T0, 1)


def test_taking_a_request_marks_its_licence_as_changing() -> None:
    _, _, state = take(request(), AutomationState(), T0, LEASE)
    assert (state.in_flight_request_id, state.in_flight_total_after, state.in_flight_since) == (
        AUTO_ID,
        13,
        T0,
    )


def test_a_request_waits_while_another_change_to_its_licence_is_live() -> None:
    state = AutomationState(in_flight_request_id=OTHER_ID, in_flight_since=T0)
    pending = request()
    outcome, unchanged, same_state = take(pending, state, T0 + LEASE - timedelta(seconds=1), LEASE)
    assert outcome is Claim.BUSY
    assert unchanged == pending
    assert same_state == state


def test_another_change_older_than_the_lease_is_taken_over() -> None:
    state = AutomationState(in_flight_request_id=OTHER_ID, in_flight_since=T0)
    outcome, claimed, taken = take(request(), state, T0 + LEASE, LEASE)
    assert outcome is Claim.CLAIMED
    assert claimed.attempts == 1
    assert (taken.in_flight_request_id, taken.in_flight_since) == (AUTO_ID, T0 + LEASE)


def test_a_request_claimed_by_a_live_attempt_is_busy() -> None:
    live = request(status=RequestStatus.CLAIMED, claimed_at=T0, attempts=1)
    outcome, unchanged, _ = take(live, in_flight(live), T0 + timedelta(minutes=1), LEASE)
    assert outcome is Claim.BUSY
    assert unchanged == live


def test_a_claim_older_than_the_lease_is_taken_over_and_counted() -> None:
    died = request(status=RequestStatus.CLAIMED, claimed_at=T0, attempts=1)
    outcome, claimed, state = take(died, in_flight(died), T0 + LEASE, LEASE)
    assert outcome is Claim.CLAIMED
    assert (claimed.attempts, claimed.claimed_at) == (2, T0 + LEASE)
    assert state.in_flight_since == T0 + LEASE


@pytest.mark.parametrize(
    "status", [RequestStatus.APPLIED, RequestStatus.FAILED, RequestStatus.SUPERSEDED]
)
def test_a_finished_request_is_done(status: RequestStatus) -> None:
    finished = request(status=status, attempts=1)
    state = AutomationState()
    assert take(finished, state, T0, LEASE) == (Claim.DONE, finished, state)


# compare_seats


def test_seats_still_at_the_decided_total_are_changed() -> None:
    assert compare_seats(request(), 10) is SeatCheck.CHANGE


def test_seats_at_the_wanted_total_after_asking_google_were_applied_before() -> None:
    asked = request(status=RequestStatus.CLAIMED, attempts=1, change_sent_at=T0)
    assert compare_seats(asked, 13) is SeatCheck.ALREADY_APPLIED


def test_seats_at_the_wanted_total_without_asking_google_were_changed_by_someone_else() -> None:
    assert compare_seats(request(), 13) is SeatCheck.SUPERSEDED


@pytest.mark.parametrize("current", [9, 11, 14])
def test_seats_at_any_other_total_supersede_the_request(current: int) -> None:
    assert compare_seats(request(), current) is SeatCheck.SUPERSEDED


# applied


def test_applying_updates_the_licence_total_and_subscription_id() -> None:
    outcome = applied(context(request()), AT, "sub-2", recovered=False)
    assert outcome.licence is not None
    assert (outcome.licence.usage.total, outcome.licence.usage.subscription_id) == (13, "sub-2")
    assert outcome.licence.usage.assigned == 10
    assert outcome.licence.updated_at == AT


def test_applying_marks_the_request_applied() -> None:
    outcome = applied(context(request()), AT, "sub-2", recovered=False)
    assert outcome.request.status is RequestStatus.APPLIED
    assert (outcome.request.finished_at, outcome.request.subscription_id) == (AT, "sub-2")
    assert outcome.request.recovered is False
    assert outcome.request.message == "Added 3 seats (automatic): 10 → 13"


def test_applying_rolls_the_day_from_the_old_total_to_the_new() -> None:
    day = applied(context(request()), AT, "sub-2", recovered=False).daily
    assert day is not None
    assert (day.open_total, day.last_total, day.changes) == (10, 13, 1)


def test_applying_a_total_a_sync_already_recorded_leaves_the_day_alone() -> None:
    synced = licence(total=13, subscription_id="sub-2")
    outcome = applied(context(request(), current=synced), AT, "sub-2", recovered=False)
    assert outcome.daily is None
    assert outcome.licence is not None and outcome.licence.usage.total == 13


def test_an_applied_automatic_top_up_frees_the_licence_and_counts_for_the_month() -> None:
    state = applied(context(request()), AT, "sub-2", recovered=False).state
    assert (state.pending_request_id, state.in_flight_request_id) == (None, None)
    assert (state.in_flight_total_after, state.in_flight_since) == (None, None)
    assert state.seats_added_this_month == 2 + 3


def test_an_applied_manual_addition_does_not_count_for_the_month() -> None:
    manual = request(source=Source.MANUAL)
    state = applied(context(manual), AT, "sub-2", recovered=False).state
    assert state.in_flight_request_id is None
    assert state.seats_added_this_month == 2
    assert state.pending_request_id == AUTO_ID  # the automation's own request is untouched


def test_the_first_addition_of_a_new_month_starts_its_count_afresh() -> None:
    last_month = in_flight(request(), month="2026-10", seats_added_this_month=7)
    state = applied(context(request(), last_month), AT, "sub-2", recovered=False).state
    assert (state.month, state.seats_added_this_month) == ("2026-11", 3)


def test_applying_is_audited_with_the_totals_before_and_after() -> None:
    outcome = applied(context(request()), AT, "sub-2", recovered=False)
    (entry,) = outcome.audit
    assert entry.action is AuditAction.TOP_UP_APPLIED
    assert (entry.source, entry.actor) == (Source.AUTOMATIC, "automatic top-up")
    assert (entry.seats_before, entry.seats_after) == (10, 13)
    assert (entry.seq, entry.prev_hash) == (5, "4" * 64)
    assert outcome.audit_head == entry.head


def test_an_applied_change_chains_onto_genesis_verifiably() -> None:
    fresh = replace(context(request()), head=GENESIS)
    outcome = applied(fresh, AT, "sub-2", recovered=False)
    assert verify_chain(list(outcome.audit)) == []


def test_applying_sends_a_confirmation_with_the_figures() -> None:
    notice = applied(context(request()), AT, "sub-2", recovered=False).notification
    assert notice is not None
    assert notice.notification_id == f"{AUTO_ID}-applied"
    assert (notice.type, notice.created_at) == (NotificationType.TOP_UP_APPLIED, AT)
    facts = notice.facts
    assert (facts["seatsAdded"], facts["totalBefore"], facts["totalAfter"]) == (3, 10, 13)
    assert (facts["source"], facts["total"], facts["customerDomain"]) == (
        "automatic",
        13,
        "acme.example",
    )


def test_the_confirmation_of_an_annual_plan_carries_the_annual_note() -> None:
    annual = request(plan="ANNUAL_MONTHLY_PAY")
    notice = applied(context(annual), AT, "sub-2", recovered=False).notification
    assert notice is not None and notice.facts["planNote"] == ANNUAL_NOTE


def test_the_confirmation_of_a_flexible_plan_has_no_note() -> None:
    notice = applied(context(request(plan="FLEXIBLE")), AT, "sub-2", recovered=False).notification
    assert notice is not None and notice.facts["planNote"] == ""


def test_a_change_found_already_made_is_recorded_as_recovered() -> None:
    outcome = applied(context(request()), AT, "sub-2", recovered=True)
    assert outcome.request.recovered is True
    assert outcome.request.message == (
        "Added 3 seats (automatic): 10 → 13 (found applied by an earlier attempt; not bought again)"
    )
    assert outcome.audit[0].message == outcome.request.message


# failed


def test_a_refused_change_marks_the_request_failed() -> None:
    outcome = failed(context(request()), AT, "400 Invalid seat count")
    assert outcome.request.status is RequestStatus.FAILED
    assert outcome.request.finished_at == AT
    assert outcome.request.message == "Could not add 3 seats: 400 Invalid seat count"
    assert (outcome.licence, outcome.daily) == (None, None)


def test_a_failed_automatic_top_up_pauses_the_automation_at_its_total() -> None:
    state = failed(context(request()), AT, "400 Invalid seat count").state
    assert state.failed_at_total == 10
    assert (state.pending_request_id, state.in_flight_request_id) == (None, None)
    assert state.seats_added_this_month == 2


def test_a_failed_manual_addition_does_not_pause_the_automation() -> None:
    state = failed(context(request(source=Source.MANUAL)), AT, "400 Invalid seat count").state
    assert state.failed_at_total is None
    assert state.pending_request_id == AUTO_ID
    assert state.in_flight_request_id is None


def test_a_failure_is_notified_with_the_reason() -> None:
    notice = failed(context(request()), AT, "400 Invalid seat count").notification
    assert notice is not None
    assert notice.notification_id == f"{AUTO_ID}-failed"
    assert notice.type is NotificationType.TOP_UP_FAILED
    assert notice.facts["reason"] == "Could not add 3 seats: 400 Invalid seat count"
    assert (notice.facts["seatsWanted"], notice.facts["source"]) == (3, "automatic")


def test_a_failure_is_audited() -> None:
    (entry,) = failed(context(request()), AT, "400 Invalid seat count").audit
    assert entry.action is AuditAction.TOP_UP_FAILED
    assert (entry.seats_before, entry.seats_after) == (10, 13)


# superseded


def test_a_superseded_request_buys_nothing_and_says_why() -> None:
    outcome = superseded(context(request()), AT, current_total=15)
    assert outcome.request.status is RequestStatus.SUPERSEDED
    assert outcome.request.message == (
        "Not applied: seats are 15, not the 10 this automatic request was based on"
    )
    assert (outcome.notification, outcome.licence, outcome.daily) == (None, None, None)


def test_a_superseded_request_frees_the_licence_without_pausing_or_counting() -> None:
    state = superseded(context(request()), AT, current_total=15).state
    assert (state.pending_request_id, state.in_flight_request_id) == (None, None)
    assert (state.failed_at_total, state.seats_added_this_month) == (None, 2)


def test_a_superseded_request_is_audited() -> None:
    (entry,) = superseded(context(request()), AT, current_total=15).audit
    assert entry.action is AuditAction.TOP_UP_SUPERSEDED
    assert entry.message.startswith("Not applied: seats are 15")
