"""The renewal planner's rules (domain.renewal): dates, reminders, the recommended seat count,
the auto-renew warning, the renewal types a dashboard may choose, and the reminder's email."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from licence_manager.domain import renewal
from licence_manager.domain.emails import render
from licence_manager.domain.forecast import ForecastPoint, RunOutForecast
from licence_manager.domain.model import Licence, LicenceKey, Usage
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.renewal import (
    AutoRenewWarning,
    RenewalRecommendation,
    auto_renew_warning,
    due_reminder,
    recommend_renewal,
    reminder_notification,
    renewal_choice_problems,
    renewal_choices,
    renewal_date,
    renewal_label,
)

KEY = LicenceKey("C01", "1010020028")
# The term ends at midnight Pacific time on 1 Mar 2027 (Google dates terms in Pacific time).
ENDS = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
RENEWS_ON = date(2027, 3, 1)


def annual(
    renewal_type: str = "AUTO_RENEW_YEARLY_PAY",
    ends: datetime | None = ENDS,
    plan: str = "ANNUAL_YEARLY_PAY",
    status: str = "ACTIVE",
    time_zone: str = "Europe/London",
    total: int = 50,
    assigned: int = 45,
) -> Licence:
    usage = Usage("Business Standard", plan, "sub-1", status, total, assigned, renewal_type, ends)
    return Licence(KEY, "acme.example", usage, time_zone, ENDS - timedelta(days=200))


def days_before(days: int, hour: int = 9) -> datetime:
    """`days` whole days before the renewal day, at `hour` UTC (London in winter)."""
    return datetime.combine(RENEWS_ON - timedelta(days=days), datetime.min.time(), UTC).replace(
        hour=hour
    )


def forecast(as_of: date, highs: dict[date, float], days: int = 120) -> RunOutForecast:
    points = tuple(
        ForecastPoint(
            as_of + timedelta(days=h), 45.0, 44.0, highs.get(as_of + timedelta(days=h), 45.0)
        )
        for h in range(1, days + 1)
    )
    return RunOutForecast(
        as_of=as_of,
        seats_total=50,
        history_days=60,
        horizon_days=days,
        enough_history=True,
        reason="",
        daily_trend=0.02,
        weekly_offsets=(0.0,) * 7,
        points=points,
        runs_out_on=None,
        may_run_out_on=None,
        seats_needed_by_then=None,
        vacant_now=5.0,
    )


# When


def test_the_renewal_date_is_the_commitment_end_on_the_customers_clock() -> None:
    now = days_before(30)
    london = renewal_date(annual(time_zone="Europe/London"), now)
    assert london is not None and (london.renews_on, london.days_left) == (RENEWS_ON, 30)
    # 08:00 UTC on 1 Mar is 22:00 on 28 Feb in Honolulu, where "now" is 29 Jan, 23:00.
    hawaii = renewal_date(annual(time_zone="Pacific/Honolulu"), now)
    assert hawaii is not None and (hawaii.renews_on, hawaii.days_left) == (date(2027, 2, 28), 30)
    assert hawaii.term_end == london.term_end == RENEWS_ON  # keys do not depend on the zone


def test_only_an_annual_plan_with_a_known_term_end_has_a_renewal_date() -> None:
    now = days_before(30)
    assert renewal_date(annual(plan="FLEXIBLE"), now) is None
    assert renewal_date(annual(ends=None), now) is None  # offline billing omits the interval
    assert renewal_date(annual(plan="ANNUAL"), now) is not None  # ANNUAL_MONTHLY_PAY


# Reminders


@pytest.mark.parametrize(
    ("days", "threshold"),
    [(120, None), (91, None), (90, 90), (45, 90), (31, 90), (30, 30), (8, 30), (7, 7), (0, 7)],
)
def test_the_reminder_due_is_the_nearest_threshold_reached(
    days: int, threshold: int | None
) -> None:
    due = due_reminder(annual(), days_before(days, hour=1))
    assert (due and due.threshold) == threshold
    if due is not None:
        assert due.notification_id == f"C01_1010020028-renewal-2027-03-01-{threshold}"
        assert due.when.days_left == days


def test_no_reminder_once_the_term_has_ended_or_for_a_licence_that_is_not_active() -> None:
    assert due_reminder(annual(), ENDS) is None
    assert due_reminder(annual(), ENDS + timedelta(days=3)) is None
    assert due_reminder(annual(status="SUSPENDED"), days_before(30)) is None
    assert due_reminder(annual(status="REMOVED"), days_before(30)) is None
    assert due_reminder(annual(plan="FLEXIBLE"), days_before(30)) is None
    assert due_reminder(annual(ends=None), days_before(30)) is None


def send_all(runs: list[datetime], licence: Licence) -> list[str]:
    """A reminder job: each run creates the due reminder unless one with its id exists."""
    sent: list[str] = []
    for now in runs:
        due = due_reminder(licence, now)
        if due is not None and due.notification_id not in sent:
            sent.append(due.notification_id)
    return sent


def test_each_threshold_is_sent_once_per_term_however_often_the_job_runs() -> None:
    runs = [days_before(d, hour=h) for d in range(120, -3, -1) for h in (1, 1, 13)]  # twice, again
    thresholds = [int(i.rsplit("-", 1)[1]) for i in send_all(runs, annual())]
    assert thresholds == [90, 30, 7]


def test_a_job_that_runs_late_sends_only_the_nearest_threshold() -> None:
    # Down from day 35 to day 5: the 30-day and the 7-day reminders were both missed.
    runs = [days_before(d) for d in range(120, 35, -1)] + [days_before(5), days_before(4)]
    assert [i.rsplit("-", 1)[1] for i in send_all(runs, annual())] == ["90", "7"]
    # Never run before day 20: the 30-day reminder only, then the 7-day one when due.
    late = [days_before(d) for d in range(20, 0, -1)]
    assert [i.rsplit("-", 1)[1] for i in send_all(late, annual())] == ["30", "7"]


def test_random_runs_send_each_reached_threshold_at_most_once() -> None:
    rng = random.Random(13)
    for _ in range(200):
        runs = sorted(
            (days_before(rng.randint(-2, 120), hour=rng.randint(0, 23)) for _ in range(30)),
        )
        sent = send_all(runs, annual())
        assert len(sent) == len(set(sent)) <= 3
        thresholds = [int(i.rsplit("-", 1)[1]) for i in sent]
        assert thresholds == sorted(thresholds, reverse=True)


def test_a_new_term_gets_new_reminders_and_a_time_zone_change_does_not() -> None:
    now = days_before(30, hour=12)
    due = due_reminder(annual(), now)
    moved = due_reminder(annual(time_zone="Pacific/Honolulu"), now)
    assert due is not None and moved is not None
    # In Honolulu the term ends on 28 Feb, 29 days away: still the same reminder, not a new one.
    assert (due.when.days_left, moved.when.days_left) == (30, 29)
    assert moved.notification_id == due.notification_id
    renewed = due_reminder(annual(ends=ENDS + timedelta(days=365)), now + timedelta(days=365))
    assert renewed is not None and renewed.notification_id.endswith("-renewal-2028-02-29-30")


# The renewal types


def test_every_documented_renewal_type_has_plain_words_and_an_unknown_one_is_shown_as_it_is() -> (
    None
):
    documented = {
        "AUTO_RENEW_MONTHLY_PAY",
        "AUTO_RENEW_YEARLY_PAY",
        "RENEW_CURRENT_USERS_MONTHLY_PAY",
        "RENEW_CURRENT_USERS_YEARLY_PAY",
        "SWITCH_TO_PAY_AS_YOU_GO",
        "CANCEL",
        "RENEW_ON_PROPOSED_OFFER",
    }
    assert set(renewal.RENEWAL_LABELS) == documented
    assert all(not label.isupper() for label in renewal.RENEWAL_LABELS.values())
    assert renewal_label("RENEW_CURRENT_USERS_YEARLY_PAY").startswith("Renew only the seats in use")
    assert renewal_label("RENEW_BY_MAGIC_2029") == "RENEW_BY_MAGIC_2029"
    assert renewal_label("") == "Not reported by Google"


def test_the_dashboard_offers_the_plans_own_payment_schedule() -> None:
    assert renewal_choices("ANNUAL_YEARLY_PAY") == (
        "RENEW_CURRENT_USERS_YEARLY_PAY",
        "AUTO_RENEW_YEARLY_PAY",
        "SWITCH_TO_PAY_AS_YOU_GO",
        "CANCEL",
    )
    assert renewal_choices("ANNUAL") == renewal_choices("ANNUAL_MONTHLY_PAY")
    assert renewal_choices("ANNUAL")[:2] == (
        "RENEW_CURRENT_USERS_MONTHLY_PAY",
        "AUTO_RENEW_MONTHLY_PAY",
    )
    assert renewal_choices("FLEXIBLE") == renewal_choices("TRIAL") == ()


def test_a_renewal_choice_is_validated_with_a_clear_reason() -> None:
    def problem(plan: str, current: str, wanted: str) -> str:
        return renewal_choice_problems(plan, current, wanted).get("renewalType", "")

    assert (
        renewal_choice_problems(
            "ANNUAL_YEARLY_PAY", "AUTO_RENEW_YEARLY_PAY", "RENEW_CURRENT_USERS_YEARLY_PAY"
        )
        == {}
    )
    assert renewal_choice_problems("ANNUAL", "", "CANCEL") == {}
    assert (
        problem("FLEXIBLE", "", "CANCEL") == "Only annual plans renew; this licence is on FLEXIBLE."
    )
    assert problem("ANNUAL", "CANCEL", "CANCEL") == (
        "The renewal setting is already: Cancel at the end of the term."
    )
    assert "Partner Sales Console" in problem("ANNUAL", "CANCEL", "RENEW_ON_PROPOSED_OFFER")
    assert "changes how the plan is paid" in problem("ANNUAL", "CANCEL", "AUTO_RENEW_YEARLY_PAY")
    unknown = problem("ANNUAL", "CANCEL", "RENEW_BY_MAGIC_2029")
    assert unknown.startswith("RENEW_BY_MAGIC_2029 is not a renewal setting")
    assert unknown.endswith(
        "Choose one of: Renew only the seats in use (annual plan, monthly payments); "
        "Renew every seat (annual plan, monthly payments); Switch to Flexible (pay as you go); "
        "Cancel at the end of the term."
    )
    assert problem("ANNUAL", "CANCEL", "").startswith("An empty value is not")


# How many seats


def test_the_recommendation_takes_reclaimable_seats_off_and_adds_expected_growth() -> None:
    as_of = RENEWS_ON - timedelta(days=40)
    made = recommend_renewal(45, 5, forecast(as_of, {RENEWS_ON: 46.3}), RENEWS_ON)
    assert (made.seats, made.growth) == (42, 2)  # ceil(46.3) = 47 at the upper end: 2 more
    assert (
        made.words()
        == "Renew 42 seats: 45 assigned, 5 reclaimable, about 2 more expected by 1 Mar 2027"
    )


def test_unknown_reclaimable_seats_count_as_none_and_say_so() -> None:
    as_of = RENEWS_ON - timedelta(days=40)
    made = recommend_renewal(45, None, forecast(as_of, {RENEWS_ON: 46.3}), RENEWS_ON)
    assert made.seats == 47
    assert made.words() == (
        "Renew 47 seats: 45 assigned (reclaimable seats unknown), about 2 more expected by "
        "1 Mar 2027"
    )
    assert recommend_renewal(45, 0, None, RENEWS_ON).words() == (
        "Renew 45 seats: 45 assigned, none reclaimable, not enough history for a forecast"
    )


def test_without_a_forecast_for_the_renewal_day_no_growth_is_counted() -> None:
    thin = replace(forecast(RENEWS_ON - timedelta(days=40), {}), enough_history=False, points=())
    made = recommend_renewal(45, 5, thin, RENEWS_ON)
    assert (made.seats, made.growth) == (40, None)
    assert made.words().endswith("not enough history for a forecast")
    # A 90-day forecast made 120 days before the renewal does not reach it.
    early = forecast(RENEWS_ON - timedelta(days=120), {}, days=90)
    far = recommend_renewal(45, 5, early, RENEWS_ON)
    assert (far.seats, far.growth) == (40, None)
    assert far.words().endswith("the forecast reaches only 30 Jan 2027")


def test_a_falling_forecast_never_takes_seats_off_and_nothing_goes_below_zero() -> None:
    as_of = RENEWS_ON - timedelta(days=40)
    falling = recommend_renewal(45, 5, forecast(as_of, {RENEWS_ON: 30.0}), RENEWS_ON)
    assert (falling.seats, falling.growth) == (40, 0)
    assert falling.words().endswith("no more expected by 1 Mar 2027")
    everyone = recommend_renewal(3, 9, None, RENEWS_ON)  # more reclaimable than assigned
    assert (everyone.seats, everyone.reclaimable) == (0, 3)
    assert everyone.words().startswith("Renew 0 seats: 3 assigned, 3 reclaimable")


def test_an_exact_upper_end_is_not_rounded_up_a_seat() -> None:
    as_of = RENEWS_ON - timedelta(days=40)
    made = recommend_renewal(45, 0, forecast(as_of, {RENEWS_ON: 47.0}), RENEWS_ON)
    assert made.growth == 2


# The warning


def recommendation(seats: int = 42) -> RenewalRecommendation:
    return RenewalRecommendation(seats, 45, 5, 2, RENEWS_ON)


def test_auto_renew_warns_of_the_unused_seats_it_would_commit_and_their_cost() -> None:
    warning = auto_renew_warning("AUTO_RENEW_YEARLY_PAY", 50, recommendation(), 1150, "GBP")
    assert warning == AutoRenewWarning(
        renewal_type="AUTO_RENEW_YEARLY_PAY",
        re_committed=50,
        recommended=42,
        unused=8,
        yearly_cost_minor=8 * 1150 * 12,
        currency="GBP",
        renews_on=RENEWS_ON,
    )
    assert warning.words() == (
        "The renewal setting re-commits all 50 seats for another year: 8 seats more than "
        "recommended (about £1,104.00 for the year, excluding VAT). Choose to renew only the "
        "seats in use, or reclaim seats, before 1 Mar 2027."
    )


def test_no_warning_unless_auto_renew_commits_more_than_recommended() -> None:
    assert auto_renew_warning("RENEW_CURRENT_USERS_YEARLY_PAY", 50, recommendation()) is None
    assert auto_renew_warning("SWITCH_TO_PAY_AS_YOU_GO", 50, recommendation()) is None
    assert auto_renew_warning("AUTO_RENEW_MONTHLY_PAY", 42, recommendation()) is None
    assert auto_renew_warning("AUTO_RENEW_MONTHLY_PAY", 40, recommendation()) is None
    assert auto_renew_warning("", 50, recommendation()) is None


def test_a_bare_or_new_auto_renew_type_warns_too_and_no_price_leaves_the_cost_out() -> None:
    warning = auto_renew_warning("AUTO_RENEW", 43, recommendation())
    assert warning is not None and (warning.unused, warning.yearly_cost_minor) == (1, None)
    assert "1 seat more than recommended. Choose" in warning.words()
    assert auto_renew_warning("AUTO_RENEW_SOMEHOW_NEW", 43, recommendation(), 1150) is not None
    no_currency = auto_renew_warning("AUTO_RENEW_YEARLY_PAY", 43, recommendation(), 1150, None)
    assert no_currency is not None and no_currency.yearly_cost_minor is None


# The reminder's email


def test_the_reminder_email_states_the_date_the_setting_the_recommendation_and_the_warning() -> (
    None
):
    licence = annual()
    now = days_before(30)
    due = due_reminder(licence, now)
    assert due is not None
    made = recommend_renewal(
        45, 5, forecast(now.date() - timedelta(days=1), {RENEWS_ON: 46.3}), RENEWS_ON
    )
    warning = auto_renew_warning(licence.usage.renewal_type, licence.usage.total, made, 1150, "GBP")
    notification = reminder_notification(licence, due, made, warning, now)
    assert notification.notification_id == "C01_1010020028-renewal-2027-03-01-30"
    assert notification.type is NotificationType.RENEWAL_REMINDER
    assert notification.facts["unusedYearlyCostMinor"] == 110400
    email = render(notification, "https://lm.example")
    assert email.subject == "Business Standard for acme.example renews in 30 days (1 Mar 2027)"
    assert email.text.split("\n\n") == [
        "The annual plan of Business Standard for acme.example renews on 1 Mar 2027, with 50 "
        "seats committed now and 45 assigned.",
        "Renewal setting: Renew every seat (annual plan, yearly payment).",
        "Renew 42 seats: 45 assigned, 5 reclaimable, about 2 more expected by 1 Mar 2027.",
        warning.words() if warning else "",
        "Review the renewal setting and reclaim unused seats in Licence Manager before then: "
        "seats committed at renewal are paid for the whole year.",
        "Licence Manager: https://lm.example/",
    ]


def test_a_reminder_without_a_warning_or_a_known_type_reads_plainly() -> None:
    licence = annual(renewal_type="RENEW_BY_MAGIC_2029", total=40)
    now = days_before(7)
    due = due_reminder(licence, now)
    assert due is not None
    made = recommend_renewal(45, 5, None, RENEWS_ON)
    assert auto_renew_warning(licence.usage.renewal_type, 40, made) is None
    email = render(reminder_notification(licence, due, made, None, now), "")
    assert email.subject.endswith("renews in 7 days (1 Mar 2027)")
    assert "Renewal setting: RENEW_BY_MAGIC_2029." in email.text
    assert "re-commits" not in email.text
    tomorrow = due_reminder(licence, days_before(1))
    assert tomorrow is not None
    email = render(reminder_notification(licence, tomorrow, made, None, now), "")
    assert "renews tomorrow" in email.subject
