"""Reports and the month-end additions job: figures computed from recorded facts only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from licence_manager.domain.daily import day_bounds
from licence_manager.domain.model import Customer, Licence, LicenceKey
from licence_manager.domain.month_end import MonthAdditions, month_additions, month_bounds
from licence_manager.domain.prices import no_prices
from licence_manager.domain.reports import (
    MAX_RANGE_DAYS,
    Figures,
    Granularity,
    UsageReport,
    additions,
    build_report,
    period_of,
)
from licence_manager.observability import get_logger
from licence_manager.ports import LicenceStore, NotificationStore, Publisher
from licence_manager.ports.prices import PriceList
from licence_manager.ports.reports import ReportStore
from licence_manager.services.month_end import (
    PAGE_SIZE,
    CustomerMonthEnd,
    MonthEndCustomer,
    PlanMonthEnd,
)
from licence_manager.services.sync import Clock, utc_now

log = get_logger(__name__)


class BadReportRequest(ValueError):
    """The range or granularity asked for is not valid; the message says why."""


@dataclass(frozen=True, slots=True)
class ReportRange:
    first: date
    last: date
    granularity: Granularity


def parse_range(first: str | None, last: str | None, granularity: str | None) -> ReportRange:
    try:
        kind = Granularity(granularity or "day")
    except ValueError as error:
        raise BadReportRequest("Show the report by day, week or month.") from error
    if not first or not last:
        raise BadReportRequest("Choose a start date and an end date for the report.")
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError as error:
        raise BadReportRequest("Write dates like 2026-11-28 (year, month, day).") from error
    if start > end:
        raise BadReportRequest("The start date must be on or before the end date.")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise BadReportRequest(
            f"A report covers at most {MAX_RANGE_DAYS:,} days: choose a shorter range."
        )
    return ReportRange(start, end, kind)


@dataclass(frozen=True, slots=True)
class CountedReport:
    report: UsageReport
    licence: Licence
    reads: int  # Firestore documents read to build it


class Reports:
    def __init__(
        self,
        store: ReportStore,
        licences: LicenceStore,
        clock: Clock = utc_now,
        *,
        prices: PriceList | None = None,
    ):
        """`prices`: the reseller's price list; without one, no addition has a cost."""
        self._store = store
        self._licences = licences
        self._clock = clock
        self._prices = prices

    def licence(self, key: LicenceKey) -> tuple[Licence | None, int]:
        mine = self._licences.licences_of(key.customer_id)
        return next((lic for lic in mine if lic.key == key), None), len(mine)

    def usage(self, key: LicenceKey, wanted: ReportRange) -> CountedReport | None:
        licence, reads = self.licence(key)
        if licence is None:
            return None
        zone = licence.time_zone
        months: dict[str, Figures] = {}
        if wanted.granularity is Granularity.MONTH:
            first_label = period_of(wanted.first, Granularity.MONTH)[0]
            last_label = period_of(wanted.last, Granularity.MONTH)[0]
            months, read = self._store.month_figures(key, first_label, last_label)
            reads += read
        rollups, carried_in = [], None
        for first, last in _uncovered(wanted, months):
            found, read = self._store.rollups_between(key, first, last)
            rollups += found
            reads += read
            if carried_in is None and first == wanted.first:
                carried_in, read = self._store.rollup_before(key, first)
                reads += read
        start, _ = day_bounds(wanted.first, zone)
        _, end = day_bounds(wanted.last, zone)
        entries, read = self._store.audit_between(key, start, end)
        report = build_report(
            first=wanted.first,
            last=wanted.last,
            granularity=wanted.granularity,
            time_zone=zone,
            now=self._clock(),
            rollups=rollups,
            carried_in=carried_in,
            months=months,
            entries=entries,
            vacant_now=licence.usage.vacant,
        )
        return CountedReport(report, licence, reads + read)

    def month_additions(self, customer_id: str, month: date) -> MonthAdditions | None:
        customer = self._licences.customer(customer_id)
        if customer is None:
            return None
        return self.month_additions_of(customer, self._licences.licences_of(customer_id), month)

    def month_additions_of(
        self, customer: Customer, licences: Sequence[Licence], month: date
    ) -> MonthAdditions:
        """For a customer and licences already read (the month-end job reads them once)."""
        customer_id = customer.customer_id
        start, end = month_bounds(month, customer.time_zone)
        entries = self._store.customer_audit_between(customer_id, start, end)
        return month_additions(
            customer_id=customer_id,
            customer_domain=customer.customer_domain,
            customer_name=customer.name,
            month=month,
            time_zone=customer.time_zone,
            additions=additions(entries),
            licences={lic.key.sku_id: lic for lic in licences},
            price_of=self._prices.price_lookup(customer_id) if self._prices else no_prices,
        )

    def close_month(self, licence: Licence, month: date) -> Figures:
        """A closed month's figures, summarised so monthly reports read one document for it."""
        first = month
        last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        _, end = day_bounds(last, licence.time_zone)
        rollups, _ = self._store.rollups_between(licence.key, first, last)
        carried_in, _ = self._store.rollup_before(licence.key, first)
        report = build_report(
            first=first,
            last=last,
            granularity=Granularity.MONTH,
            time_zone=licence.time_zone,
            now=end,
            rollups=rollups,
            carried_in=carried_in,
            months={},
            entries=(),
            vacant_now=licence.usage.vacant,
        )
        self._store.save_month_figures(licence.key, month.strftime("%Y-%m"), report.overall)
        return report.overall


def _uncovered(wanted: ReportRange, months: dict[str, Figures]) -> list[tuple[date, date]]:
    """The stretches of the range that month summaries do not cover, to read day by day."""
    if not months:
        return [(wanted.first, wanted.last)]
    stretches: list[tuple[date, date]] = []
    day = wanted.first
    while day <= wanted.last:
        label, start, end = period_of(day, Granularity.MONTH)
        stop = min(end, wanted.last)
        whole = start >= wanted.first and end <= wanted.last
        if not (whole and label in months):
            if stretches and stretches[-1][1] + timedelta(days=1) == day:
                stretches[-1] = (stretches[-1][0], stop)
            else:
                stretches.append((day, stop))
        day = stop + timedelta(days=1)
    return stretches


@dataclass(frozen=True, slots=True)
class MonthEndRun:
    month: str
    customers: int
    reports_created: int
    reports_already_there: int
    # Customers whose time zone had not reached the end of the month yet (west of the job's
    # zone, when the job runs too early): the next run reports them.
    customers_waiting: int = 0


class MonthEndJob:
    """The whole month-end in one process: every customer, page by page, through the same
    per-customer step the deployed job runs once per Pub/Sub message (services.month_end).
    For tests, the bench and one-off runs; production fans out instead."""

    def __init__(
        self,
        reports: Reports,
        store: ReportStore,
        licences: LicenceStore,
        notifications: NotificationStore,
        publisher: Publisher,
        clock: Clock = utc_now,
        time_zone: str = "Europe/London",
    ) -> None:
        self._store = store
        self._plan = PlanMonthEnd(store, publisher, clock, time_zone)
        self._customer = MonthEndCustomer(reports, store, licences, notifications, publisher, clock)

    def __call__(self, month: date | None = None) -> MonthEndRun:
        chosen = self._plan.month_of(month)
        outcomes: dict[CustomerMonthEnd, int] = dict.fromkeys(CustomerMonthEnd, 0)
        after: str | None = None
        while True:
            page = self._store.customer_ids_after(after, PAGE_SIZE)
            for customer_id in page:
                outcomes[self._customer(customer_id, chosen)] += 1
            if len(page) < PAGE_SIZE:
                break
            after = page[-1]
        run = MonthEndRun(
            chosen.strftime("%Y-%m"),
            sum(outcomes.values()),
            outcomes[CustomerMonthEnd.CREATED],
            outcomes[CustomerMonthEnd.ALREADY_THERE],
            outcomes[CustomerMonthEnd.WAITING],
        )
        log.info(
            "month-end report run",
            extra={
                "month": run.month,
                "customers": run.customers,
                "reportsCreated": run.reports_created,
                "alreadyThere": run.reports_already_there,
                "monthNotEndedYet": run.customers_waiting,
            },
        )
        return run
