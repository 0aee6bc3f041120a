"""Submitting a manual addition or purchase: within the customer's spending limit it goes to
apply_topup at once; above it, it waits for reseller ops (domain.spending).

The month's earlier requests are read by a query before the unit of work (a Firestore
transaction cannot hold a query in our port), so two requests made in the same instant may
together pass the monthly estimate; each is still held to the per-request seat limit, and the
next one sees both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

from licence_manager.domain import changes, spending
from licence_manager.domain.automation import month_of, usage_facts
from licence_manager.domain.catalogue import SKUS
from licence_manager.domain.notifications import Notification
from licence_manager.domain.prices import PriceLookup
from licence_manager.domain.topup import RequestStatus, TopUpRequest
from licence_manager.ports import AutomationStore, Publisher
from licence_manager.ports.prices import PriceList
from licence_manager.ports.unit_of_work import AlreadyExists, Transaction, UnitOfWork

WAITS = "waits for the reseller's approval"


@dataclass(frozen=True, slots=True)
class _Submitted:
    request: TopUpRequest
    notification: Notification | None


def submit(
    uow: UnitOfWork,
    requests: AutomationStore,
    publisher: Publisher,
    request: TopUpRequest,
    message: str,
    *,
    prices: PriceList,
    time_zone: str,
    customer_domain: str = "",
) -> TopUpRequest:
    """Create the request and its TOP_UP_REQUESTED audit entry together, as PENDING or, above
    the limit, AWAITING_APPROVAL with an email to the customer and to reseller ops. Returns the
    request as created; raises AlreadyExists if its id is taken."""
    customer_id = request.key.customer_id
    # A month is at most 31 days: everything since then, narrowed to the month by the domain.
    earlier = requests.requests_of_customer_since(customer_id, request.created_at - timedelta(31))
    month = month_of(request.created_at, time_zone)
    price_of = prices.price_lookup(customer_id)
    spent = spending.spent_this_month(earlier, month, time_zone, price_of)
    done = uow.run(
        partial(
            _create,
            request=request,
            message=message,
            spent=spent,
            domain=customer_domain,
            price_of=price_of,
        )
    )
    if done.notification is not None:
        publisher.publish_notification(done.notification.notification_id)
    else:
        publisher.publish_top_up(done.request.request_id)
    return done.request


def _create(
    tx: Transaction,
    request: TopUpRequest,
    message: str,
    spent: int,
    domain: str,
    price_of: PriceLookup,
) -> _Submitted:
    if tx.requests.get(request.request_id) is not None:
        raise AlreadyExists(request.request_id)
    limit = tx.spending_limit_of(request.key.customer_id)
    head = tx.head_of(request.key)
    licence = tx.licences.get(request.key)
    reason = spending.approval_reason(limit, request, spent, price_of)
    if reason is None:
        entry = changes.request_submitted(head, request, message)
        tx.requests.create(request.request_id, request)
        tx.append_audit((entry,), entry.head)
        return _Submitted(request, None)
    held = replace(request, status=RequestStatus.AWAITING_APPROVAL, message=f"Waiting: {reason}")
    entry = changes.request_submitted(head, held, f"{message}; {WAITS}: {reason}")
    facts = usage_facts(licence) if licence is not None else {}
    if licence is None:
        sku = SKUS.get(request.key.sku_id)
        facts.update(customerDomain=domain, skuName=sku.sku_name if sku else request.key.sku_id)
    notification = spending.approval_notification(held, reason, facts)
    tx.requests.create(held.request_id, held)
    tx.append_audit((entry,), entry.head)
    tx.notifications.create(notification.notification_id, notification)
    return _Submitted(held, notification)


def spending_limit(uow: UnitOfWork, customer_id: str) -> spending.SpendingLimit:
    """The customer's limits: the defaults until reseller ops change them."""
    return uow.run(lambda tx: tx.spending_limit_of(customer_id))


def set_spending_limit(
    uow: UnitOfWork,
    customer_id: str,
    *,
    seats_per_request: int | None,
    monthly_cost_minor: int | None,
    by: str,
    at: datetime,
) -> spending.SpendingLimit:
    """Change either limit (None keeps it); who and when are stored with it."""

    def change(tx: Transaction) -> spending.SpendingLimit:
        before = tx.spending_limit_of(customer_id)
        after = replace(
            before,
            max_seats_per_request=seats_per_request or before.max_seats_per_request,
            max_monthly_cost_minor=monthly_cost_minor or before.max_monthly_cost_minor,
            updated_by=by,
            updated_at=at,
        )
        tx.spending_limits.put(customer_id, after)
        return after

    return uow.run(change)
