"""Reclaim before buying inside the one "may we buy now" rule (domain.buying): an automatic
top-up waits while the SKU's reclaimable seats reach the admin's threshold, an admin's own
request never does, and an unknown count holds nothing. Pure: no I/O, no doubles."""

from dataclasses import replace
from datetime import timedelta

import pytest

from licence_manager.domain import outcomes
from licence_manager.domain.audit import Source
from licence_manager.domain.automation import AutomationState, evaluate
from licence_manager.domain.buying import BuyingControl, automatic_limit, refusal
from licence_manager.domain.emails import render
from licence_manager.domain.model import GENESIS, AuditHead, Licence, Usage
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.outcomes import RequestContext
from licence_manager.domain.policy import TopUpBlocked, TopUpPlan, plan_top_up
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import TopUpRequest
from tests.builders import T0, subscription

HOLD = 3
# 1 vacant of 10, below 2: top up 3 seats to get back to 4 vacant (10 → 13).
SETTINGS = LicenceSettings(
    low_licence_alert=True,
    alert_vacant_at_or_below=2,
    auto_top_up=True,
    top_up_when_vacant_below=2,
    top_up_target_vacant=4,
    max_total_seats=100,
    hold_top_ups_when_reclaimable=HOLD,
)
THIS_MONTH = AutomationState(month="2026-11")


def licence(plan: str = "FLEXIBLE", total: int = 10, assigned: int = 9) -> Licence:
    sub = subscription(plan=plan, total=total, assigned=assigned)
    return Licence(sub.key, sub.customer_domain, Usage.of(sub), "Europe/London", T0)


def request(source: Source = Source.AUTOMATIC, plan: str = "FLEXIBLE") -> TopUpRequest:
    return TopUpRequest(
        request_id="r1",
        key=licence().key,
        source=source,
        requested_by="automatic top-up" if source is Source.AUTOMATIC else "admin@acme.example",
        plan_name=plan,
        seats_to_add=3,
        total_before=10,
        total_after=13,
        created_at=T0,
    )


def limit(reclaimable: int | None, settings: LicenceSettings = SETTINGS) -> str | None:
    return automatic_limit(settings, "FLEXIBLE", 10, 3, 0, reclaimable=reclaimable)


def refuse(
    reclaimable: int | None,
    source: Source = Source.AUTOMATIC,
    settings: LicenceSettings = SETTINGS,
) -> str | None:
    return refusal(
        request(source),
        control=BuyingControl(),
        settings=settings,
        settings_saved_at=T0 - timedelta(minutes=1),
        added_this_month=0,
        plan_now="FLEXIBLE",
        reclaimable=reclaimable,
        paused=None,
        now=T0 + timedelta(seconds=5),
    )


# the rule's limit


@pytest.mark.parametrize("reclaimable", [HOLD, HOLD + 1, 50])
def test_an_automatic_top_up_is_held_at_or_above_the_threshold(reclaimable: int) -> None:
    assert limit(reclaimable) == (
        f"{reclaimable} seats can be reclaimed, and automatic top-ups wait while 3 or more can"
    )


@pytest.mark.parametrize("reclaimable", [0, HOLD - 1])
def test_an_automatic_top_up_goes_ahead_below_the_threshold(reclaimable: int) -> None:
    assert limit(reclaimable) is None


def test_an_unknown_count_holds_nothing() -> None:
    assert limit(None) is None


def test_with_the_hold_off_any_count_goes_ahead() -> None:
    assert limit(500, replace(SETTINGS, hold_top_ups_when_reclaimable=None)) is None


def test_a_cap_says_why_before_the_hold_does() -> None:
    capped = replace(SETTINGS, max_total_seats=12)
    assert limit(HOLD, capped) == "adding 3 would make 13, above your maximum of 12 seats"


# the rule the applier asks in the claim


def test_the_claim_refuses_an_automatic_top_up_while_enough_seats_are_reclaimable() -> None:
    refused = refuse(HOLD)
    assert refused is not None and "3 seats can be reclaimed" in refused


@pytest.mark.parametrize("source", [Source.MANUAL, Source.PURCHASE])
def test_an_admins_own_request_is_never_held(source: Source) -> None:
    assert refuse(1_000, source) is None


def test_the_claim_lets_an_automatic_top_up_go_when_the_count_is_unknown_or_low() -> None:
    assert refuse(None) is None
    assert refuse(HOLD - 1) is None


def test_the_emergency_stop_still_comes_first() -> None:
    stopped = refusal(
        request(),
        control=BuyingControl(paused=True, reason="card declined"),
        settings=SETTINGS,
        settings_saved_at=None,
        added_this_month=0,
        plan_now="FLEXIBLE",
        reclaimable=HOLD,
        paused=None,
        now=T0,
    )
    assert stopped == "buying is paused by the reseller: card declined"


# the decision: the same rule, an alert instead of a request


def test_a_held_top_up_is_blocked_with_the_holds_own_alert() -> None:
    blocked = plan_top_up(licence().usage, SETTINGS, 0, reclaimable=4)
    assert isinstance(blocked, TopUpBlocked)
    assert blocked.seats_wanted == 3
    assert blocked.reason.startswith(
        "3 seats were not added automatically: 4 seats can be reclaimed, and automatic top-ups "
        "wait while 3 or more can."
    )
    assert blocked.reason.endswith("Reclaim seats on the Reclaim page, or add seats by hand.")


def test_on_an_annual_plan_the_alert_says_the_seats_are_paid_until_renewal() -> None:
    annual = licence(plan="ANNUAL_MONTHLY_PAY").usage
    blocked = plan_top_up(annual, SETTINGS, 0, reclaimable=HOLD)
    assert isinstance(blocked, TopUpBlocked)
    assert "every seat is paid for until it renews" in blocked.reason


def test_below_the_threshold_the_decision_is_a_top_up() -> None:
    assert plan_top_up(licence().usage, SETTINGS, 0, reclaimable=2) == TopUpPlan(3, 10, 13)
    assert plan_top_up(licence().usage, SETTINGS, 0) == TopUpPlan(3, 10, 13)  # unknown


def test_a_held_evaluation_makes_no_request_and_one_alert_that_says_why() -> None:
    made = evaluate(licence(), SETTINGS, THIS_MONTH, GENESIS, T0, reclaimable=HOLD)
    assert made.new_request is None
    blocked = next(n for n in made.new_notifications if n.type is NotificationType.TOP_UP_FAILED)
    assert "3 seats can be reclaimed" in str(blocked.facts["reason"])
    again = evaluate(licence(), SETTINGS, made.state, made.audit_head, T0, reclaimable=HOLD)
    assert again.new_notifications == ()  # once per crossing, as every blocked alert


# what the emails say


def test_a_low_licence_alert_records_the_reclaimable_seats_when_known() -> None:
    alerts = LicenceSettings(low_licence_alert=True, alert_vacant_at_or_below=2)
    (known,) = evaluate(licence(), alerts, THIS_MONTH, GENESIS, T0, reclaimable=5).new_notifications
    assert known.facts["reclaimable"] == 5
    assert "5 seats can be reclaimed: see the Reclaim page." in render(known, "").text
    (unknown,) = evaluate(licence(), alerts, THIS_MONTH, GENESIS, T0).new_notifications
    assert "reclaimable" not in unknown.facts
    assert "Reclaim page" not in render(unknown, "").text


def test_a_top_up_confirmation_states_the_reclaimable_seats_when_known() -> None:
    found = RequestContext(request(Source.MANUAL), licence(), None, THIS_MONTH, AuditHead(1, "a"))
    known = outcomes.applied(replace(found, reclaimable=1), T0, "sub-2", recovered=False)
    assert known.notification is not None
    email = render(known.notification, "")
    assert "1 seat can be reclaimed: see the Reclaim page." in email.text
    assert "<p>1 seat can be reclaimed: see the Reclaim page.</p>" in email.html
    unknown = outcomes.applied(found, T0, "sub-2", recovered=False)
    assert unknown.notification is not None
    assert "Reclaim page" not in render(unknown.notification, "").text


def test_no_seats_to_reclaim_adds_no_line() -> None:
    found = RequestContext(request(), licence(), None, THIS_MONTH, AuditHead(1, "a"))
    none = outcomes.applied(replace(found, reclaimable=0), T0, "sub-2", recovered=False)
    assert none.notification is not None and none.notification.facts["reclaimable"] == 0
    assert "Reclaim page" not in render(none.notification, "").text
