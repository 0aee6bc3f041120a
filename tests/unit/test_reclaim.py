"""Reclaimable seats: the reasons and their precedence, Google's 1970 "never", the boundaries at
exactly N days, the policy's bounds, plan-aware costs, the action Google allows, the hold on
automatic top-ups and the CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from licence_manager.domain.prices import Price, lookup_from, no_prices
from licence_manager.domain.reclaim import (
    ADMIN_CONSOLE_USERS,
    DEFAULT_INACTIVE_DAYS,
    GOOGLE_NEVER,
    ActionKind,
    ReclaimableSeat,
    ReclaimPolicy,
    ReclaimPolicyError,
    ReclaimReason,
    SeatHolder,
    checked_policy,
    google_time,
    parse_google_time,
    policy_problems,
    reclaim_action,
    reclaim_reason,
    reclaimable_seats,
)
from licence_manager.domain.reclaim_summary import (
    RECLAIM_CSV_COLUMNS,
    ReclaimEffect,
    hold_setting_problems,
    reclaim_csv,
    reclaim_hold,
    reclaim_summary,
    summary_words,
)

TODAY = date(2026, 6, 30)
STANDARD = "1010020028"
GEMINI = "1010680001"
POLICY = ReclaimPolicy()
PRICES = lookup_from(
    [
        Price(STANDARD, "Business Standard", "FLEXIBLE", "GBP", 1416),
        Price(STANDARD, "Business Standard", "ANNUAL_MONTHLY_PAY", "GBP", 1180),
        Price(STANDARD, "Business Standard", "ANNUAL_YEARLY_PAY", "GBP", 1180),
    ]
)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def days_ago(n: int) -> datetime:
    return at(TODAY - timedelta(days=n))


def holder(
    email: str = "ann@example.com",
    *,
    sku_id: str = STANDARD,
    suspended: bool = False,
    archived: bool = False,
    created: int = 400,
    login: int | None = 1,
    activity: int | None = None,
    as_of: int | None = None,
) -> SeatHolder:
    """A holder created, last signed in and last active the given numbers of days ago."""
    return SeatHolder(
        email=email,
        user_id="1234567890",
        sku_id=sku_id,
        suspended=suspended,
        archived=archived,
        created_at=days_ago(created),
        last_login=None if login is None else days_ago(login),
        last_activity=None if activity is None else days_ago(activity),
        activity_as_of=None if as_of is None else TODAY - timedelta(days=as_of),
    )


def reason(h: SeatHolder, policy: ReclaimPolicy = POLICY) -> ReclaimReason | None:
    found = reclaim_reason(h, policy, TODAY)
    return None if found is None else found[0]


# --- Google's "never" ---------------------------------------------------------------------


def test_googles_1970_value_means_never() -> None:
    assert google_time(GOOGLE_NEVER) is None
    assert google_time(datetime(1970, 1, 1)) is None  # naive, as a parser may give it
    assert parse_google_time("1970-01-01T00:00:00.000Z") is None
    assert parse_google_time("") is None and parse_google_time(None) is None
    assert parse_google_time("2026-03-01T09:30:00.000Z") == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_a_holder_whose_login_is_the_1970_value_never_signed_in() -> None:
    h = replace(holder(login=None, created=90), last_login=GOOGLE_NEVER)
    assert h.last_seen is None
    assert reason(h) is ReclaimReason.NEVER_SIGNED_IN  # not "inactive since 1970"
    assert reclaim_reason(h, POLICY, TODAY) == (ReclaimReason.NEVER_SIGNED_IN, None)


# --- each reason --------------------------------------------------------------------------


def test_a_suspended_user_is_reclaimable_whatever_they_did_before() -> None:
    assert reason(holder(suspended=True, login=1)) is ReclaimReason.SUSPENDED


def test_a_user_without_activity_for_n_days_is_inactive() -> None:
    assert reclaim_reason(holder(login=75), POLICY, TODAY) == (ReclaimReason.INACTIVE, 75)


def test_a_user_who_never_signed_in_n_days_after_creation_is_reclaimable() -> None:
    assert reason(holder(login=None, created=61)) is ReclaimReason.NEVER_SIGNED_IN


def test_recent_activity_is_not_reclaimable() -> None:
    assert reason(holder(login=3)) is None
    # The Directory's login is old, but the Reports API saw activity (SSO, say) recently.
    assert reason(holder(login=200, activity=5, as_of=3)) is None


def test_a_new_user_who_has_not_signed_in_yet_is_not_reclaimable() -> None:
    assert reason(holder(login=None, created=10)) is None


def test_archived_users_are_never_reclaimable() -> None:
    assert reason(holder(archived=True, suspended=True, login=None)) is None


# --- precedence ---------------------------------------------------------------------------


def test_suspension_comes_before_never_signed_in_and_inactivity() -> None:
    assert reason(holder(suspended=True, login=None, created=400)) is ReclaimReason.SUSPENDED
    assert reason(holder(suspended=True, login=300)) is ReclaimReason.SUSPENDED


def test_each_seat_is_listed_once_with_one_reason_in_precedence_order() -> None:
    holders = [
        holder("idle@example.com", login=90),
        holder("long-idle@example.com", login=300),
        holder("never@example.com", login=None, created=100),
        holder("gone@example.com", suspended=True, login=None, created=100),
        holder("busy@example.com", login=0),
        holder("addon@example.com", sku_id=GEMINI, suspended=True),
    ]
    found = reclaimable_seats(holders, POLICY, TODAY)
    assert [(s.holder.email, s.reason) for s in found] == [
        ("gone@example.com", ReclaimReason.SUSPENDED),
        ("never@example.com", ReclaimReason.NEVER_SIGNED_IN),
        ("long-idle@example.com", ReclaimReason.INACTIVE),
        ("idle@example.com", ReclaimReason.INACTIVE),
        ("addon@example.com", ReclaimReason.SUSPENDED),
    ]


# --- boundaries at exactly N days ---------------------------------------------------------


def test_inactivity_counts_from_exactly_n_days() -> None:
    assert reason(holder(login=DEFAULT_INACTIVE_DAYS)) is ReclaimReason.INACTIVE
    assert reason(holder(login=DEFAULT_INACTIVE_DAYS - 1)) is None
    seven = ReclaimPolicy(7)
    assert reason(holder(login=7), seven) is ReclaimReason.INACTIVE
    assert reason(holder(login=6), seven) is None


def test_never_signed_in_counts_from_exactly_n_days_after_creation() -> None:
    assert reason(holder(login=None, created=60)) is ReclaimReason.NEVER_SIGNED_IN
    assert reason(holder(login=None, created=59)) is None


def test_days_are_whole_calendar_days_whatever_the_hour() -> None:
    late = replace(holder(), last_login=at(TODAY - timedelta(days=60), hour=23))
    early = replace(holder(), last_login=at(TODAY - timedelta(days=59), hour=0))
    assert reason(late) is ReclaimReason.INACTIVE
    assert reason(early) is None


def test_inactivity_is_counted_only_up_to_the_reports_as_of_date() -> None:
    # Seen 62 days ago; the report describes the day 3 days ago: 59 known idle days, not 62.
    assert reason(holder(login=None, activity=62, as_of=3, created=400)) is None
    assert reason(holder(login=None, activity=63, as_of=3, created=400)) is (ReclaimReason.INACTIVE)
    # The days reported are still counted to today: that is what the page shows.
    seat = reclaim_reason(holder(login=None, activity=63, as_of=3), POLICY, TODAY)
    assert seat == (ReclaimReason.INACTIVE, 63)


def test_never_signed_in_is_counted_up_to_the_reports_as_of_date_too() -> None:
    assert reason(holder(login=None, created=61, as_of=3)) is None
    assert reason(holder(login=None, created=63, as_of=3)) is ReclaimReason.NEVER_SIGNED_IN


def test_a_login_after_the_reports_date_is_still_seen() -> None:
    # Directory's lastLoginTime is live; the report is 3 days behind and shows old activity.
    assert reason(holder(login=1, activity=200, as_of=3)) is None


# --- the policy ---------------------------------------------------------------------------


def test_the_policy_defaults_to_60_days() -> None:
    assert ReclaimPolicy().inactive_days == 60 == checked_policy().inactive_days
    assert checked_policy(7).inactive_days == 7
    assert checked_policy(365).inactive_days == 365


@pytest.mark.parametrize("days", [6, 0, -1, 366, 10_000])
def test_days_out_of_range_are_refused_with_the_range(days: int) -> None:
    with pytest.raises(ReclaimPolicyError) as refused:
        checked_policy(days)
    assert refused.value.problems["inactiveDays"].startswith("Must be from 7 to 365 days")
    assert policy_problems(ReclaimPolicy(days)) == refused.value.problems


@pytest.mark.parametrize("days", ["60", 60.0, True, None])
def test_days_must_be_a_whole_number(days: object) -> None:
    with pytest.raises(ReclaimPolicyError) as refused:
        checked_policy(days)
    assert refused.value.problems == {"inactiveDays": "Must be a whole number of days."}


# --- plan-aware costs ---------------------------------------------------------------------


def seats_of(*holders: SeatHolder) -> list[ReclaimableSeat]:
    return reclaimable_seats(holders, POLICY, TODAY)


THREE = seats_of(
    holder("a@example.com", suspended=True),
    holder("b@example.com", login=None, created=100),
    holder("c@example.com", login=90),
    holder("d@example.com", sku_id=GEMINI, suspended=True),  # another SKU: not counted
)


def test_on_flexible_reclaiming_saves_the_monthly_price() -> None:
    summary = reclaim_summary(STANDARD, "Business Standard", "FLEXIBLE", THREE, PRICES)
    assert summary.effect is ReclaimEffect.SAVES_MONEY
    assert summary.count == 3
    assert dict(summary.by_reason) == {
        ReclaimReason.SUSPENDED: 1,
        ReclaimReason.NEVER_SIGNED_IN: 1,
        ReclaimReason.INACTIVE: 1,
    }
    assert (summary.per_seat_minor, summary.currency) == (1416, "GBP")
    assert summary.monthly_cost_minor == summary.saves_per_month_minor == 3 * 1416
    assert summary.saves_now_minor == 3 * 1416 and summary.frees_seats == 0
    assert summary_words(summary) == (
        "3 seats can be reclaimed: removing them saves an estimated £42.48 a month, excluding "
        "VAT (a flexible plan is billed per user per day)."
    )


@pytest.mark.parametrize("plan", ["ANNUAL", "ANNUAL_MONTHLY_PAY", "ANNUAL_YEARLY_PAY"])
def test_on_annual_reclaiming_frees_seats_and_saves_nothing_now(plan: str) -> None:
    renews = date(2027, 3, 1)
    summary = reclaim_summary(STANDARD, "Business Standard", plan, THREE, PRICES, renews)
    assert summary.effect is ReclaimEffect.FREES_SEAT
    assert summary.frees_seats == 3
    assert summary.saves_now_minor == summary.saves_per_month_minor == 0
    assert summary.renewal_date == renews
    # What the seats cost is still shown: it is paid either way until renewal.
    assert summary.monthly_cost_minor == 3 * 1180
    words = summary_words(summary)
    assert "until it renews on 1 Mar 2027 (£35.40 a month for these)" in words
    assert "saves nothing now but frees 3 seats" in words


def test_an_annual_plan_without_a_known_renewal_date_says_so_without_a_date() -> None:
    summary = reclaim_summary(STANDARD, "Business Standard", "ANNUAL", THREE, PRICES)
    assert summary.renewal_date is None
    assert "paid for until it renews (£35.40" in summary_words(summary)


def test_an_unknown_plan_is_shown_as_it_is_and_claims_no_saving() -> None:
    summary = reclaim_summary(STANDARD, "Business Standard", "SOMETHING_NEW", THREE, PRICES)
    assert summary.effect is ReclaimEffect.UNKNOWN_PLAN
    assert summary.plan_name == "SOMETHING_NEW"
    assert summary.saves_per_month_minor is None and summary.frees_seats == 0
    assert summary.monthly_cost_minor == 3 * 1416  # priced as the price list prices it
    assert "bills the plan SOMETHING_NEW, so no saving is estimated" in summary_words(summary)


def test_a_trial_costs_nothing_to_keep() -> None:
    summary = reclaim_summary(STANDARD, "Business Standard", "TRIAL", THREE, PRICES)
    assert summary.effect is ReclaimEffect.NO_COST
    assert summary.monthly_cost_minor == summary.saves_per_month_minor == 0


def test_with_no_price_nothing_is_made_up() -> None:
    summary = reclaim_summary(STANDARD, "Business Standard", "FLEXIBLE", THREE, no_prices)
    assert summary.per_seat_minor is None and summary.currency is None
    assert summary.monthly_cost_minor is None and summary.saves_per_month_minor is None
    assert summary_words(summary) == (
        "3 seats can be reclaimed: removing them stops what they cost (a flexible plan is "
        "billed per user per day; no price set)."
    )
    annual = reclaim_summary(STANDARD, "Business Standard", "ANNUAL", THREE, no_prices)
    assert "paid for until it renews, so reclaiming saves nothing now" in summary_words(annual)


def test_no_reclaimable_seats() -> None:
    summary = reclaim_summary(STANDARD, "Business Standard", "FLEXIBLE", [], PRICES)
    assert summary.count == 0 and summary.saves_per_month_minor == 0
    assert set(summary.by_reason.values()) == {0}
    assert summary_words(summary) == "No seats to reclaim."


# --- the action Google allows -------------------------------------------------------------


def test_an_add_on_without_automatic_licensing_is_unassigned() -> None:
    action = reclaim_action("101068", False, holder())
    assert action.kind is ActionKind.UNASSIGN and action.link == ""
    assert "ann@example.com" in action.instruction


def test_a_core_seat_is_freed_in_the_admin_console() -> None:
    action = reclaim_action("Google-Apps", True, holder())
    assert action.kind is ActionKind.ADMIN_CONSOLE
    assert action.link == f"{ADMIN_CONSOLE_USERS}/1234567890"
    assert action.link.startswith("https://admin.google.com/ac/users")
    assert "deleting ann@example.com or archiving them" in action.instruction
    assert "Archived User subscription" in action.instruction


def test_an_automatically_assigned_add_on_needs_the_admin_console_too() -> None:
    action = reclaim_action("101068", True, replace(holder(), user_id=""))
    assert action.kind is ActionKind.ADMIN_CONSOLE
    assert action.link == ADMIN_CONSOLE_USERS  # no Directory id: the users list
    assert "turn automatic licensing off" in action.instruction


# --- reclaim before buying ----------------------------------------------------------------


def test_the_hold_is_off_by_default() -> None:
    assert reclaim_hold(None, 50, plan_name="ANNUAL", seats_wanted=2) is None


def test_a_top_up_is_held_from_exactly_the_threshold() -> None:
    assert reclaim_hold(3, 2, plan_name="ANNUAL", seats_wanted=2) is None
    held = reclaim_hold(3, 3, plan_name="ANNUAL", seats_wanted=2)
    assert held is not None and (held.reclaimable, held.threshold) == (3, 3)
    assert held.reason == "3 seats can be reclaimed, and automatic top-ups wait while 3 or more can"
    assert held.alert.startswith("2 seats were not added automatically: 3 seats can be reclaimed")
    assert "annual plan every seat is paid for until it renews" in held.alert


def test_the_hold_alert_on_a_flexible_plan_does_not_speak_of_renewal() -> None:
    held = reclaim_hold(1, 1, plan_name="FLEXIBLE", seats_wanted=1)
    assert held is not None
    assert held.alert.startswith("1 seat was not added automatically: 1 seat can be reclaimed")
    assert "renews" not in held.alert


def test_without_user_data_nothing_is_held() -> None:
    assert reclaim_hold(1, None, plan_name="ANNUAL", seats_wanted=1) is None


def test_the_hold_setting_is_validated() -> None:
    assert hold_setting_problems(None) == {} and hold_setting_problems(1) == {}
    assert "switch it off" in hold_setting_problems(0)["holdTopUpsWhenReclaimable"]
    assert hold_setting_problems(1_000_001) == {"holdTopUpsWhenReclaimable": "At most 1,000,000."}


# --- CSV ----------------------------------------------------------------------------------


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_has_a_row_per_seat_with_plan_aware_billing() -> None:
    found = seats_of(
        holder("a@example.com", login=90, activity=80, as_of=3),
        holder("b@example.com", login=None, created=100),
    )
    summary = reclaim_summary(
        STANDARD, "Business Standard", "ANNUAL", found, PRICES, date(2027, 3, 1)
    )
    table = rows(reclaim_csv(found, {STANDARD: summary}))
    assert tuple(table[0]) == RECLAIM_CSV_COLUMNS
    assert table[1] == [
        "b@example.com",
        STANDARD,
        "Business Standard",
        "ANNUAL",
        "Never signed in",
        "never",
        "",
        "",
        "11.80",
        "GBP",
        "annual: paid until renewal 2027-03-01; frees a seat",
    ]
    assert table[2][4:10] == [
        "No recent activity",
        "2026-04-11",
        "2026-06-27",
        "80",
        "11.80",
        "GBP",
    ]


def test_csv_cells_are_never_formulas_and_quoting_keeps_them_whole() -> None:
    found = seats_of(holder('=HYPERLINK("x"),@evil@example.com', suspended=True))
    summary = reclaim_summary(STANDARD, '+Name, with "quotes"', "-ODD\nPLAN", found, no_prices)
    text = reclaim_csv(found, {STANDARD: summary})
    row = rows(text)[1]
    assert row[0] == '\'=HYPERLINK("x"),@evil@example.com'
    assert row[2] == '+Name, with "quotes"'.replace("+", "'+", 1)
    assert row[3] == "'-ODD\nPLAN"
    assert row[8:10] == ["", ""]  # no price: blank, never a made-up zero
    assert row[10] == "plan -ODD\nPLAN: billing unknown"


def test_a_seat_of_a_sku_without_a_summary_is_still_written() -> None:
    found = seats_of(holder(sku_id=GEMINI, suspended=True))
    assert rows(reclaim_csv(found, {}))[1][:5] == ["ann@example.com", GEMINI, "", "", "Suspended"]
