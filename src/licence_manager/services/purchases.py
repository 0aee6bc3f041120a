"""Buying a SKU the customer does not have yet, from the dashboard: validated here against the
price catalogue, then carried out by apply_topup (subscriptions.insert) through the same claim,
compare-and-set and record as every seat change."""

from __future__ import annotations

import uuid
from datetime import timedelta

from licence_manager.domain.audit import Source
from licence_manager.domain.catalogue import PLANS, SKUS
from licence_manager.domain.model import TRIAL_SEAT_CAP, LicenceKey, seats
from licence_manager.domain.observation import REMOVED
from licence_manager.domain.offline import held_offline_message, offline_skus_of
from licence_manager.domain.topup import RequestKind, RequestStatus, TopUpRequest
from licence_manager.ports import Publisher
from licence_manager.ports.dashboard import ApiStore
from licence_manager.ports.prices import PriceList
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.services import spending
from licence_manager.services.additions import MAX_SEATS_PER_ADDITION
from licence_manager.services.buying_control import buying_paused
from licence_manager.services.sync import Clock, utc_now

IN_PROGRESS_AT_MOST = timedelta(hours=1)


class PurchaseRefused(ValueError):
    """The purchase cannot be made; `field` names the form field to show it next to."""

    def __init__(self, message: str, field: str, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status  # 409: it conflicts with what the customer already holds


class RequestPurchase:
    def __init__(
        self,
        store: ApiStore,
        publisher: Publisher,
        uow: UnitOfWork,
        default_time_zone: str = "Europe/London",
        clock: Clock = utc_now,
        *,
        prices: PriceList | None = None,
    ) -> None:
        """`prices`: the price list the spending limit is estimated from; the store's own by
        default."""
        self._store = store
        self._prices: PriceList = store if prices is None else prices
        self._publisher = publisher
        self._uow = uow
        self._default_time_zone = default_time_zone
        self._clock = clock

    def __call__(
        self, customer_id: str, sku_id: str, plan_name: str, count: int, requested_by: str
    ) -> TopUpRequest:
        paused = buying_paused(self._uow)
        if paused:
            raise PurchaseRefused(paused, "skuId")
        if sku_id not in SKUS:
            raise PurchaseRefused("This SKU is not in the catalogue.", "skuId")
        if plan_name not in PLANS:
            raise PurchaseRefused(f"Choose one of: {', '.join(PLANS)}.", "planName")
        if not 1 <= count <= MAX_SEATS_PER_ADDITION:
            raise PurchaseRefused(f"Buy between 1 and {MAX_SEATS_PER_ADDITION} seats.", "seats")
        if plan_name == "TRIAL" and count > TRIAL_SEAT_CAP:
            raise PurchaseRefused(f"A trial is limited to {TRIAL_SEAT_CAP} seats.", "seats")
        key = LicenceKey(customer_id, sku_id)
        owned = [
            lic
            for lic in self._store.licences_of(customer_id)
            if lic.key == key and lic.usage.status != REMOVED
        ]
        if owned:
            raise PurchaseRefused(
                "You already have this SKU: add licences to it from My Licences instead.", "skuId"
            )
        customer = self._store.customer(customer_id)
        # An offline order is invisible to the sync; Google would refuse the insert after Confirm.
        held = offline_skus_of(
            self._store.sync_heartbeat(), customer.customer_domain if customer else "", customer_id
        )
        if sku_id in held:
            raise PurchaseRefused(held_offline_message(SKUS[sku_id].sku_name), "skuId", 409)
        # A request older than the sweeper's give-up time is stuck, not in progress: it must not
        # block buying the SKU (the sweeper fails it and tells the admin).
        recent = self._clock() - IN_PROGRESS_AT_MOST
        requests = self._store.requests_of(key)
        if any(r.status is RequestStatus.AWAITING_APPROVAL for r in requests):
            raise PurchaseRefused(
                "A purchase of this SKU is waiting for the reseller's approval.", "skuId"
            )
        if any(r.status.in_progress and r.cleared_at > recent for r in requests):
            raise PurchaseRefused("A purchase of this SKU is already in progress.", "skuId")
        request = TopUpRequest(
            request_id=f"{key.doc_id}-purchase-{uuid.uuid4().hex[:12]}",
            key=key,
            source=Source.PURCHASE,
            requested_by=requested_by,
            plan_name=plan_name,
            seats_to_add=count,
            total_before=0,
            total_after=count,
            created_at=self._clock(),
            kind=RequestKind.INSERT,
            time_zone=customer.time_zone if customer else self._default_time_zone,
        )
        return spending.submit(
            self._uow,
            self._store,
            self._publisher,
            request,
            f"{requested_by} asked to buy {SKUS[sku_id].sku_name} on plan {plan_name} with "
            f"{seats(count)}",
            time_zone=request.time_zone,
            customer_domain=customer.customer_domain if customer else "",
            prices=self._prices,
        )
