"""One shard's records in one sync run, keeping its usage digest true (domain.usage_digest).

An idle run reads the digest and nothing else. A licence whose fingerprint differs from
Google's figures (or that has none) is marked, recorded in its own transaction, and settled:
its fingerprint is set from what that transaction read, unless another writer touched the
licence meanwhile. Marks and settles go in chunks, so a run cut short keeps what it did.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial

from licence_manager.domain.model import Licence, LicenceKey, Subscription, Usage
from licence_manager.domain.observation import (
    REMOVED,
    record_disappearance,
    record_observation,
)
from licence_manager.domain.onboarding import WAITING, OnboardingPace
from licence_manager.domain.usage_digest import UsageDigest, is_fingerprint, listed_live
from licence_manager.observability import get_logger
from licence_manager.ports import (
    AccessDenied,
    LicenceStore,
    ShardBusy,
    SourceError,
    SubscriptionSource,
)
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.services.recording import ChangeDecision, Recorded, record_listed
from licence_manager.services.sync_report import ShardReport

log = get_logger(__name__)
CHUNK = 500  # licences marked, recorded and settled together
# Seconds between tries of a shard another run is recording (about 30 s in all): long enough
# for a chunk's records, short beside the sync's timeout.
BUSY_PAUSES = (0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 8.0)


class OnboardingGate:
    """One run's pace of new licences, shared by its shards (domain.onboarding)."""

    def __init__(
        self,
        pace: OnboardingPace,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._pace, self._clock, self._sleep = pace, clock, sleep
        self._lock = threading.Lock()

    def admit(self) -> bool:
        """Wait for this licence's turn; False when the run has admitted all it may."""
        with self._lock:  # shards queue here, so the pace holds for the run as a whole
            wait = self._pace.admit(self._clock())
            if wait:
                self._sleep(wait)
        return wait is not None


class ShardPass:
    def __init__(
        self,
        shard: ShardReport,
        digest: UsageDigest,
        observed_at: datetime,
        store: LicenceStore,
        uow: UnitOfWork,
        source: SubscriptionSource,
        zone_of: Callable[[str | None], str],
        clock: Callable[[], datetime],
        lease: timedelta,
        onboarding: OnboardingGate,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._shard = shard
        self._digest = digest
        self._at = observed_at
        self._store = store
        self._uow = uow
        self._source = source
        self._zone_of = zone_of  # a customer's time zone (None: the default), for new licences
        self._clock = clock
        self._lease = lease
        self._onboarding = onboarding
        self._sleep = sleep
        self._listed = digest.listed()
        self._stored: dict[LicenceKey, Licence] = {}  # read only by a full pass
        self._marks: dict[LicenceKey, str] = {}
        self._recorded: dict[LicenceKey, Usage | None] = {}

    def known_customers(self) -> set[str]:
        return {key.customer_id for key in (*self._listed, *self._stored)}

    def read_what_differs(self, subscriptions: list[Subscription]) -> None:
        """The usual run: only licences whose fingerprint differs from Google's figures."""
        differ = [s for s in subscriptions if not self._digest.matches(s.key, Usage.of(s))]
        for start in range(0, len(differ), CHUNK):
            chunk = differ[start : start + CHUNK]
            self._mark(s.key for s in chunk)
            for subscription in chunk:
                key = subscription.key
                # No fingerprint: perhaps a licence never stored, paced as new.
                new = not is_fingerprint(self._digest.entry(key))
                self._observe(subscription, known=key in self._listed, paced=new)
            self._settle()

    def read_everything(self, subscriptions: list[Subscription], prefix: str | None) -> None:
        """A shard's first run (no digest yet), or a verification: every licence is read, in
        one query. The listed licences are marked *before* the query, so a fingerprint taken
        from it is never older than a write the mark would have shown."""
        self._mark(s.key for s in subscriptions)
        with_listing = self._store.licences_with_listing(prefix)
        self._stored = {key: licence for key, (licence, _) in with_listing.items()}
        to_record = []
        for subscription in subscriptions:
            key = subscription.key
            stored, listed_in = with_listing.get(key, (None, ""))
            unchanged = stored is not None and stored.usage == Usage.of(subscription)
            if unchanged and stored and listed_in == self._digest.home(key):
                self._recorded[key] = stored.usage
                continue
            to_record.append(subscription)
        self._settle()
        for start in range(0, len(to_record), CHUNK):
            chunk = to_record[start : start + CHUNK]
            self._mark(s.key for s in chunk)
            for subscription in chunk:
                known = subscription.key in self._stored
                self._observe(subscription, known=known, paced=not known)
            self._settle()

    def confirm_vanished(self, seen: set[LicenceKey]) -> None:
        """A licence missing from a complete listing is checked against its customer before it
        is marked removed: a customer that now answers 403 is reported, its data left alone."""
        if self._stored:
            candidates = [
                k
                for k, lic in self._stored.items()
                if k not in seen and lic.usage.status != REMOVED
            ]
        else:
            candidates = [k for k, e in self._listed.items() if k not in seen and listed_live(e)]
        if not candidates:
            return
        self._mark(candidates)
        licences = self._stored or self._store.licences_by_key(candidates)
        by_customer: dict[str, list[Licence]] = {}
        for key in candidates:
            # Read after the mark, so its figures may settle the entry (a licence already
            # removed, or an entry left by one that is not there).
            licence = licences.get(key)
            if licence is None or licence.usage.status == REMOVED:
                self._recorded[key] = licence.usage if licence else None
            else:
                by_customer.setdefault(key.customer_id, []).append(licence)
        for customer_id, vanished in sorted(by_customer.items()):
            self._confirm_customer(customer_id, vanished)
        self._settle()

    def _confirm_customer(self, customer_id: str, vanished: list[Licence]) -> None:
        shard = self._shard
        shard.api_calls += 1
        try:
            current = {s.key: s for s in self._source.list_customer_subscriptions(customer_id)}
        except AccessDenied as error:
            shard.fail(f"customer not accessible (403): {error}", customer_id)
            shard.customer_problems[customer_id] = (
                "Google's Reseller API refused access to this customer (403 forbidden): "
                "the reseller may no longer manage it."
            )
            return
        except SourceError as error:
            shard.fail(f"subscriptions.list for customer: {error}", customer_id)
            shard.customer_problems[customer_id] = (
                f"Google's Reseller API did not list this customer's subscriptions ({error})."
            )
            return
        for licence in vanished:
            if licence.key in current:
                self._observe(current[licence.key], known=True)
            else:
                self._remove(licence)

    def _mark(self, keys: Iterable[LicenceKey]) -> None:
        """Waits while another run records the shard: a holder gives the lease back when it
        settles its chunk, and may have listed before a change this run was triggered to see.
        Raises ShardBusy when it holds on longer: this run leaves the shard to it."""
        keys = list(keys)
        if not keys:
            return
        for pause in (*BUSY_PAUSES, None):
            now = self._clock()
            try:
                marks = self._store.mark_in_digest(self._digest, keys, now, now + self._lease)
            except ShardBusy:
                if pause is None:
                    raise
                log.info("shard busy: waiting for the other sync run", extra={"pause": pause})
                self._sleep(pause)
            else:
                self._marks.update(marks)
                return

    def _settle(self) -> None:
        """Set the fingerprints of what was recorded since the last settle. A failure here
        leaves the marks, which cost the next run a read each, never a wrong skip."""
        if not self._marks:
            return
        try:
            self._store.settle_digest(self._digest, self._marks, self._recorded, self._clock())
        except Exception as error:
            log.exception("could not settle the usage digest", extra={"shard": self._digest.shard})
            self._shard.fail(f"store: usage digest not settled: {error}")
        self._marks, self._recorded = {}, {}

    def _record(
        self, key: LicenceKey, decide: ChangeDecision, zone: str, total: int | None
    ) -> Recorded:
        document = self._digest.home(key)
        recorded: Recorded = self._uow.run(
            partial(
                record_listed,
                key=key,
                at=self._at,
                default_time_zone=zone,
                decide=decide,
                document=document,
                observed_total=total,
            )
        )
        self._recorded[key] = recorded.usage
        return recorded

    def _observe(self, subscription: Subscription, known: bool, paced: bool = False) -> None:
        shard = self._shard
        if paced and not self._onboarding.admit():
            shard.licences_deferred += 1
            shard.customer_problems.setdefault(subscription.customer_id, WAITING)
            return
        try:
            # A new SKU of a known customer starts on the customer's clock, not the default.
            zone = self._zone_of(None if known else subscription.customer_id)
            decide = partial(
                record_observation,
                subscription=subscription,
                at=self._at,
                default_time_zone=zone,
            )
            recorded = self._record(subscription.key, decide, zone, subscription.total_seats)
        except Exception as error:  # one licence failing to save must not stop the others
            log.exception("could not record licence", extra={"licence": subscription.key.doc_id})
            shard.fail(f"store: {error}", subscription.customer_id, subscription.sku_id)
            shard.customer_problems[subscription.customer_id] = (
                "Licence Manager could not save the figures Google gave for "
                f"{subscription.sku_name}."
            )
            return
        if recorded.change is None:
            return
        if recorded.existed:
            shard.licences_updated += 1
        else:
            shard.licences_created += 1
        shard.outside_changes += sum(e.source == "outside" for e in recorded.change.audit)

    def _remove(self, licence: Licence) -> None:
        shard = self._shard
        try:
            decide = partial(record_disappearance, at=self._at)
            if self._record(licence.key, decide, licence.time_zone, None).change is not None:
                shard.licences_removed += 1
        except Exception as error:
            log.exception("could not record removal", extra={"licence": licence.key.doc_id})
            shard.fail(f"store: {error}", licence.key.customer_id, licence.key.sku_id)
            shard.customer_problems[licence.key.customer_id] = (
                f"Licence Manager could not save that {licence.usage.sku_name} was removed."
            )
