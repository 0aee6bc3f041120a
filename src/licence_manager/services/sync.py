"""The usage sync: read every online subscription, record only what changed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from licence_manager.domain.automation import seen_in_flight
from licence_manager.domain.daily import local_day
from licence_manager.domain.freshness import ShardOutcome, shard_key
from licence_manager.domain.model import (
    Customer,
    Licence,
    LicenceKey,
    Subscription,
    Usage,
)
from licence_manager.domain.notifications import Recipient
from licence_manager.domain.observation import (
    REMOVED,
    LicenceContext,
    RecordedChange,
    needs_recording,
    record_disappearance,
    record_observation,
)
from licence_manager.observability import get_logger
from licence_manager.ports import (
    AccessDenied,
    CustomerProfile,
    LicenceStore,
    NotificationStore,
    SourceError,
    SubscriptionSource,
    SyncRunRecord,
)
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork

log = get_logger(__name__)
Clock = Callable[[], datetime]
# Given what is stored about a licence, what to write (None: nothing changed).
ChangeDecision = Callable[[LicenceContext], RecordedChange | None]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SyncUsage:
    """Command: sync these shards (customerNamePrefix values; None means every customer)."""

    shards: tuple[str | None, ...] = (None,)


@dataclass(slots=True)
class ShardReport:
    prefix: str | None
    api_calls: int = 0
    subscriptions_seen: int = 0
    offline_skipped: int = 0
    licences_created: int = 0
    licences_updated: int = 0
    licences_removed: int = 0
    outside_changes: int = 0
    customers_added: int = 0
    complete: bool = True
    failures: list[dict[str, str]] = field(default_factory=list)
    # For the freshness heartbeat: when Google was asked, why the listing stopped, and the
    # customers whose figures could not be checked, each with a reason an admin can read.
    observed_at: datetime | None = None
    listing_error: str | None = None
    customer_problems: dict[str, str] = field(default_factory=dict)
    offline_skus: dict[str, frozenset[str]] = field(default_factory=dict)

    def fail(self, reason: str, customer_id: str = "", sku_id: str = "") -> None:
        self.failures.append({"customerId": customer_id, "skuId": sku_id, "reason": reason})

    def outcome(self, fallback_time: datetime) -> ShardOutcome:
        return ShardOutcome(
            prefix=shard_key(self.prefix),
            attempted_at=self.observed_at or fallback_time,
            complete=self.complete,
            error=self.listing_error,
            customer_problems=dict(self.customer_problems),
            offline_skus=dict(self.offline_skus),
        )


@dataclass(slots=True)
class SyncReport:
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    shards: list[ShardReport] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(int(getattr(shard, name)) for shard in self.shards)

    @property
    def failures(self) -> list[dict[str, str]]:
        return [failure for shard in self.shards for failure in shard.failures]

    @property
    def licences_written(self) -> int:
        return sum(
            s.licences_created + s.licences_updated + s.licences_removed for s in self.shards
        )


class UsageSync:
    def __init__(
        self,
        source: SubscriptionSource,
        store: LicenceStore,
        uow: UnitOfWork,
        default_time_zone: str,
        clock: Clock = utc_now,
        max_parallel_shards: int = 8,
        recipients: NotificationStore | None = None,
        interval_seconds: int = 300,
    ) -> None:
        self._interval = interval_seconds  # how often it is scheduled: freshness judges by it
        self._recipients = recipients
        self._source = source
        self._store = store
        self._uow = uow
        self._time_zone = default_time_zone
        self._clock = clock
        self._parallel = max_parallel_shards

    def __call__(self, command: SyncUsage) -> SyncReport:
        report = SyncReport(run_id=uuid.uuid4().hex, started_at=self._clock())
        # Shards are independent and the wall time is bound by API latency: run them side by side.
        with ThreadPoolExecutor(max_workers=min(self._parallel, len(command.shards))) as pool:
            report.shards = list(pool.map(self._sync_shard, command.shards))
        report.finished_at = self._clock()
        self._store.record_sync_run(
            SyncRunRecord(
                run_id=report.run_id,
                started_at=report.started_at,
                finished_at=report.finished_at,
                subscriptions_seen=report.total("subscriptions_seen"),
                licences_written=report.licences_written,
                api_calls=report.total("api_calls"),
                failures=len(report.failures),
                complete=all(s.complete for s in report.shards),
                interval_seconds=self._interval,
                shards=tuple(s.outcome(report.started_at) for s in report.shards),
            )
        )
        return report

    def _sync_shard(self, prefix: str | None) -> ShardReport:
        shard = ShardReport(prefix=prefix)
        # Stamped before the listing: a licence written while we listed (say, a top-up) is newer
        # than this observation and is not rolled back by it.
        observed_at = shard.observed_at = self._clock()
        # The stored licences are read while the listing pages in: one waits on the API's
        # latency, the other on Firestore's, and neither needs the other (benchmark: bench/).
        with ThreadPoolExecutor(max_workers=1) as reader:
            stored_read = reader.submit(self._store.licences_for_domains, prefix)
            listing = self._source.list_subscriptions(prefix)
            stored = stored_read.result()
        shard.api_calls += listing.api_calls
        shard.subscriptions_seen = len(listing.subscriptions)
        shard.offline_skipped = listing.offline_skipped
        shard.offline_skus = {c: frozenset(skus) for c, skus in listing.offline_skus.items()}
        if not listing.complete:
            shard.complete = False
            shard.fail(f"listing stopped early: {listing.error}")
            shard.listing_error = (
                "Google's Reseller API stopped answering while the subscriptions were listed "
                f"({listing.error})."
            )
        for subscription in listing.subscriptions:
            self._observe(shard, stored.get(subscription.key), subscription, observed_at)
        self._add_new_customers(shard, stored, listing.subscriptions)
        if listing.complete:
            seen = {s.key for s in listing.subscriptions}
            vanished = [lic for key, lic in stored.items() if key not in seen]
            self._confirm_vanished(shard, vanished, observed_at)
        return shard

    def _observe(
        self,
        shard: ShardReport,
        stored: Licence | None,
        subscription: Subscription,
        observed_at: datetime,
    ) -> None:
        if not needs_recording(stored, Usage.of(subscription)):
            return
        try:
            # A new SKU of a known customer starts on the customer's clock, not the default.
            zone = self._time_zone if stored else self._zone_of(subscription.customer_id)
            decide = partial(
                record_observation,
                subscription=subscription,
                at=observed_at,
                default_time_zone=zone,
            )
            change = self._record(
                subscription.key, observed_at, decide, subscription.total_seats, zone
            )
        except Exception as error:  # one licence failing to save must not stop the others
            log.exception("could not record licence", extra={"licence": subscription.key.doc_id})
            shard.fail(f"store: {error}", subscription.customer_id, subscription.sku_id)
            shard.customer_problems[subscription.customer_id] = (
                "Licence Manager could not save the figures Google gave for "
                f"{subscription.sku_name}."
            )
            return
        if change is None:
            return
        if stored is None:
            shard.licences_created += 1
        else:
            shard.licences_updated += 1
        shard.outside_changes += sum(e.source == "outside" for e in change.audit)

    def _add_new_customers(
        self, shard: ShardReport, stored: dict[LicenceKey, Licence], seen: list[Subscription]
    ) -> None:
        known = {key.customer_id for key in stored}
        new = {s.customer_id: s.customer_domain for s in seen if s.customer_id not in known}
        for customer_id, domain in sorted(new.items()):
            profile = CustomerProfile(customer_id, domain, domain)
            shard.api_calls += 1
            try:
                profile = self._source.get_customer(customer_id)
            except SourceError as error:
                shard.fail(f"customers.get: {error}", customer_id)
            name = profile.organization_name or domain
            try:
                self._store.save_customer(Customer(customer_id, domain, name, self._time_zone))
                shard.customers_added += 1
                self._add_default_recipient(profile)
            except Exception as error:
                log.exception("could not save customer", extra={"customerId": customer_id})
                shard.fail(f"store: {error}", customer_id)

    def _add_default_recipient(self, profile: CustomerProfile) -> None:
        """A new customer's contact gets every email until an admin chooses otherwise."""
        if self._recipients is None or not profile.alternate_email:
            return
        if not self._recipients.recipients(profile.customer_id):
            self._recipients.save_recipient(
                Recipient(profile.customer_id, profile.alternate_email, "Customer contact")
            )

    def _confirm_vanished(
        self, shard: ShardReport, vanished: list[Licence], observed_at: datetime
    ) -> None:
        """A licence missing from a complete listing is checked against its customer before it
        is marked removed: a customer that now answers 403 is reported, its data left alone."""
        by_customer: dict[str, list[Licence]] = {}
        for licence in vanished:
            if licence.usage.status != REMOVED:
                by_customer.setdefault(licence.key.customer_id, []).append(licence)
        for customer_id, licences in sorted(by_customer.items()):
            shard.api_calls += 1
            try:
                current = {s.key: s for s in self._source.list_customer_subscriptions(customer_id)}
            except AccessDenied as error:
                shard.fail(f"customer not accessible (403): {error}", customer_id)
                shard.customer_problems[customer_id] = (
                    "Google's Reseller API refused access to this customer (403 forbidden): "
                    "the reseller may no longer manage it."
                )
                continue
            except SourceError as error:
                shard.fail(f"subscriptions.list for customer: {error}", customer_id)
                shard.customer_problems[customer_id] = (
                    f"Google's Reseller API did not list this customer's subscriptions ({error})."
                )
                continue
            for licence in licences:
                if licence.key in current:
                    self._observe(shard, licence, current[licence.key], observed_at)
                else:
                    self._remove(shard, licence, observed_at)

    def _zone_of(self, customer_id: str) -> str:
        """The customer's time zone (DEFAULT_TIME_ZONE for one not stored yet): read only when
        a licence is new, which is rare."""
        customer = self._store.customer(customer_id)
        return customer.time_zone if customer else self._time_zone

    def _record(
        self,
        key: LicenceKey,
        at: datetime,
        decide: ChangeDecision,
        observed_total: int | None = None,
        default_time_zone: str | None = None,
    ) -> RecordedChange | None:
        return self._uow.run(
            partial(
                record_licence,
                key=key,
                at=at,
                default_time_zone=default_time_zone or self._time_zone,
                decide=decide,
                observed_total=observed_total,
            )
        )

    def _remove(self, shard: ShardReport, licence: Licence, at: datetime) -> None:
        try:
            decide = partial(record_disappearance, at=at)
            if self._record(licence.key, at, decide) is not None:
                shard.licences_removed += 1
        except Exception as error:
            log.exception("could not record removal", extra={"licence": licence.key.doc_id})
            shard.fail(f"store: {error}", licence.key.customer_id, licence.key.sku_id)
            shard.customer_problems[licence.key.customer_id] = (
                f"Licence Manager could not save that {licence.usage.sku_name} was removed."
            )


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
    stored = tx.licences.get(key)
    time_zone = stored.time_zone if stored else default_time_zone
    today = tx.days.get((key, local_day(at, time_zone)))
    head = tx.head_of(key)
    state = tx.automation_of(key)
    change = decide(LicenceContext(stored, today, head, state.in_flight_total_after))
    if observed_total is not None:
        seen = seen_in_flight(state, observed_total, at)
        if seen != state:
            tx.automation.put(key, seen)
    if change is None:
        return None
    tx.licences.put(key, change.licence)
    if change.daily is not None:
        tx.days.put((key, change.daily.day), change.daily)
    tx.append_audit(change.audit, change.audit_head)
    return change


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
