"""Renewal reminders (and trial alerts the same way: `trials`), made by the daily holder sync's
per-customer step: each annual licence's due reminder (domain.renewal.due_reminder: 90, 30 or 7
days before its term ends, the nearest one only) becomes a RENEWAL_REMINDER notification, which
send_alerts emails to the recipients who want renewal reminders, as every notification.

Once only: the notification's id is the rule's (`{licenceId}-renewal-{term end}-{threshold}`),
created only if absent in a unit of work, so a second run the same day, a retried customer
message or a late run within the same threshold creates nothing. It is published after the
commit, and again by whoever finds it still PENDING (a run that died before publishing: the next
run, or the request sweeper's unsent-email pass); send_alerts claims it once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial

from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import Licence
from licence_manager.domain.notifications import Notification
from licence_manager.domain.renewal import due_reminder, reminder_notification
from licence_manager.domain.renewal_plan import renewal_plan
from licence_manager.domain.subscription_events import trial_alert
from licence_manager.observability import get_logger
from licence_manager.ports import Publisher
from licence_manager.ports.prices import PriceList
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork
from licence_manager.services.outbox import republish_if_unsent

log = get_logger(__name__)


class RenewalReminders:
    def __init__(self, uow: UnitOfWork, publisher: Publisher, prices: PriceList | None) -> None:
        """`prices`: what the warning's yearly cost is priced at (None: no cost stated)."""
        self._uow = uow
        self._publisher = publisher
        self._prices = prices

    def __call__(
        self,
        customer_id: str,
        licences: Iterable[Licence],
        insights: LicenceInsights | None,
        now: datetime,
    ) -> list[str]:
        """The ids of the reminders due now (created now or before); each PENDING one is
        published."""
        price_of = self._prices.price_lookup(customer_id) if self._prices else None
        due: list[str] = []
        for licence in licences:
            reminder = due_reminder(licence, now)
            if reminder is None:
                continue
            plan = renewal_plan(licence, insights, price_of, now)
            assert plan is not None  # due_reminder found a renewal date
            notification = reminder_notification(
                licence, reminder, plan.recommendation, plan.warning, now
            )
            if self._uow.run(partial(_create_if_absent, notification=notification)):
                log.info(
                    "renewal reminder created",
                    extra={"notificationId": notification.notification_id},
                )
            republish_if_unsent(self._uow, self._publisher, notification.notification_id)
            due.append(notification.notification_id)
        return due

    def trials(self, licences: Iterable[Licence], now: datetime) -> list[str]:
        """The trial alerts due now (domain.subscription_events.trial_alert: ending within 7
        days, or just ended), each created once, as the reminders are; returns their ids."""
        due: list[str] = []
        for licence in licences:
            notification = trial_alert(licence, now)
            if notification is None:
                continue
            if self._uow.run(partial(_create_if_absent, notification=notification)):
                log.info(
                    "trial alert created", extra={"notificationId": notification.notification_id}
                )
            republish_if_unsent(self._uow, self._publisher, notification.notification_id)
            due.append(notification.notification_id)
        return due


def _create_if_absent(tx: Transaction, notification: Notification) -> bool:
    if tx.notifications.get(notification.notification_id) is not None:
        return False
    tx.notifications.create(notification.notification_id, notification)
    return True
