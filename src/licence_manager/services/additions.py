"""Manual seat additions from the dashboard: validated here, applied by apply_topup like every
other seat change."""

from __future__ import annotations

import uuid

from licence_manager.domain.audit import Source
from licence_manager.domain.model import TRIAL_SEAT_CAP, LicenceKey, PlanKind, plan_kind
from licence_manager.domain.model import seats as seats_text
from licence_manager.domain.policy import ACTIVE
from licence_manager.domain.topup import TopUpRequest
from licence_manager.ports import Publisher
from licence_manager.ports.dashboard import ApiStore
from licence_manager.ports.prices import PriceList
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.services import spending
from licence_manager.services.buying_control import buying_paused
from licence_manager.services.sync import Clock, utc_now

MAX_SEATS_PER_ADDITION = 10_000


class AdditionRefused(ValueError):
    """The addition cannot be made; the message says why, for the admin."""


class RequestAddition:
    def __init__(
        self,
        store: ApiStore,
        publisher: Publisher,
        uow: UnitOfWork,
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
        self._clock = clock

    def __call__(self, key: LicenceKey, seats: int, requested_by: str) -> TopUpRequest:
        paused = buying_paused(self._uow)
        if paused:
            raise AdditionRefused(paused)
        if not 1 <= seats <= MAX_SEATS_PER_ADDITION:
            raise AdditionRefused(f"Add between 1 and {MAX_SEATS_PER_ADDITION} seats.")
        licence = next(
            (lic for lic in self._store.licences_of(key.customer_id) if lic.key == key), None
        )
        if licence is None:
            raise AdditionRefused(f"The customer has no licence for SKU {key.sku_id}.")
        usage = licence.usage
        if usage.status != ACTIVE:
            raise AdditionRefused(
                f"The subscription is {usage.status.lower()}; seats cannot be added."
            )
        total_after = usage.total + seats
        if plan_kind(usage.plan_name) is PlanKind.TRIAL and total_after > TRIAL_SEAT_CAP:
            raise AdditionRefused(
                f"Trials are capped at {TRIAL_SEAT_CAP} seats; this would make {total_after}."
            )
        request = TopUpRequest(
            request_id=f"{key.doc_id}-manual-{uuid.uuid4().hex[:12]}",
            key=key,
            source=Source.MANUAL,
            requested_by=requested_by,
            plan_name=usage.plan_name,
            seats_to_add=seats,
            total_before=usage.total,
            total_after=total_after,
            created_at=self._clock(),
        )
        return spending.submit(
            self._uow,
            self._store,
            self._publisher,
            request,
            f"{requested_by} asked to add {seats_text(seats)}: "
            f"{request.total_before} → {request.total_after}",
            time_zone=licence.time_zone,
            customer_domain=licence.customer_domain,
            prices=self._prices,
        )
