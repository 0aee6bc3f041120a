"""The anomaly guard's decisions, free of storage: what the sync's record step adds to a
licence's automation state when it records new figures, and what a person's resume does.

The record step (services.recording) is the one place Google's figures enter: the scheduled
sync, an event-driven sync and the demo history all pass through it, so measuring there covers
them all. The pause, its audit entry and its alert are written in the same transaction as the
figures that showed the rise; evaluation (triggered by that licence write) then raises no
request, supersedes one still waiting, and publishes the alert.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from licence_manager.domain import anomaly, audit
from licence_manager.domain.anomaly import AnomalyPolicy, Window
from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.automation import AutomationState, paused_alert_id, usage_facts
from licence_manager.domain.model import AuditHead, Licence
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.domain.observation import RecordedChange

GUARD_ACTOR = "anomaly guard"


def window_after(
    state: AutomationState, stored: Licence | None, recorded: Licence, at: datetime
) -> Window:
    """The window once `recorded` is recorded at `at`. The stored count goes in first, in force
    since it was stored: a count recorded by another writer (a top-up's fresh read) is then
    still measured from, and one already in the window changes nothing."""
    window = state.assigned_window
    latest = window[-1].assigned if window else None
    if (
        stored is not None
        and recorded.usage.assigned == stored.usage.assigned
        and latest in (None, stored.usage.assigned)
    ):
        # The count did not move and the window already ends at it (or is empty, where a
        # lone count measures nothing yet): no new sample, and no write for a total-only change.
        return window
    if stored is not None:
        window = anomaly.observe(window, stored.updated_at, stored.usage.assigned)
    return anomaly.observe(window, at, recorded.usage.assigned)


def needs_policy(state: AutomationState, window: Window, at: datetime) -> bool:
    """Whether the customer's thresholds must be read: only for a rise on a licence not yet
    paused (most recordings read nothing more)."""
    rose = anomaly.rise(window, at)
    return state.top_ups_paused is None and rose is not None and rose.amount > 0


@dataclass(frozen=True, slots=True)
class Watched:
    state: AutomationState
    change: RecordedChange  # with the pause's audit entry chained after the change's own
    notification: Notification | None  # the pause's alert, when it paused now


def watch(
    state: AutomationState,
    window: Window,
    policy: AnomalyPolicy | None,
    change: RecordedChange,
    at: datetime,
) -> Watched:
    """Keep the window; pause automatic top-ups when the rise in the hour up to `at` exceeds
    the customer's thresholds (`policy`: read when needs_policy said so, else None)."""
    state = replace(state, assigned_window=window)
    rose = anomaly.rise(window, at)
    licence = change.licence
    total = licence.usage.total
    if policy is None or rose is None or state.top_ups_paused is not None:
        return Watched(state, change, None)
    if not policy.exceeded(rose.amount, total):
        return Watched(state, change, None)
    pause = anomaly.pause_of(rose, total, policy, at, GUARD_ACTOR)
    count = state.anomaly_pauses + 1
    state = replace(state, top_ups_paused=pause, anomaly_pauses=count)
    entry = _entry(
        change.audit_head, licence, at, AuditAction.TOP_UPS_PAUSED, Source.AUTOMATIC, GUARD_ACTOR,
        f"Automatic top-ups paused: {pause.reason}. Resume them from the dashboard once checked",
    )  # fmt: skip
    notification = Notification(
        paused_alert_id(licence.key.doc_id, count),
        licence.key,
        NotificationType.TOP_UPS_PAUSED,
        at,
        {
            **usage_facts(licence),
            "reason": pause.reason,
            "rise": pause.rise,
            "assignedFrom": pause.assigned_from,
            "assignedTo": pause.assigned_to,
            "since": pause.since.isoformat(),
            "minUsers": policy.min_users,
            "minPercent": policy.min_percent,
        },
    )
    chained = replace(change, audit=(*change.audit, entry), audit_head=entry.head)
    return Watched(state, chained, notification)


@dataclass(frozen=True, slots=True)
class Resumed:
    state: AutomationState
    entry: AuditEntry


def resume(
    state: AutomationState,
    licence: Licence,
    head: AuditHead,
    by: str,
    at: datetime,
    source: Source = Source.DASHBOARD,
) -> Resumed | None:
    """A person lifts the pause (None: not paused, nothing to do). The window restarts from
    the count now, so the rise just looked at does not pause the licence again."""
    pause = state.top_ups_paused
    if pause is None:
        return None
    state = replace(
        state,
        top_ups_paused=None,
        assigned_window=anomaly.restart(at, licence.usage.assigned),
    )
    entry = _entry(
        head, licence, at, AuditAction.TOP_UPS_RESUMED, source, by,
        f"Automatic top-ups resumed by {by} (paused {pause.paused_at:%Y-%m-%d %H:%M} UTC: "
        f"{pause.reason})",
    )  # fmt: skip
    return Resumed(state, entry)


def _entry(
    head: AuditHead,
    licence: Licence,
    at: datetime,
    action: AuditAction,
    source: Source,
    actor: str,
    message: str,
) -> AuditEntry:
    total = licence.usage.total
    return audit.append(
        head, licence.key, at, action, source, actor, message, total, total,
        plan_name=licence.usage.plan_name,
    )  # fmt: skip
