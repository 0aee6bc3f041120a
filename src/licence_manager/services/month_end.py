"""The month-end additions job, fanned out per customer so that its work grows with the book only
in the number of messages, never in the length of one invocation:

    Cloud Scheduler → month-end-report → PlanMonthEnd: one page of customer ids (cursor, limit),
        one month-end-customer message per customer, then a message for the next page
    month-end-customer → MonthEndCustomer: that customer's report written once and emailed once

Both are idempotent. A handler that finds the customer's report already written publishes its
email again only if it is still unsent (the notification's own claim makes the send exactly
once); so a planner that runs twice (a rerun, a redelivered page) republishes messages whose
handlers then do nothing new. A failure for one customer fails only that customer's message:
Pub/Sub retries it, and dead-letters it after the route's maximum attempts."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.month_end import MONTH_END_SCOPE, month_bounds, previous_month
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.observability import get_logger
from licence_manager.ports import LicenceStore, NotificationStore, Publisher
from licence_manager.ports.reports import ReportStore
from licence_manager.services.evaluate import republish_if_unsent
from licence_manager.services.sync import Clock, utc_now

if TYPE_CHECKING:
    from licence_manager.services.reports import Reports

log = get_logger(__name__)

# Customers per planner invocation. Publishing 500 messages and reading 500 ids takes seconds
# even on send_alerts' sixth of a CPU, far inside its timeout, whatever the size of the book.
PAGE_SIZE = 500


class CustomerMonthEnd(enum.Enum):
    CREATED = "created"  # written and its email published by this call
    ALREADY_THERE = "already-there"  # a redelivery or a rerun: nothing new written
    # The month has not ended on the customer's own clock yet (west of the job's zone, when the
    # job runs too early): the next run reports them.
    WAITING = "waiting"
    NO_CUSTOMER = "no-customer"  # removed since the planner listed it


class MonthEndCustomer:
    """One customer's month-end: the month's additions written once to `monthly_additions`
    with their email notification (one transaction), each licence's month closed, and the
    email published. Safe to call any number of times for the same customer and month."""

    def __init__(
        self,
        reports: Reports,
        store: ReportStore,
        licences: LicenceStore,
        notifications: NotificationStore,
        publisher: Publisher,
        clock: Clock = utc_now,
    ) -> None:
        self._reports = reports
        self._store = store
        self._licences = licences
        self._notifications = notifications
        self._publisher = publisher
        self._clock = clock

    def __call__(self, customer_id: str, month: date) -> CustomerMonthEnd:
        now = self._clock()
        label = month.strftime("%Y-%m")
        customer = self._licences.customer(customer_id)
        if customer is None:
            return CustomerMonthEnd.NO_CUSTOMER
        # Each customer's month ends at midnight on their own clock (domain.time_zones).
        if month_bounds(month, customer.time_zone)[1] > now:
            return CustomerMonthEnd.WAITING
        licences = self._licences.licences_of(customer_id)
        found = self._reports.month_additions_of(customer, licences, month)
        # Month summaries are overwritten with the same figures: harmless on a redelivery.
        for licence in licences:
            self._reports.close_month(licence, month)
        notification = Notification(
            f"{customer_id}-month-end-{label}",
            LicenceKey(customer_id, MONTH_END_SCOPE),
            NotificationType.MONTH_END_REPORT,
            now,
            {
                "customerDomain": customer.customer_domain,
                "month": label,
                "seatsAdded": found.summary().seats_added,
                "attachmentCsv": found.csv(),
            },
        )
        if self._store.record_month_end(found.summary(), notification):
            self._publisher.publish_notification(notification.notification_id)
            return CustomerMonthEnd.CREATED
        # Written before: by an attempt that may have died before publishing the email.
        republish_if_unsent(self._notifications, self._publisher, notification.notification_id)
        return CustomerMonthEnd.ALREADY_THERE


@dataclass(frozen=True, slots=True)
class MonthEndPage:
    month: str
    published: int  # customer messages published by this page
    next_after: str | None  # the cursor of the next page, published as its own message; None: done


class PlanMonthEnd:
    """One page of the month-end plan: the next `page_size` customer ids after `after`, one
    message each, then a message for the page after (so no invocation walks the whole book)."""

    def __init__(
        self,
        store: ReportStore,
        publisher: Publisher,
        clock: Clock = utc_now,
        time_zone: str = "Europe/London",
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._store = store
        self._publisher = publisher
        self._clock = clock
        self._time_zone = time_zone  # whose calendar decides which month just ended
        self._page_size = page_size

    def month_of(self, month: date | None) -> date:
        return month or previous_month(self._clock().astimezone(ZoneInfo(self._time_zone)).date())

    def __call__(self, month: date | None = None, after: str | None = None) -> MonthEndPage:
        label = self.month_of(month).strftime("%Y-%m")
        ids = self._store.customer_ids_after(after, self._page_size)
        self._publisher.publish_month_end_customers(label, ids)
        # A full page may have more after it; the continuation goes out only once every
        # customer message of this page is acknowledged, so a failed page is retried whole.
        next_after = ids[-1] if len(ids) == self._page_size else None
        if next_after is not None:
            self._publisher.publish_month_end_page(label, next_after)
        log.info(
            "month-end page planned",
            extra={"month": label, "after": after, "customers": len(ids), "more": bool(next_after)},
        )
        return MonthEndPage(label, len(ids), next_after)
