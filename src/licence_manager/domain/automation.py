"""Per-licence automation: one evaluation turns the current usage, the admin's settings and the
automation state into at most one new top-up request and the notifications due.

Evaluations read the *current* state, not the event that triggered them, so a duplicated, late
or reordered event only re-evaluates the same facts: the same decision, nothing new to do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from licence_manager.domain import audit
from licence_manager.domain.anomaly import TopUpPause, Window
from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.buying import BuyingControl
from licence_manager.domain.model import GENESIS, AuditHead, Licence, seats
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.domain.policy import TopUpBlocked, TopUpPlan, is_low, plan_top_up
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import TopUpRequest

AUTOMATION_ACTOR = "automatic top-up"


@dataclass(frozen=True, slots=True)
class AutomationState:
    low_alert_active: bool = False  # an alert went out for the current crossing
    low_alerts: int = 0
    blocked_alert_active: bool = False
    blocked_alerts: int = 0
    pending_request_id: str | None = None  # at most one top-up in flight per licence
    top_ups: int = 0
    month: str = ""  # the calendar month (licence's time zone) that seats_added_this_month counts
    seats_added_this_month: int = 0
    # After a failed top-up, automation waits until the seats change or the settings are saved
    # again, so a refused change (say, a 400) is not retried in a storm.
    failed_at_total: int | None = None
    # The one seat change being applied right now (manual or automatic): changes to one licence
    # are applied one at a time, and a sync that sees this total knows who made it.
    in_flight_request_id: str | None = None
    in_flight_total_after: int | None = None
    in_flight_since: datetime | None = None
    # When a sync last saw Google at the total the change in flight asked for: evidence that
    # it landed, should the attempt die before recording it and the seats move on again.
    in_flight_seen_at: datetime | None = None
    # The anomaly guard (domain.anomaly_guard): the recent assigned counts the sync recorded,
    # the pause of automatic top-ups it set (None: not paused) and how many it has set.
    assigned_window: Window = ()
    top_ups_paused: TopUpPause | None = None
    anomaly_pauses: int = 0
    # The latest suspension or removal alert (domain.subscription_events), republished by
    # evaluation while unsent as the alerts above are.
    status_alert_id: str | None = None

    def alert_ids(self, doc_id: str) -> tuple[str, ...]:
        """The notifications of the latest low-licence and blocked crossings, and of the latest
        pause (evaluation publishes them again while unsent: the sync that paused the licence
        does not publish)."""
        ids = []
        if self.low_alerts:
            ids.append(f"{doc_id}-low-{self.low_alerts}")
        if self.blocked_alerts:
            ids.append(f"{doc_id}-blocked-{self.blocked_alerts}")
        if self.anomaly_pauses:
            ids.append(paused_alert_id(doc_id, self.anomaly_pauses))
        if self.status_alert_id:
            ids.append(self.status_alert_id)
        return tuple(ids)

    def in_month(self, month: str) -> AutomationState:
        if self.month == month:
            return self
        return replace(self, month=month, seats_added_this_month=0)


@dataclass(frozen=True, slots=True)
class Evaluation:
    state: AutomationState
    new_request: TopUpRequest | None = None
    new_notifications: tuple[Notification, ...] = ()
    audit: tuple[AuditEntry, ...] = ()
    audit_head: AuditHead = GENESIS
    changed: bool = False  # the state must be written


def paused_alert_id(doc_id: str, pauses: int) -> str:
    """The alert of a licence's `pauses`-th anomaly pause: one per pause, whoever retries."""
    return f"{doc_id}-paused-{pauses}"


def seen_in_flight(state: AutomationState, observed_total: int, at: datetime) -> AutomationState:
    """A sync read `observed_total` from Google at `at`: if that is what the change in flight
    asked for, remember when (see AutomationState.in_flight_seen_at)."""
    if state.in_flight_request_id is None or observed_total != state.in_flight_total_after:
        return state
    return replace(state, in_flight_seen_at=at)


def settings_saved(state: AutomationState) -> AutomationState:
    """Saving the settings lifts the pause a refused top-up put on automation: the admin has
    looked at the licence, so its automation may try again."""
    return replace(state, failed_at_total=None)


def month_of(at: datetime, time_zone: str) -> str:
    return at.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m")


def usage_facts(licence: Licence) -> dict[str, str | int | float | None]:
    usage = licence.usage
    return {
        "customerDomain": licence.customer_domain,
        "skuName": usage.sku_name,
        "planName": usage.plan_name,
        "assigned": usage.assigned,
        "total": usage.total,
        "vacant": usage.vacant,
        "utilisation": round(usage.utilisation, 4),
    }


def reclaimable_fact(reclaimable: int | None) -> dict[str, int]:
    """The fact a low-licence alert or a top-up confirmation records, when the count is known
    (domain.emails states it)."""
    return {} if reclaimable is None else {"reclaimable": reclaimable}


class _Decisions:
    """Collects what one evaluation creates: notifications and chained audit entries."""

    def __init__(self, licence: Licence, head: AuditHead, now: datetime) -> None:
        self.licence = licence
        self.head = head
        self.now = now
        self.notifications: list[Notification] = []
        self.audit: list[AuditEntry] = []

    def notify(self, notification_id: str, kind: NotificationType, **extra: str | int) -> None:
        facts = {**usage_facts(self.licence), **extra}
        self.notifications.append(
            Notification(notification_id, self.licence.key, kind, self.now, facts)
        )

    def log(self, action: AuditAction, message: str, after: int | None = None) -> None:
        before = self.licence.usage.total
        after = before if after is None else after
        entry = audit.append(
            self.head,
            self.licence.key,
            self.now,
            action,
            Source.AUTOMATIC,
            AUTOMATION_ACTOR,
            message,
            before,
            after,
        )
        self.audit.append(entry)
        self.head = entry.head


def evaluate(
    licence: Licence,
    settings: LicenceSettings,
    state: AutomationState,
    head: AuditHead,
    now: datetime,
    control: BuyingControl | None = None,
    reclaimable: int | None = None,
    outlook: str | None = None,
) -> Evaluation:
    """`reclaimable`: the SKU's reclaimable seats as the holder sync last counted them (None:
    unknown). The low-licence alert states them; reclaim before buying may hold a top-up.
    `outlook`: the run-out forecast's sentence, which the low-licence alert states too."""
    start = state
    state = state.in_month(month_of(now, licence.time_zone))
    usage = licence.usage
    if state.failed_at_total is not None and state.failed_at_total != usage.total:
        state = replace(state, failed_at_total=None)  # the seats moved: automation resumes
    doc_id = licence.key.doc_id
    made = _Decisions(licence, head, now)

    low = is_low(usage, settings)
    if low and not state.low_alert_active:
        state = replace(state, low_alert_active=True, low_alerts=state.low_alerts + 1)
        made.notify(
            f"{doc_id}-low-{state.low_alerts}",
            NotificationType.LOW_LICENCES,
            **reclaimable_fact(reclaimable),
            **({"outlook": outlook} if outlook else {}),
        )
        made.log(
            AuditAction.LOW_LICENCE_ALERT,
            f"Low licences: {usage.vacant} vacant of {usage.total}; alert raised",
        )
    elif not low and state.low_alert_active:
        state = replace(state, low_alert_active=False)  # recovered: re-armed for the next one

    request = None
    # While the anomaly guard holds the licence, nothing is decided: its alert said why, and a
    # "top-up not made" email for every crossing meanwhile would only repeat it.
    due = (
        state.pending_request_id is None
        and state.failed_at_total is None
        and state.top_ups_paused is None
    )
    added = state.seats_added_this_month
    plan = plan_top_up(usage, settings, added, reclaimable) if due else None
    if isinstance(plan, TopUpPlan) and control is not None and control.paused:
        # Not a request to be refused at once: an alert, once, says why nothing is bought.
        plan = TopUpBlocked(plan.seats_to_add, "Buying is paused by the reseller.")
    if isinstance(plan, TopUpPlan):
        state = replace(state, top_ups=state.top_ups + 1, blocked_alert_active=False)
        request = TopUpRequest(
            request_id=f"{doc_id}-auto-{state.top_ups}",
            key=licence.key,
            source=Source.AUTOMATIC,
            requested_by=AUTOMATION_ACTOR,
            plan_name=usage.plan_name,
            seats_to_add=plan.seats_to_add,
            total_before=plan.total_before,
            total_after=plan.total_after,
            created_at=now,
            observed_at=licence.updated_at,
        )
        state = replace(state, pending_request_id=request.request_id)
        made.log(
            AuditAction.TOP_UP_REQUESTED,
            f"{usage.vacant} vacant, below {settings.top_up_when_vacant_below}: "
            f"adding {seats(plan.seats_to_add)} ({plan.total_before} → {plan.total_after})",
            plan.total_after,
        )
    elif isinstance(plan, TopUpBlocked) and not state.blocked_alert_active:
        state = replace(state, blocked_alert_active=True, blocked_alerts=state.blocked_alerts + 1)
        made.notify(
            f"{doc_id}-blocked-{state.blocked_alerts}",
            NotificationType.TOP_UP_FAILED,
            reason=plan.reason,
            seatsWanted=plan.seats_wanted,
        )
        made.log(AuditAction.TOP_UP_BLOCKED, f"Automatic top-up not made: {plan.reason}")
    elif plan is None and due and state.blocked_alert_active:
        state = replace(state, blocked_alert_active=False)
    return Evaluation(
        state=state,
        new_request=request,
        new_notifications=tuple(made.notifications),
        audit=tuple(made.audit),
        audit_head=made.head,
        changed=state != start,
    )
