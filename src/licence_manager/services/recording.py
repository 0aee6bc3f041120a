"""One licence's read-decide-write as a sync records it: the step every observation of
Google's figures goes through (the scheduled sync, a top-up's fresh read, the demo history)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from licence_manager.domain import anomaly_guard, subscription_events
from licence_manager.domain.automation import AutomationState, seen_in_flight
from licence_manager.domain.daily import local_day
from licence_manager.domain.model import Licence, LicenceKey, Subscription, Usage
from licence_manager.domain.notifications import Notification
from licence_manager.domain.observation import LicenceContext, RecordedChange, record_observation
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork
from licence_manager.services.savings import renewal_saving

# Given what is stored about a licence, what to write (None: nothing changed).
ChangeDecision = Callable[[LicenceContext], RecordedChange | None]


@dataclass(frozen=True, slots=True)
class Recorded:
    """What the sync's record step did, and the usage stored once it committed (None: there is
    no licence), which is what the usage digest fingerprints."""

    change: RecordedChange | None
    existed: bool
    usage: Usage | None


def _read_and_decide(
    tx: Transaction,
    key: LicenceKey,
    at: datetime,
    default_time_zone: str,
    decide: ChangeDecision,
    observed_total: int | None,
) -> tuple[Licence | None, RecordedChange | None]:
    stored = tx.licences.get(key)
    time_zone = stored.time_zone if stored else default_time_zone
    today = tx.days.get((key, local_day(at, time_zone)))
    head = tx.head_of(key)
    state = tx.automation_of(key)
    change = decide(LicenceContext(stored, today, head, state.in_flight_total_after))
    updated = state
    if observed_total is not None:
        updated = seen_in_flight(updated, observed_total, at)
    alerts: list[Notification] = []
    if change is not None:
        updated, change, alerts = _watch(tx, key, state, updated, stored, change, at)
        # An annual term seen renewing with fewer seats saves the seats not re-committed, once
        # per term; after the guard's reads and before this unit's first write (it reads the
        # savings first).
        tx.record_saving(renewal_saving(tx, stored, change.licence, at))
    if updated != state:
        tx.automation.put(key, updated)
    for notification in alerts:
        tx.notifications.create(notification.notification_id, notification)
    return stored, change


def _watch(
    tx: Transaction,
    key: LicenceKey,
    read: AutomationState,
    state: AutomationState,
    stored: Licence | None,
    change: RecordedChange,
    at: datetime,
) -> tuple[AutomationState, RecordedChange, list[Notification]]:
    """What the record step adds to a change: the anomaly guard measures here, where every
    observation of Google's figures is recorded, and pauses in this very transaction
    (domain.anomaly_guard); a suspension or removal recorded now is alerted now, once (its id
    is its audit entry's: only the transaction that records it sees it happen). The customer's
    thresholds are the one more read, and only on a rise."""
    window = anomaly_guard.window_after(read, stored, change.licence, at)
    wanted = anomaly_guard.needs_policy(read, window, at)
    policy = tx.anomaly_policy_of(key.customer_id) if wanted else None
    watched = anomaly_guard.watch(state, window, policy, change, at)
    state, change = watched.state, watched.change
    alerts = [] if watched.notification is None else [watched.notification]
    event = subscription_events.status_alert(stored, change.licence, change.audit, at)
    if event is not None:
        state = replace(state, status_alert_id=event.notification_id)
        alerts.append(event)
    return state, change, alerts


def _write_rest(tx: Transaction, key: LicenceKey, change: RecordedChange) -> None:
    if change.daily is not None:
        tx.days.put((key, change.daily.day), change.daily)
    tx.append_audit(change.audit, change.audit_head)


def record_licence(
    tx: Transaction,
    key: LicenceKey,
    at: datetime,
    default_time_zone: str,
    decide: ChangeDecision,
    observed_total: int | None = None,
) -> RecordedChange | None:
    """One licence's read-decide-write: read it with its day, audit head and the total of a
    change in flight; `decide` (domain.observation) says what to write; write it together.
    `observed_total`: Google's total as read, kept as evidence for a change in flight."""
    _stored, change = _read_and_decide(tx, key, at, default_time_zone, decide, observed_total)
    if change is None:
        return None
    tx.licences.put(key, change.licence)
    _write_rest(tx, key, change)
    return change


def record_listed(
    tx: Transaction,
    key: LicenceKey,
    at: datetime,
    default_time_zone: str,
    decide: ChangeDecision,
    document: str,
    observed_total: int | None = None,
) -> Recorded:
    """record_licence as the scheduled sync does it: the licence ends up listed in the shard's
    digest `document` (written once more if it was listed elsewhere), and the usage stored is
    returned for the digest."""
    stored, change = _read_and_decide(tx, key, at, default_time_zone, decide, observed_total)
    if change is not None:
        tx.licences.put_listed(key, change.licence, document)
        _write_rest(tx, key, change)
        return Recorded(change, stored is not None, change.licence.usage)
    if stored is not None and tx.licences.listed_in(key) != document:
        tx.licences.put_listed(key, stored, document)
    return Recorded(None, stored is not None, stored.usage if stored else None)


def record_seen(
    uow: UnitOfWork, subscription: Subscription, default_time_zone: str, at: datetime
) -> RecordedChange | None:
    """Record one subscription as just read from Google, exactly as a sync would."""
    decide = partial(
        record_observation, subscription=subscription, at=at, default_time_zone=default_time_zone
    )
    return uow.run(
        partial(
            record_licence,
            key=subscription.key,
            at=at,
            default_time_zone=default_time_zone,
            decide=decide,
            observed_total=subscription.total_seats,
        )
    )
