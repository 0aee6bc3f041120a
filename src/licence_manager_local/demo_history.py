"""A few months of made-up history for the demo world (DEMO_HISTORY=1), so that `make run` and
the browser tests open on a Reports chart with something in it.

It runs before the first sync and before the Eventarc stand-in listens, and writes exactly what
the product writes, through the product's own code: a real sync (services.sync.UsageSync, on
the Reseller simulator) DAYS days ago discovers the customers and their licences at smaller
figures; then each online subscription is observed day by day as a sync records an observation
(services.sync.record_seen: the licence, its daily rollup, its audit chain), and seats added
along the way are recorded as the top-up service records an applied request (TOP_UP_APPLIED,
with its source). The history ends exactly at what the simulator holds now, so the first real
sync finds nothing changed. Additions all fall before the current month, so this month's caps
and spending start untouched.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from licence_manager.adapters.reseller import ResellerApi
from licence_manager.adapters.reseller_client import build_reseller_service
from licence_manager.config import Settings
from licence_manager.domain import audit, daily
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.automation import AUTOMATION_ACTOR
from licence_manager.domain.model import PlanKind, Subscription, Usage
from licence_manager.domain.observation import LicenceContext, RecordedChange
from licence_manager.ports.messaging import NotificationStore
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.ports.usage import (
    CustomerProfile,
    LicenceStore,
    SubscriptionListing,
    SubscriptionSource,
)
from licence_manager.services.sync import SyncUsage, UsageSync, record_licence, record_seen

DAYS = 120
VACANT_BEFORE_TOP_UP = 2  # the demo settings' threshold (run.seed_demo_settings)
TOP_UP_TO_VACANT = 4
MANUAL_ACTOR = "admin (demo history)"


def with_seats(subscription: Subscription, total: int, assigned: int) -> Subscription:
    """The subscription as Google would report it at these figures."""
    if subscription.plan is PlanKind.ANNUAL:
        return replace(subscription, number_of_seats=total, licensed_number_of_seats=assigned)
    return replace(subscription, maximum_number_of_seats=total, licensed_number_of_seats=assigned)


def opening(now: Subscription) -> tuple[int, int]:
    """Users and seats when the history starts: about 60% of today's users, a few seats spare."""
    final = Usage.of(now)
    assigned = max(1, round(final.assigned * 0.6))
    return assigned, min(final.total, assigned + TOP_UP_TO_VACANT)


class AsItWas(SubscriptionSource):
    """The Reseller API as it was when the history starts: the same customers and
    subscriptions, at their opening figures."""

    def __init__(self, real: SubscriptionSource) -> None:
        self._real = real

    def _then(self, now: Subscription) -> Subscription:
        assigned, total = opening(now)
        return with_seats(now, total, assigned)

    def list_subscriptions(self, customer_name_prefix: str | None) -> SubscriptionListing:
        listing = self._real.list_subscriptions(customer_name_prefix)
        listing.subscriptions = [self._then(s) for s in listing.subscriptions]
        return listing

    def list_customer_subscriptions(self, customer_id: str) -> list[Subscription]:
        return [self._then(s) for s in self._real.list_customer_subscriptions(customer_id)]

    def get_customer(self, customer_id: str) -> CustomerProfile:
        return self._real.get_customer(customer_id)


def _applied(
    context: LicenceContext, at: datetime, seats: int, source: Source
) -> RecordedChange | None:
    """Seats added through Licence Manager, written as domain.outcomes.applied writes them."""
    stored = context.stored
    if stored is None:
        return None
    before = stored.usage
    after = replace(before, total=before.total + seats)
    entry = audit.append(
        context.head,
        stored.key,
        at,
        AuditAction.TOP_UP_APPLIED,
        source,
        AUTOMATION_ACTOR if source is Source.AUTOMATIC else MANUAL_ACTOR,
        f"Added {seats} seat{'s' if seats != 1 else ''} ({source.value}): "
        f"{before.total} → {after.total}",
        before.total,
        after.total,
        plan_name=before.plan_name,
    )
    licence = replace(stored, usage=after, updated_at=at)
    day = daily.roll(context.today, stored.key, stored.time_zone, at, before, after)
    return RecordedChange(licence, day, (entry,), entry.head)


def backfill(
    uow: UnitOfWork, now: Subscription, time_zone: str, today: date, days: int = DAYS
) -> int:
    """Write one subscription's history from `days` days ago to yesterday; the changes written.
    Usage grows from about 60% of today's users to today's; seats follow, topped up when vacant
    seats run low, the rest bought in the Admin console at the end of last month."""
    rng = random.Random(f"{now.customer_id}/{now.sku_id}")
    final = Usage.of(now)
    first_day = today - timedelta(days=days)
    this_month = today.replace(day=1)
    assigned, total = opening(now)
    additions_allowed = now.status == "ACTIVE"
    written, top_ups = 0, 0
    for index in range(days):
        day = first_day + timedelta(days=index)
        at = datetime.combine(day, time(9), tzinfo=UTC) + timedelta(minutes=rng.randrange(480))
        if index == days - 1:
            written += record_seen(uow, now, time_zone, at) is not None
            break
        growth = final.assigned * 0.4 * index / (days - 1)
        wanted = round(final.assigned * 0.6 + growth) + rng.choice((-1, 0, 0, 0, 1))
        if day >= this_month:
            total = final.total
        assigned = max(0, min(wanted, total, final.total))
        if index == 0 or rng.random() < 0.6:
            observed = with_seats(now, total, assigned)
            written += record_seen(uow, observed, time_zone, at) is not None
        vacant = total - assigned
        next_day = day + timedelta(days=1)
        if additions_allowed and day < this_month and vacant < VACANT_BEFORE_TOP_UP:
            seats = min(final.total - total, assigned + TOP_UP_TO_VACANT - total)
            if seats > 0:
                source = Source.MANUAL if top_ups == 1 else Source.AUTOMATIC
                decide = partial(_applied, at=at + timedelta(minutes=5), seats=seats, source=source)
                change = uow.run(
                    partial(
                        record_licence,
                        key=now.key,
                        at=at + timedelta(minutes=5),
                        default_time_zone=time_zone,
                        decide=decide,
                    )
                )
                total += seats
                top_ups += 1
                written += change is not None
        if next_day == this_month and total < final.total:
            # The rest bought in the Admin console, which the sync finds the next morning.
            total = final.total
            seen = datetime.combine(day, time(23), tzinfo=UTC)
            written += (
                record_seen(uow, with_seats(now, total, assigned), time_zone, seen) is not None
            )
    return written


def simulator_source(simulator_url: str) -> ResellerApi:
    """The product's Reseller API client, pointed at the simulator as the functions are."""
    settings = Settings.from_env({"RESELLER_API_ENDPOINT": simulator_url})
    return ResellerApi(lambda: build_reseller_service(settings))


def write_demo_history(
    source: SubscriptionSource,
    store: LicenceStore,
    recipients: NotificationStore,
    uow: UnitOfWork,
    time_zone: str,
    today: date,
) -> int:
    """The changes written: the first sync DAYS days ago, then each subscription's history."""
    started = datetime.combine(today - timedelta(days=DAYS), time(8), tzinfo=UTC)
    first_sync = UsageSync(
        AsItWas(source), store, uow, time_zone, clock=lambda: started, recipients=recipients
    )
    report = first_sync(SyncUsage())
    now = source.list_subscriptions(None).subscriptions
    return report.licences_written + sum(backfill(uow, s, time_zone, today) for s in now)
