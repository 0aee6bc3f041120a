"""Ports for reading usage: the Reseller API listing and the licence store."""

from __future__ import annotations

import abc
import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.freshness import ShardOutcome, SyncHeartbeat
from licence_manager.domain.model import Customer, Licence, LicenceKey, Subscription, Usage
from licence_manager.domain.usage_digest import UsageDigest


class SourceError(Exception):
    """The seat provider failed for good (after retries) on one call."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        reason: str = "",
        may_have_applied: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        # A change call only: an earlier try of this call ended without a definite answer (a
        # timeout, a dropped connection, a 5xx), so Google may have applied it even though the
        # last try was refused.
        self.may_have_applied = may_have_applied


class AccessDenied(SourceError):
    """The reseller may not act for this customer (403 forbidden)."""


class ShardBusy(Exception):
    """Another sync run holds the shard's lease (domain.usage_digest.ShardLease)."""


@dataclass(slots=True)
class SubscriptionListing:
    """One shard's online subscriptions; `complete` is False when a page failed for good."""

    subscriptions: list[Subscription] = field(default_factory=list)
    offline_skipped: int = 0
    api_calls: int = 0
    complete: bool = True
    error: str | None = None
    # customerId → SKUs skipped as offline orders: not synced, but not for sale to them either
    offline_skus: dict[str, set[str]] = field(default_factory=dict)

    def skip_offline(self, customer_id: str, sku_id: str) -> None:
        self.offline_skipped += 1
        self.offline_skus.setdefault(customer_id, set()).add(sku_id)


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    customer_id: str
    customer_domain: str
    organization_name: str
    alternate_email: str = ""  # the customer's contact for notices, if Google has one


class SubscriptionSource(abc.ABC):
    """The Workspace Reseller API, as far as reading usage goes."""

    @abc.abstractmethod
    def list_subscriptions(self, customer_name_prefix: str | None) -> SubscriptionListing: ...

    @abc.abstractmethod
    def list_customer_subscriptions(self, customer_id: str) -> list[Subscription]:
        """One customer's online subscriptions; raises AccessDenied for a customer not ours."""

    @abc.abstractmethod
    def get_customer(self, customer_id: str) -> CustomerProfile: ...


@dataclass(frozen=True, slots=True)
class SyncRunRecord:
    run_id: str
    started_at: datetime
    finished_at: datetime
    subscriptions_seen: int
    licences_written: int
    api_calls: int
    failures: int
    complete: bool
    # For freshness (domain.freshness): how often the sync is scheduled, and each shard's outcome.
    interval_seconds: int = 300
    shards: tuple[ShardOutcome, ...] = ()


@dataclass(frozen=True, slots=True)
class HeartbeatRead:
    """The heartbeat as a sync run read it at its start, with the store's token for "not
    written since" (Firestore: the document's update time)."""

    heartbeat: SyncHeartbeat | None
    version: object = None


MAX_CUSTOMER_PAGE = 200


class BadCursor(ValueError):
    """A paging cursor this store did not hand out for this listing."""


@dataclass(frozen=True, slots=True)
class CustomerPage:
    customers: list[Customer]  # by domain, then id
    next_cursor: str | None  # None on the last page


def customer_cursor(customer: Customer) -> str:
    """An opaque token naming the last customer of a page: its domain and id, the listing's
    order, so the next page starts right after it without reading it again."""
    raw = json.dumps([customer.customer_domain, customer.customer_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def after_customer(cursor: str) -> tuple[str, str]:
    """The (domain, id) a customer cursor continues after; BadCursor if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        domain, customer_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise BadCursor("this cursor does not continue the customer list") from error
    if not isinstance(domain, str) or not isinstance(customer_id, str) or not customer_id:
        raise BadCursor("this cursor does not continue the customer list")
    return domain, customer_id


def page_of_customers(
    customers: Iterable[Customer], limit: int, cursor: str | None, domain_prefix: str | None
) -> CustomerPage:
    """A page of customers already in hand, in the listing's order (domain, then id): what a
    store returns, and what a user who sees a few customers is shown."""
    limit = max(1, min(limit, MAX_CUSTOMER_PAGE))
    prefix = (domain_prefix or "").lower()
    after = after_customer(cursor) if cursor else None
    found = sorted(
        (
            c
            for c in customers
            if c.customer_domain.startswith(prefix)
            and (after is None or (c.customer_domain, c.customer_id) > after)
        ),
        key=lambda c: (c.customer_domain, c.customer_id),
    )
    page = found[:limit]
    return CustomerPage(page, customer_cursor(page[-1]) if len(found) > limit else None)


class LicenceStore(abc.ABC):
    @abc.abstractmethod
    def licences_for_domains(self, domain_prefix: str | None) -> dict[LicenceKey, Licence]:
        """Every stored licence whose customer domain starts with the prefix (all when None)."""

    @abc.abstractmethod
    def licences_with_listing(
        self, domain_prefix: str | None
    ) -> dict[LicenceKey, tuple[Licence, str]]:
        """As licences_for_domains, each with the digest document that lists it ("" none)."""

    @abc.abstractmethod
    def licences_by_key(self, keys: Iterable[LicenceKey]) -> dict[LicenceKey, Licence]:
        """These licences (the ones that exist), in one round trip."""

    # The usage digest (domain.usage_digest): what an idle sync reads instead of every licence.
    def usage_digest(self, shard: str) -> UsageDigest:
        """The shard's digest, every document of it (one read when it has not been split);
        `exists` is False before the first sync settled it."""
        return self.usage_digests([shard])[shard]

    @abc.abstractmethod
    def usage_digests(self, shards: Iterable[str]) -> dict[str, UsageDigest]:
        """usage_digest of every shard of a run, in one round trip (and one more for the
        documents of shards that were split)."""

    @abc.abstractmethod
    def mark_in_digest(
        self, digest: UsageDigest, keys: Iterable[LicenceKey], now: datetime, lease_until: datetime
    ) -> dict[LicenceKey, str]:
        """In one transaction: take or renew the shard's lease for `digest.holder` (ShardBusy
        if another run holds it) and replace these licences' entries with fresh marks, before
        the sync records them; the marks, by licence. A digest split since it was read takes
        its current number of documents (`digest.parts`), so the marks go where they belong."""

    @abc.abstractmethod
    def settle_digest(
        self,
        digest: UsageDigest,
        marks: dict[LicenceKey, str],
        recorded: dict[LicenceKey, Usage | None],
        now: datetime,
    ) -> None:
        """In one transaction, while `digest.holder` holds the shard's lease (ShardBusy if not):
        where a licence's mark is still there, set the fingerprint of the usage its record
        transaction read (domain.usage_digest.settled_layout); split the shard into more
        documents when it outgrows one; give the lease back."""

    @abc.abstractmethod
    def save_customer(self, customer: Customer) -> None: ...

    @abc.abstractmethod
    def customer(self, customer_id: str) -> Customer | None: ...

    @abc.abstractmethod
    def customers(self) -> list[Customer]:
        """All customers, ordered by domain."""

    @abc.abstractmethod
    def customers_by_id(self, customer_ids: Iterable[str]) -> list[Customer]:
        """These customers (the ones that exist), ordered by domain, in one round trip: what a
        user who sees a few customers reads instead of every customer."""

    @abc.abstractmethod
    def customer_page(
        self, limit: int, cursor: str | None, domain_prefix: str | None = None
    ) -> CustomerPage:
        """Every customer a page at a time (what reseller ops page through): ordered by domain,
        then id; only domains starting with `domain_prefix` (lower case) when given; `cursor`
        is the previous page's next_cursor (BadCursor if it is not one). Reads one page."""

    @abc.abstractmethod
    def licences_of(self, customer_id: str) -> list[Licence]:
        """One customer's licences, ordered by SKU id."""

    @abc.abstractmethod
    def daily_usage(self, key: LicenceKey) -> list[DailyUsage]:
        """A licence's daily rollups, oldest first."""

    @abc.abstractmethod
    def audit_entries(self, key: LicenceKey) -> list[AuditEntry]:
        """A licence's audit entries in chain order."""

    @abc.abstractmethod
    def read_heartbeat(self) -> HeartbeatRead:
        """The heartbeat, read once at a run's start (beside the listing) so that recording
        the run at its end is one write."""

    @abc.abstractmethod
    def record_sync_run(self, run: SyncRunRecord, read: HeartbeatRead | None = None) -> None:
        """Overwrite the run's counts and merge its shards into the freshness heartbeat
        (domain.freshness.next_heartbeat), both in the one heartbeat document: merged into
        `read` when nothing wrote the heartbeat since, else read again in a transaction."""

    @abc.abstractmethod
    def sync_heartbeat(self) -> SyncHeartbeat | None:
        """The freshness heartbeat: one document read; None before the first run."""

    @abc.abstractmethod
    def last_sync_run(self) -> SyncRunRecord | None: ...
