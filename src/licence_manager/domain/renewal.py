"""The renewal planner's rules for annual subscriptions (issue 13): when the term ends, what
Google does then, the reminders before it, and how many seats to renew.

Google's facts (../shared/research/google-apis.md §3.2): an annual plan's `numberOfSeats` is
paid for, assigned or not, until `plan.commitmentInterval.endTime`; then
`renewalSettings.renewalType` decides. AUTO_RENEW_* re-commits every seat for another year,
RENEW_CURRENT_USERS_* renews at the users assigned then. The type is an open string: a value
Google adds later is kept and shown as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from licence_manager.domain.forecast import RunOutForecast
from licence_manager.domain.model import Licence, PlanKind, plan_kind, seats
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.domain.prices import money
from licence_manager.domain.time_words import day_words

AUTO_RENEW_MONTHLY_PAY = "AUTO_RENEW_MONTHLY_PAY"
AUTO_RENEW_YEARLY_PAY = "AUTO_RENEW_YEARLY_PAY"
RENEW_CURRENT_USERS_MONTHLY_PAY = "RENEW_CURRENT_USERS_MONTHLY_PAY"
RENEW_CURRENT_USERS_YEARLY_PAY = "RENEW_CURRENT_USERS_YEARLY_PAY"
SWITCH_TO_PAY_AS_YOU_GO = "SWITCH_TO_PAY_AS_YOU_GO"
CANCEL = "CANCEL"
RENEW_ON_PROPOSED_OFFER = "RENEW_ON_PROPOSED_OFFER"

# The types Google documents (manage_subscriptions), in plain English.
RENEWAL_LABELS: dict[str, str] = {
    AUTO_RENEW_MONTHLY_PAY: "Renew every seat (annual plan, monthly payments)",
    AUTO_RENEW_YEARLY_PAY: "Renew every seat (annual plan, yearly payment)",
    RENEW_CURRENT_USERS_MONTHLY_PAY: "Renew only the seats in use (annual plan, monthly payments)",
    RENEW_CURRENT_USERS_YEARLY_PAY: "Renew only the seats in use (annual plan, yearly payment)",
    SWITCH_TO_PAY_AS_YOU_GO: "Switch to Flexible (pay as you go)",
    CANCEL: "Cancel at the end of the term",
    RENEW_ON_PROPOSED_OFFER: "Renew on the proposed offer",
}
NO_RENEWAL_TYPE = "Not reported by Google"
RENEWAL_FIELD = "renewalType"  # the field a dashboard choice is validated as

# Days before the renewal date that a reminder is due, furthest first.
REMINDER_DAYS = (90, 30, 7)
MONTHS_A_YEAR = 12


def renewal_label(renewal_type: str) -> str:
    """Plain words for a renewal type; one Google added after this list is shown as it is."""
    if not renewal_type:
        return NO_RENEWAL_TYPE
    return RENEWAL_LABELS.get(renewal_type, renewal_type)


def re_commits_every_seat(renewal_type: str) -> bool:
    """AUTO_RENEW_* (and the bare "AUTO_RENEW" Google's samples show) renews numberOfSeats."""
    return renewal_type.startswith("AUTO_RENEW")


def renewal_change_message(before: str, after: str) -> str:
    """The audit message of a renewal type seen changing. Codes, not words: messages are part
    of the hash chain, and the log's wording is applied when they are shown."""
    if not after:
        return f"Renewal type {before} is no longer reported"
    return f"Renewal type changed from {before} to {after}"


# When


@dataclass(frozen=True, slots=True)
class RenewalDate:
    ends_at: datetime  # the end of plan.commitmentInterval
    renews_on: date  # that instant's day on the customer's clock
    days_left: int  # whole days from today to renews_on, on the customer's clock

    @property
    def term_end(self) -> date:
        """The term's end as a day in UTC: what reminder keys are made of, so a change of the
        customer's time zone never makes a sent reminder look unsent."""
        return self.ends_at.astimezone(UTC).date()


def renewal_date(licence: Licence, now: datetime) -> RenewalDate | None:
    """When an annual licence's term ends, in its customer's time zone; None for any other
    plan, or when Google gave no commitment end (offline billing omits it)."""
    ends_at = licence.usage.commitment_ends_at
    if ends_at is None or plan_kind(licence.usage.plan_name) is not PlanKind.ANNUAL:
        return None
    zone = ZoneInfo(licence.time_zone)
    renews_on = ends_at.astimezone(zone).date()
    return RenewalDate(ends_at, renews_on, (renews_on - now.astimezone(zone).date()).days)


def days_words(days: int) -> str:
    if days <= 0:
        return "today"
    return "tomorrow" if days == 1 else f"in {days} days"


# Reminders


@dataclass(frozen=True, slots=True)
class DueReminder:
    """The one reminder a licence is due now. `notification_id` is the same whenever the job
    runs within one threshold of one term: the store creates it once, so a job that runs twice
    sends it once."""

    notification_id: str
    threshold: int  # 90, 30 or 7
    when: RenewalDate


def reminder_id(licence: Licence, when: RenewalDate, threshold: int) -> str:
    """`{customerId}_{skuId}-renewal-{term end, UTC}-{threshold}`, beside the low-licence
    alert's `{customerId}_{skuId}-low-{n}`."""
    return f"{licence.key.doc_id}-renewal-{when.term_end.isoformat()}-{threshold}"


def due_reminder(licence: Licence, now: datetime) -> DueReminder | None:
    """The nearest threshold the renewal is within, or None (not annual, no known term end,
    more than 90 days away, already renewed, or the licence is not active). A job that ran late
    sends only the nearest one: a reminder 90 days out is no use 25 days out, and three emails
    at once say less than one."""
    when = renewal_date(licence, now)
    if when is None or licence.usage.status != "ACTIVE" or when.ends_at <= now:
        return None
    within = [days for days in REMINDER_DAYS if when.days_left <= days]
    if not within:
        return None
    threshold = min(within)
    return DueReminder(reminder_id(licence, when, threshold), threshold, when)


# How many seats


@dataclass(frozen=True, slots=True)
class RenewalRecommendation:
    """Seats to renew = assigned - reclaimable + growth the forecast expects by the renewal
    date (the upper end of its 80% interval, so 9 renewals in 10 have room for it), never
    below 0. Unknown reclaimable seats count as none; no forecast counts as no growth, and
    the words say which it was."""

    seats: int
    assigned: int
    reclaimable: int | None  # None: the customer's user data cannot be read
    growth: int | None  # None: no forecast reaches the renewal date (`no_forecast` says why)
    renews_on: date
    no_forecast: str = ""

    def words(self) -> str:
        """ "Renew 42 seats: 45 assigned, 5 reclaimable, about 2 more expected by 1 Mar 2027"."""
        parts = [f"{self.assigned} assigned"]
        if self.reclaimable is None:
            parts[0] += " (reclaimable seats unknown)"
        else:
            parts.append(f"{self.reclaimable or 'none'} reclaimable")
        by = day_words(self.renews_on)
        if self.growth is None:
            parts.append(self.no_forecast)
        elif self.growth == 0:
            parts.append(f"no more expected by {by}")
        else:
            parts.append(f"about {self.growth} more expected by {by}")
        return f"Renew {seats(self.seats)}: " + ", ".join(parts)


def recommend_renewal(
    assigned: int,
    reclaimable: int | None,
    forecast: RunOutForecast | None,
    renews_on: date,
) -> RenewalRecommendation:
    """The seat count to renew at. Growth comes from the forecast's point on the renewal day;
    a forecast that falls is not counted (fewer users than assigned today is what reclaimable
    seats already say, and a renewal too small is mended by adding seats, while one too large
    is paid for a year)."""
    reclaim = min(max(reclaimable or 0, 0), assigned)
    growth, why = _growth(assigned, forecast, renews_on)
    return RenewalRecommendation(
        seats=max(assigned - reclaim + (growth or 0), 0),
        assigned=assigned,
        reclaimable=None if reclaimable is None else reclaim,
        growth=growth,
        renews_on=renews_on,
        no_forecast=why,
    )


def _growth(
    assigned: int, forecast: RunOutForecast | None, renews_on: date
) -> tuple[int | None, str]:
    if forecast is None or not forecast.enough_history:
        return None, "not enough history for a forecast"
    if renews_on <= forecast.as_of:
        return 0, ""  # the forecast's history already reaches the renewal
    point = next((p for p in forecast.points if p.day == renews_on), None)
    if point is None:
        last = forecast.points[-1].day if forecast.points else forecast.as_of
        return None, f"the forecast reaches only {day_words(last)}"
    return max(math.ceil(point.high - 1e-9) - assigned, 0), ""


@dataclass(frozen=True, slots=True)
class AutoRenewWarning:
    """AUTO_RENEW_* would re-commit `re_committed` seats, `unused` more than recommended, for a
    year. The cost is unused seats x monthly price x 12, in the price's minor unit (None when
    no price is set)."""

    renewal_type: str
    re_committed: int
    recommended: int
    unused: int
    yearly_cost_minor: int | None
    currency: str | None
    renews_on: date

    def words(self) -> str:
        cost = ""
        if self.yearly_cost_minor is not None and self.currency is not None:
            yearly = money(self.yearly_cost_minor, self.currency)
            cost = f" (about {yearly} for the year, excluding VAT)"
        return (
            f"The renewal setting re-commits all {seats(self.re_committed)} for another year: "
            f"{seats(self.unused)} more than recommended{cost}. Choose to renew only the seats "
            f"in use, or reclaim seats, before {day_words(self.renews_on)}."
        )


def auto_renew_warning(
    renewal_type: str,
    committed: int,
    recommendation: RenewalRecommendation,
    price_per_seat_monthly_minor: int | None = None,
    currency: str | None = None,
) -> AutoRenewWarning | None:
    """A warning when the renewal type re-commits every seat (`committed`: numberOfSeats) and
    that is more than the recommendation; None otherwise."""
    unused = committed - recommendation.seats
    if not re_commits_every_seat(renewal_type) or unused <= 0:
        return None
    price = price_per_seat_monthly_minor
    cost = None if price is None or currency is None else unused * price * MONTHS_A_YEAR
    return AutoRenewWarning(
        renewal_type=renewal_type,
        re_committed=committed,
        recommended=recommendation.seats,
        unused=unused,
        yearly_cost_minor=cost,
        currency=None if cost is None else currency,
        renews_on=recommendation.renews_on,
    )


# Choosing a renewal type from the dashboard


def renewal_choices(plan_name: str) -> tuple[str, ...]:
    """The types the dashboard offers for a plan, the safest first. Only annual plans have
    renewal settings. The payment schedule stays the plan's own (a change of schedule at
    renewal is a commercial decision, not a setting); RENEW_ON_PROPOSED_OFFER comes with an
    offer made in the Partner Sales Console, so it is shown but never chosen here."""
    if plan_kind(plan_name) is not PlanKind.ANNUAL:
        return ()
    if plan_name.upper() == "ANNUAL_YEARLY_PAY":
        return (
            RENEW_CURRENT_USERS_YEARLY_PAY,
            AUTO_RENEW_YEARLY_PAY,
            SWITCH_TO_PAY_AS_YOU_GO,
            CANCEL,
        )
    # "ANNUAL" is how the Reseller API returns ANNUAL_MONTHLY_PAY.
    return (
        RENEW_CURRENT_USERS_MONTHLY_PAY,
        AUTO_RENEW_MONTHLY_PAY,
        SWITCH_TO_PAY_AS_YOU_GO,
        CANCEL,
    )


def renewal_choice_problems(plan_name: str, current: str, wanted: str) -> dict[str, str]:
    """Why `wanted` cannot be set from the dashboard on this plan ({} when it can), keyed by
    the field, as the settings' problems are."""
    choices = renewal_choices(plan_name)
    if not choices:
        return {RENEWAL_FIELD: f"Only annual plans renew; this licence is on {plan_name}."}
    if wanted == current:
        return {RENEWAL_FIELD: f"The renewal setting is already: {renewal_label(current)}."}
    if wanted in choices:
        return {}
    offered = "; ".join(renewal_label(c) for c in choices)
    if wanted == RENEW_ON_PROPOSED_OFFER:
        why = "Renewing on a proposed offer is set up with the offer in the Partner Sales Console."
    elif wanted in RENEWAL_LABELS:
        why = f"{renewal_label(wanted)} changes how the plan is paid, which is not set here."
    else:
        why = f"{wanted or 'An empty value'} is not a renewal setting Licence Manager can set."
    return {RENEWAL_FIELD: f"{why} Choose one of: {offered}."}


# The reminder email


def reminder_notification(
    licence: Licence,
    due: DueReminder,
    recommendation: RenewalRecommendation,
    warning: AutoRenewWarning | None,
    now: datetime,
) -> Notification:
    """The reminder, with every fact its email needs (domain.emails words it)."""
    usage, when = licence.usage, due.when
    facts: dict[str, str | int | float | None] = {
        "customerDomain": licence.customer_domain,
        "skuName": usage.sku_name,
        "planName": usage.plan_name,
        "assigned": usage.assigned,
        "total": usage.total,
        "vacant": usage.vacant,
        "renewsOn": when.renews_on.isoformat(),
        "renewsOnWords": day_words(when.renews_on),
        "daysLeft": when.days_left,
        "daysLeftWords": days_words(when.days_left),
        "threshold": due.threshold,
        "renewalType": usage.renewal_type,
        "renewalLabel": renewal_label(usage.renewal_type),
        "recommendedSeats": recommendation.seats,
        "recommendation": recommendation.words(),
        "warning": "" if warning is None else warning.words(),
        "unusedSeats": 0 if warning is None else warning.unused,
        "unusedYearlyCostMinor": None if warning is None else warning.yearly_cost_minor,
    }
    return Notification(
        due.notification_id, licence.key, NotificationType.RENEWAL_REMINDER, now, facts
    )
