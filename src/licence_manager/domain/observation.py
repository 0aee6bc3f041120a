"""What a sync does with one observed subscription: the rules, free of any storage."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from licence_manager.domain import audit, daily
from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.model import GENESIS, AuditHead, Licence, Subscription, Usage
from licence_manager.domain.renewal import renewal_change_message

REMOVED = "REMOVED"
SYNC_ACTOR = "usage sync"


@dataclass(frozen=True, slots=True)
class LicenceContext:
    """What is stored about one licence, read together in one transaction."""

    stored: Licence | None = None
    today: DailyUsage | None = None  # the rollup of the local day being written
    head: AuditHead = GENESIS
    # The total a Licence Manager seat change in flight is making (None: none in flight). While
    # there is one, a sync leaves the stored total alone (see record_observation).
    in_flight_total: int | None = None


@dataclass(frozen=True, slots=True)
class RecordedChange:
    """Everything one observation writes, atomically: the licence, its day, its audit entries."""

    licence: Licence
    daily: DailyUsage | None
    audit: tuple[AuditEntry, ...]
    audit_head: AuditHead


def needs_recording(stored: Licence | None, observed: Usage) -> bool:
    return stored is None or stored.usage != observed


def record_observation(
    context: LicenceContext, subscription: Subscription, at: datetime, default_time_zone: str
) -> RecordedChange | None:
    """Fold what the Reseller API says now into the stored licence; None when nothing changed."""
    stored = context.stored
    observed = Usage.of(subscription)
    if stored is not None and context.in_flight_total is not None:
        # A Licence Manager change is in flight: which part of a new total is its doing cannot
        # be told until it finishes. The stored total waits for its outcome, which records the
        # change (applied, or as made outside); the next sync records whatever else moved. So
        # every seat is counted exactly once. Likewise the renewal type (a renewal change is a
        # change in flight too): its outcome records it once, with the admin as its source, and
        # a sync in between does not call it a change made outside.
        observed = replace(
            observed, total=stored.usage.total, renewal_type=stored.usage.renewal_type
        )
    if stored is not None and stored.usage == observed:
        return None
    if stored is not None and at < stored.updated_at:
        return None  # an observation older than what is stored must not roll it back
    key = subscription.key
    time_zone = stored.time_zone if stored else default_time_zone
    head = context.head
    entries: list[AuditEntry] = []

    def log(action: AuditAction, message: str, before: int | None) -> None:
        nonlocal head
        source = Source.SYNC if action is AuditAction.LICENCE_DISCOVERED else Source.OUTSIDE
        entry = audit.append(
            head,
            key,
            at,
            action,
            source,
            SYNC_ACTOR,
            message,
            before,
            observed.total,
            plan_name=observed.plan_name,  # the plan the seats were on when seen changing
        )
        entries.append(entry)
        head = entry.head

    before = stored.usage if stored else None
    if before is None:
        log(
            AuditAction.LICENCE_DISCOVERED,
            f"{observed.sku_name} found on plan {observed.plan_name} with {observed.total} seats",
            None,
        )
    else:
        if before.total != observed.total:
            log(
                AuditAction.SEATS_CHANGED_OUTSIDE,
                f"Seats changed outside Licence Manager from {before.total} to {observed.total}",
                before.total,
            )
        if before.plan_name != observed.plan_name:
            log(
                AuditAction.PLAN_CHANGED,
                f"Plan changed from {before.plan_name} to {observed.plan_name}",
                before.total,
            )
        if before.status != observed.status:
            log(
                AuditAction.STATUS_CHANGED,
                f"Status changed from {before.status} to {observed.status}",
                before.total,
            )
        # A licence first seen with a renewal type (stored before types were read, or a plan
        # just become annual, which PLAN_CHANGED records) did not have it changed.
        if before.renewal_type and before.renewal_type != observed.renewal_type:
            log(
                AuditAction.RENEWAL_TYPE_CHANGED,
                renewal_change_message(before.renewal_type, observed.renewal_type),
                before.total,
            )
    licence = Licence(
        key=key,
        customer_domain=subscription.customer_domain,
        usage=observed,
        time_zone=time_zone,
        updated_at=at,
    )
    day = _roll_day(context.today, licence, at, before)
    return RecordedChange(licence=licence, daily=day, audit=tuple(entries), audit_head=head)


def _roll_day(
    today: DailyUsage | None, licence: Licence, at: datetime, before: Usage | None
) -> DailyUsage | None:
    after = licence.usage
    if before is not None and (before.assigned, before.total) == (after.assigned, after.total):
        # Only the status, plan or renewal changed: the seat figures of the day did not.
        return None
    return daily.roll(today, licence.key, licence.time_zone, at, before, after)


def record_disappearance(context: LicenceContext, at: datetime) -> RecordedChange | None:
    """A licence the complete listing no longer contains: cancelled, deleted or transferred."""
    stored = context.stored
    if stored is None or stored.usage.status == REMOVED:
        return None
    entry = audit.append(
        context.head,
        stored.key,
        at,
        AuditAction.LICENCE_REMOVED,
        Source.OUTSIDE,
        SYNC_ACTOR,
        f"{stored.usage.sku_name} is no longer among the customer's online subscriptions",
        stored.usage.total,
        stored.usage.total,
        plan_name=stored.usage.plan_name,
    )
    licence = replace(stored, usage=replace(stored.usage, status=REMOVED), updated_at=at)
    return RecordedChange(licence=licence, daily=None, audit=(entry,), audit_head=entry.head)
