"""Unassigning a reclaimable add-on seat from the Reclaim page: validated and created here, once
per client key, then carried out by apply_topup (services.unassign: licenseAssignments.get, then
delete) through the same claim, fresh read and fenced record as every change at Google.

Only a seat the holder sync stored as reclaimable, of a product Google does not assign
automatically (domain.reclaim.reclaim_action, the rule the page shows), may be asked for."""

from __future__ import annotations

from dataclasses import dataclass

from licence_manager.domain.audit import Source
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.observation import REMOVED
from licence_manager.domain.reclaim import ActionKind, auto_licensed, reclaim_action
from licence_manager.domain.seat_holders import reclaim_record
from licence_manager.domain.topup import RequestKind, TopUpRequest
from licence_manager.domain.unassign import holder_doc_id
from licence_manager.ports import Publisher
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork
from licence_manager.services.renewal_requests import CLIENT_KEY, CLIENT_KEY_FIELD, Asked
from licence_manager.services.sync import Clock, utc_now

USER_FIELD = "email"


class UnassignRefused(ValueError):
    """The unassign cannot be asked for; `errors` by field, as a 422 problem shows them."""

    def __init__(self, errors: dict[str, str], status: int = 422) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.status = status  # 404: no such reclaimable seat; 409: the key was used for another


@dataclass(frozen=True, slots=True)
class SeatToUnassign:
    customer_id: str
    sku_id: str
    email: str
    user_id: str = ""  # the Directory id the Reclaim page shows; "" when it shows none

    @property
    def key(self) -> LicenceKey:
        return LicenceKey(self.customer_id, self.sku_id)

    @property
    def holder_doc_id(self) -> str:
        return holder_doc_id(self.key, self.user_id, self.email)


def unassign_request_id(key: LicenceKey, client_key: str) -> str:
    """`{customerId}_{skuId}-unassign-{client key}`: the same key names the same request, so a
    POST repeated (a double click, a retry after a lost answer) finds it instead of a second."""
    return f"{key.doc_id}-unassign-{client_key}"


class RequestUnassign:
    def __init__(self, uow: UnitOfWork, publisher: Publisher, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._publisher = publisher
        self._clock = clock

    def __call__(self, seat: SeatToUnassign, client_key: str, requested_by: str) -> Asked:
        if not CLIENT_KEY.fullmatch(client_key):
            raise UnassignRefused(
                {CLIENT_KEY_FIELD: "Send a request id of 8 to 64 letters, digits or dashes."}
            )
        request_id = unassign_request_id(seat.key, client_key)
        asked = self._uow.run(lambda tx: self._create(tx, seat, request_id, requested_by))
        # Published again for a repeated POST too: if the first answer's publish was lost, this
        # one delivers it; apply_topup claims it once (and the sweeper would republish it).
        if asked.request.status.in_progress:
            self._publisher.publish_top_up(request_id)
        return asked

    def _create(self, tx: Transaction, seat: SeatToUnassign, request_id: str, by: str) -> Asked:
        existing = tx.requests.get(request_id)
        if existing is not None:
            same = (
                existing.kind is RequestKind.UNASSIGN
                and existing.key == seat.key
                and existing.user_email.lower() == seat.email.strip().lower()
            )
            if not same:
                raise UnassignRefused(
                    {CLIENT_KEY_FIELD: "This request id was used for another change."}, 409
                )
            return Asked(existing, created=False)
        stored = tx.seat_holders.get(seat.holder_doc_id)
        licence = tx.licences.get(seat.key)
        if stored is None or stored.email.lower() != seat.email.strip().lower():
            raise UnassignRefused(
                {USER_FIELD: "This user holds no reclaimable seat of this licence."}, 404
            )
        if licence is None or licence.usage.status == REMOVED:
            raise UnassignRefused({"skuId": "There is no such licence."}, 404)
        record = reclaim_record(stored)
        if record.reclaim_reason is None:
            raise UnassignRefused(
                {USER_FIELD: "This seat is in use: only reclaimable seats are unassigned here."}
            )
        action = reclaim_action(stored.product_id, auto_licensed(stored.product_id), record.holder)
        if action.kind is not ActionKind.UNASSIGN:
            raise UnassignRefused({USER_FIELD: action.instruction})
        usage = licence.usage
        request = TopUpRequest(
            request_id=request_id,
            key=seat.key,
            source=Source.MANUAL,
            requested_by=by,
            plan_name=usage.plan_name,
            seats_to_add=0,
            total_before=usage.total,
            total_after=usage.total,
            created_at=self._clock(),
            kind=RequestKind.UNASSIGN,
            user_email=stored.email,
            user_id=stored.user_id,
            product_id=stored.product_id,
        )
        tx.requests.create(request_id, request)
        return Asked(request, created=True)
