"""The daily holder sync, fanned out per customer like the month-end job (services.month_end):

    Cloud Scheduler → sync-holders → PlanHolderSync: one page of customer ids (cursor, limit),
        one sync-holders-customer message each, then a message for the next page
    sync-holders-customer → SyncCustomerHolders: that customer's seat holders read from the
        Licensing, Directory and Reports APIs, judged, and written where they changed, with
        each licence's run-out forecast (services.forecasts) in the customer's insights; then
        each annual licence's renewal reminder when one is due (services.renewal_reminders)

Both are idempotent: a customer synced twice in a day writes nothing the second time (unless
Google's answers changed in between)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from licence_manager.domain.daily import local_day
from licence_manager.domain.forecast import RunOutForecast
from licence_manager.domain.holder_digest import HolderDigest, digest_size, fits
from licence_manager.domain.holders import (
    ActivityReport,
    Assignment,
    holder_fingerprint,
    judge_holders,
)
from licence_manager.domain.insights import HoldersStatus, LicenceInsights
from licence_manager.domain.model import Customer, Licence
from licence_manager.domain.products import product_of
from licence_manager.observability import get_logger
from licence_manager.ports import LicenceStore, Publisher, SourceError
from licence_manager.ports.holders import AdminApiAccessDenied, HolderStore, SeatHolderSource
from licence_manager.ports.reports import ReportStore
from licence_manager.services.forecasts import forecast_licences
from licence_manager.services.renewal_reminders import RenewalReminders
from licence_manager.services.sync import Clock, utc_now

log = get_logger(__name__)

PAGE_SIZE = 500  # customers per planner invocation, as the month-end planner's
# The Reports API's usage data lags: public code asks for 2-3 days back (research §2.2).
REPORTS_LAG_DAYS = 3
REMOVED = "REMOVED"  # a licence the usage sync found gone: nobody holds it any more

# What customers are told (holdersDetail is for operators, but the page may show it).
NO_ACCESS_DETAIL = (
    "The customer has turned off reseller access to its Admin APIs ({api} answered 403 "
    "{reason}): who holds each seat cannot be read until their admin turns it back on."
)
ERROR_DETAIL = "Reading who holds each seat failed ({api}: {reason}); the next sync tries again."


class HolderSyncOutcome(enum.Enum):
    SYNCED = "synced"
    NO_ACCESS = "no-access"  # 403 on Licensing or Directory: holders kept as they were
    ERROR = "error"  # another failure after retries: holders kept as they were
    NO_CUSTOMER = "no-customer"  # removed since the planner listed it


@dataclass(slots=True)
class CustomerHolders:
    """What one customer's sync did (logged, and asserted on by tests)."""

    customer_id: str
    outcome: HolderSyncOutcome
    holders: int = 0
    written: int = 0  # documents written or deleted
    api_calls: int = 0
    activity: bool = False  # the Reports API answered
    skipped_skus: dict[str, str] = field(default_factory=dict)  # SKU → why


class SyncCustomerHolders:
    """One customer's holders: read, judged with its reclaim policy, stored where changed."""

    def __init__(
        self,
        source: SeatHolderSource,
        store: HolderStore,
        licences: LicenceStore,
        reports: ReportStore | None = None,
        clock: Clock = utc_now,
        reminders: RenewalReminders | None = None,
    ) -> None:
        self._source = source
        self._store = store
        self._licences = licences
        self._reports = reports  # None: no forecasts (tests of the holders alone)
        self._clock = clock
        self._reminders = reminders  # None: no renewal reminders (tests of the holders alone)

    def __call__(self, customer_id: str) -> CustomerHolders:
        now = self._clock()
        customer = self._licences.customer(customer_id)
        if customer is None:
            return CustomerHolders(customer_id, HolderSyncOutcome.NO_CUSTOMER)
        done = CustomerHolders(customer_id, HolderSyncOutcome.SYNCED)
        live = [
            lic for lic in self._licences.licences_of(customer_id) if lic.usage.status != REMOVED
        ]
        held = self._held_products(live, done)
        state = self._store.sync_state(customer_id)  # one round trip, the digest with them
        policy, previous = state.policy, state.insights
        forecasts = self._forecasts(customer, live, now)
        try:
            assignments = self._assignments(customer, held, done)
            users = self._source.users(customer_id) if held else []
            done.api_calls += bool(held)
        except AdminApiAccessDenied as denied:
            log.warning(
                "holder sync: no access to the customer's Admin APIs",
                extra={"customerId": customer_id, "api": denied.api, "error": str(denied)},
            )
            detail = NO_ACCESS_DETAIL.format(api=_api_name(denied.api), reason=denied.reason)
            failed = LicenceInsights(
                customer_id,
                now,
                HoldersStatus.NO_ACCESS,
                detail,
                policy.inactive_days,
                {},
                forecasts,
            )
            return self._failed(done, failed, previous, live)
        except SourceError as error:
            log.error(
                "holder sync: reading holders failed",
                extra={"customerId": customer_id, "error": str(error)},
            )
            detail = ERROR_DETAIL.format(
                api="Licensing or Directory API", reason=error.reason or error.status or "failed"
            )
            failed = LicenceInsights(
                customer_id, now, HoldersStatus.ERROR, detail, policy.inactive_days, {}, forecasts
            )
            return self._failed(done, failed, previous, live)
        activity = self._activity(customer_id, now, done) if held else None
        judged = judge_holders(customer, held, assignments, users, activity, policy, now)
        listed = self._listed(customer_id, state.digest)
        fresh = {r.document_id: holder_fingerprint(r) for r in judged.records}
        put = [r for r in judged.records if listed.get(r.document_id) != fresh[r.document_id]]
        gone = sorted(set(listed) - set(fresh))
        digest = self._digest(HolderDigest(customer_id, fresh), state.digest, done)
        insights = LicenceInsights(
            customer_id,
            now,
            HoldersStatus.OK,
            "" if activity is not None or not held else "No activity data from the Reports API.",
            policy.inactive_days,
            judged.skus,
            forecasts,
        )
        done.written += self._store.write_holders(
            put, gone, _if_changed(insights, previous), digest
        )
        done.holders = len(judged.records)
        self._remind(live, insights)
        log.info(
            "holder sync: customer synced",
            extra={
                "customerId": customer_id,
                "holders": done.holders,
                "written": done.written,
                "apiCalls": done.api_calls,
                "activity": done.activity,
                "skippedSkus": done.skipped_skus,
            },
        )
        return done

    def _listed(self, customer_id: str, digest: HolderDigest | None) -> dict[str, str]:
        """Each stored holder's fingerprint: the digest's one document, or (none yet, or the
        customer outgrew one) its holders read one by one."""
        if digest is not None:
            return dict(digest.entries)
        stored = self._store.holders_of(customer_id)
        return {doc_id: holder_fingerprint(record) for doc_id, record in stored.items()}

    def _digest(
        self, new: HolderDigest, stored: HolderDigest | None, done: CustomerHolders
    ) -> HolderDigest | None:
        """The digest to write after the holders: None when the stored one says the same, or
        when one document cannot hold the customer's holders (then the stored one is dropped
        now, before any holder is written, so it never lists facts no longer stored)."""
        if not fits(new):
            log.warning(
                "holder sync: too many holders for a digest, read one by one",
                extra={
                    "customerId": new.customer_id,
                    "holders": len(new.entries),
                    "digestBytes": digest_size(new),
                },
            )
            if stored is not None:
                self._store.drop_holder_digest(new.customer_id)
                done.written += 1
            return None
        return None if stored is not None and stored.entries == new.entries else new

    def _forecasts(
        self, customer: Customer, live: list[Licence], now: datetime
    ) -> dict[str, RunOutForecast]:
        """Each live licence's run-out forecast through the customer's last complete day: the
        Reseller API's counts alone, so it is made whether or not the holders can be read."""
        if self._reports is None:
            return {}
        through = local_day(now, customer.time_zone) - timedelta(days=1)
        return forecast_licences(self._reports, live, through)

    def _remind(self, live: list[Licence], insights: LicenceInsights) -> None:
        """The renewal reminders due today, with the counts and forecasts just made (unknown
        reclaimable seats when the holders could not be read: the email says so)."""
        if self._reminders is not None:
            self._reminders(insights.customer_id, live, insights, insights.synced_at)
            self._reminders.trials(live, insights.synced_at)

    def _held_products(self, live: list[Licence], done: CustomerHolders) -> dict[str, str]:
        """SKU id → Licensing product id of every licence the customer holds through us."""
        held = {}
        for licence in live:
            product = product_of(licence.key.sku_id)
            if product is None:
                done.skipped_skus[licence.key.sku_id] = "no known Licensing product for this SKU"
                continue
            held[licence.key.sku_id] = product
        return held

    def _assignments(
        self, customer: Customer, held: dict[str, str], done: CustomerHolders
    ) -> list[Assignment]:
        found: list[Assignment] = []
        for product in sorted(set(held.values())):
            # The design fixes the customer's primary domain here (the Licensing how-to's
            # wording; the reference says its id: both are accepted).
            found += self._source.assignments(customer.customer_domain, product)
            done.api_calls += 1
        return found

    def _activity(
        self, customer_id: str, now: datetime, done: CustomerHolders
    ) -> ActivityReport | None:
        """The Reports API's last activity, or None: without it holders are judged on the
        Directory's lastLoginTime alone (a refusal or failure loses only this)."""
        day = (now - timedelta(days=REPORTS_LAG_DAYS)).date()
        done.api_calls += 1
        try:
            report = self._source.activity(customer_id, day)
        except SourceError as error:
            log.warning(
                "holder sync: no activity data from the Reports API",
                extra={"customerId": customer_id, "error": str(error)},
            )
            return None
        done.activity = True
        return report

    def _failed(
        self,
        done: CustomerHolders,
        insights: LicenceInsights,
        previous: LicenceInsights | None,
        live: list[Licence],
    ) -> CustomerHolders:
        """The holders could not be read: the stored ones stay as they were (a customer who
        switched access off keeps its last known holders for the account manager), and the
        insights say why, so nothing is concluded from them."""
        done.outcome = (
            HolderSyncOutcome.NO_ACCESS
            if insights.holders_status is HoldersStatus.NO_ACCESS
            else HolderSyncOutcome.ERROR
        )
        done.written = self._store.write_holders([], [], _if_changed(insights, previous))
        self._remind(live, insights)
        return done


def _api_name(api: str) -> str:
    return {"licensing": "the Licensing API", "directory": "the Directory API"}.get(
        api, f"the {api} API"
    )


def _if_changed(
    insights: LicenceInsights, previous: LicenceInsights | None
) -> LicenceInsights | None:
    """`insights` if it says something `previous` does not (syncedAt counts once a day)."""
    if previous is None or previous.synced_at.date() != insights.synced_at.date():
        return insights
    same = (
        previous.holders_status,
        previous.holders_detail,
        previous.inactive_days,
        dict(previous.skus),
        _forecast_days(previous),
    ) == (
        insights.holders_status,
        insights.holders_detail,
        insights.inactive_days,
        insights.skus,
        _forecast_days(insights),
    )
    return None if same else insights


def _forecast_days(insights: LicenceInsights) -> dict[str, tuple[object, ...]]:
    """What identifies a forecast: made from the same days of the same licence, it is the same
    (the stored one is rounded, so its points never compare equal to a fresh one's)."""
    return {sku: (f.as_of, f.seats_total, f.history_days) for sku, f in insights.forecasts.items()}


@dataclass(frozen=True, slots=True)
class HolderSyncPage:
    published: int  # customer messages published by this page
    next_after: str | None  # the next page's cursor, published as its own message; None: done


class PlanHolderSync:
    """One page of the holder sync's plan: the next `page_size` customer ids after `after`, one
    message each, then a message for the page after (no invocation walks the whole book)."""

    def __init__(
        self, customers: ReportStore, publisher: Publisher, page_size: int = PAGE_SIZE
    ) -> None:
        self._customers = customers
        self._publisher = publisher
        self._page_size = page_size

    def __call__(self, after: str | None = None) -> HolderSyncPage:
        ids = self._customers.customer_ids_after(after, self._page_size)
        self._publisher.publish_holder_sync_customers(ids)
        # The next page goes out only once every customer message of this one is acknowledged,
        # so a page whose publishing failed is retried whole.
        next_after = ids[-1] if len(ids) == self._page_size else None
        if next_after is not None:
            self._publisher.publish_holder_sync_page(next_after)
        log.info(
            "holder sync page planned",
            extra={"after": after, "customers": len(ids), "more": bool(next_after)},
        )
        return HolderSyncPage(len(ids), next_after)
