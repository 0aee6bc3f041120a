"""The usage sync: read every online subscription, record only what changed."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from licence_manager.domain.freshness import shard_key
from licence_manager.domain.model import Customer, Subscription
from licence_manager.domain.notifications import Recipient
from licence_manager.domain.onboarding import OnboardingPace
from licence_manager.domain.usage_digest import UsageDigest
from licence_manager.observability import get_logger
from licence_manager.ports import (
    CustomerProfile,
    LicenceStore,
    NotificationStore,
    ShardBusy,
    SourceError,
    SubscriptionSource,
    SyncRunRecord,
)
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.services.recording import ChangeDecision, record_licence, record_seen
from licence_manager.services.shard_pass import OnboardingGate, ShardPass
from licence_manager.services.sync_report import ShardReport, SyncReport

__all__ = [
    "ChangeDecision",
    "SyncReport",
    "SyncUsage",
    "UsageSync",
    "record_licence",
    "record_seen",
]
log = get_logger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SyncUsage:
    """Command: sync these shards (customerNamePrefix values; None means every customer)."""

    shards: tuple[str | None, ...] = (None,)
    # Read every stored licence instead of trusting the usage digest, and rebuild the digest
    # from what was read (ops' check; a shard's first run does it anyway).
    verify: bool = False


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
        shard_lease: timedelta = timedelta(seconds=600),
        onboarding: Callable[[], OnboardingGate] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._sleep = sleep  # while another run records a shard (ShardPass.BUSY_PAUSES)
        self._interval = interval_seconds  # how often it is scheduled: freshness judges by it
        self._recipients = recipients
        self._source = source
        self._store = store
        self._uow = uow
        self._time_zone = default_time_zone
        self._clock = clock
        self._parallel = max_parallel_shards
        self._lease = shard_lease  # must outlast the sync function's timeout (ShardLease)
        # A fresh pace of new licences for each run (production: bootstrap, from the settings).
        self._onboarding = onboarding or (lambda: OnboardingGate(OnboardingPace(float("inf"))))

    def __call__(self, command: SyncUsage) -> SyncReport:
        report = SyncReport(run_id=uuid.uuid4().hex, started_at=self._clock())
        # Shards are independent and the wall time is bound by API latency: run them side by side.
        # The heartbeat is read beside the shards, so recording the run at the end is one write.
        # So are the usage digests of every shard, in one round trip: each shard's listing
        # waits on the API, the reads on Firestore, and neither needs the other.
        with ThreadPoolExecutor(max_workers=2) as reader:
            heartbeat = reader.submit(self._store.read_heartbeat)
            digests = reader.submit(self._store.usage_digests, map(shard_key, command.shards))
            gate = self._onboarding()
            with ThreadPoolExecutor(max_workers=min(self._parallel, len(command.shards))) as pool:
                runs = [
                    pool.submit(self._sync_shard, p, report.run_id, digests, gate, command.verify)
                    for p in command.shards
                ]
                report.shards = [run.result() for run in runs]
            read = heartbeat.result()
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
            ),
            read,
        )
        return report

    def _sync_shard(
        self,
        prefix: str | None,
        run_id: str,
        digests: Future[dict[str, UsageDigest]],
        onboarding: OnboardingGate,
        verify: bool = False,
    ) -> ShardReport:
        shard = ShardReport(prefix=prefix)
        # Stamped before the listing: a licence written while we listed (say, a top-up) is newer
        # than this observation and is not rolled back by it.
        observed_at = shard.observed_at = self._clock()
        listing = self._source.list_subscriptions(prefix)
        digest = digests.result()[shard_key(prefix)]
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
        digest.holder = run_id
        pass_ = ShardPass(
            shard,
            digest,
            observed_at,
            self._store,
            self._uow,
            self._source,
            self._zone_of,
            self._clock,
            self._lease,
            onboarding,
            self._sleep,
        )
        try:
            if verify or not digest.exists:
                pass_.read_everything(listing.subscriptions, prefix)
            else:
                pass_.read_what_differs(listing.subscriptions)
            self._add_new_customers(shard, pass_.known_customers(), listing.subscriptions)
            if listing.complete:
                pass_.confirm_vanished({s.key for s in listing.subscriptions})
        except ShardBusy as busy:
            log.warning("shard left to another sync run", extra={"shard": shard_key(prefix)})
            shard.complete = False
            shard.fail(f"store: {busy}")
            shard.listing_error = (
                "Another sync run was recording these customers' figures at the same time; "
                "this run left them to it."
            )
        return shard

    def _add_new_customers(
        self, shard: ShardReport, known: set[str], seen: list[Subscription]
    ) -> None:
        """A customer first seen in the listing gets a customer document (and its contact a
        recipient). The digest knows the customers it lists; one it does not is looked up
        before it is added, so a known customer's settings (its time zone) are never reset."""
        new = {s.customer_id: s.customer_domain for s in seen if s.customer_id not in known}
        if new:
            for stored in self._store.customers_by_id(new):
                del new[stored.customer_id]
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

    def _zone_of(self, customer_id: str | None) -> str:
        """The customer's time zone (the default for None, or for a customer not stored yet):
        read only when a licence is new to the digest, which is rare."""
        if customer_id is None:
            return self._time_zone
        customer = self._store.customer(customer_id)
        return customer.time_zone if customer else self._time_zone
