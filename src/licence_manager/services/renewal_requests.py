"""Changing an annual plan's renewal type from the dashboard: validated and created here, once
per client key, then carried out by apply_topup (subscriptions.changeRenewalSettings) through the
same claim, fresh read, compare-and-set and record as every change at Google."""

from __future__ import annotations

import re
from dataclasses import dataclass

from licence_manager.domain.audit import Source
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.policy import ACTIVE
from licence_manager.domain.renewal import RENEWAL_FIELD, renewal_choice_problems
from licence_manager.domain.topup import RequestKind, TopUpRequest
from licence_manager.ports import Publisher
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork
from licence_manager.services.sync import Clock, utc_now

# The client's idempotency key: made once when the admin opens the confirmation (a UUID), sent
# again with every retry of the same POST.
CLIENT_KEY = re.compile(r"^[A-Za-z0-9-]{8,64}$")
CLIENT_KEY_FIELD = "requestId"


class RenewalChangeRefused(ValueError):
    """The change cannot be asked for; `errors` by field, as a 422 problem shows them."""

    def __init__(self, errors: dict[str, str], status: int = 422) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.status = status  # 404: no such licence; 409: the key was used for another change


@dataclass(frozen=True, slots=True)
class Asked:
    request: TopUpRequest
    created: bool  # False: the same key asked before; that request is the answer


def renewal_request_id(key: LicenceKey, client_key: str) -> str:
    """`{customerId}_{skuId}-renewal-{client key}`: the same key names the same request, so a
    POST repeated (a double click, a retry after a lost answer) finds it instead of a second."""
    return f"{key.doc_id}-renewal-{client_key}"


class RequestRenewalChange:
    def __init__(self, uow: UnitOfWork, publisher: Publisher, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._publisher = publisher
        self._clock = clock

    def __call__(self, key: LicenceKey, wanted: str, client_key: str, requested_by: str) -> Asked:
        if not CLIENT_KEY.fullmatch(client_key):
            raise RenewalChangeRefused(
                {CLIENT_KEY_FIELD: "Send a request id of 8 to 64 letters, digits or dashes."}
            )
        request_id = renewal_request_id(key, client_key)
        asked = self._uow.run(lambda tx: self._create(tx, key, request_id, wanted, requested_by))
        # Published again for a repeated POST too: if the first answer's publish was lost, this
        # one delivers it; apply_topup claims it once (and the sweeper would republish it).
        if asked.request.status.in_progress:
            self._publisher.publish_top_up(request_id)
        return asked

    def _create(
        self, tx: Transaction, key: LicenceKey, request_id: str, wanted: str, by: str
    ) -> Asked:
        existing = tx.requests.get(request_id)
        if existing is not None:
            if existing.renewal_type != wanted or existing.key != key:
                raise RenewalChangeRefused(
                    {CLIENT_KEY_FIELD: "This request id was used for another change."}, 409
                )
            return Asked(existing, created=False)
        licence = tx.licences.get(key)
        if licence is None or licence.usage.status == "REMOVED":
            raise RenewalChangeRefused({RENEWAL_FIELD: "There is no such licence."}, 404)
        usage = licence.usage
        if usage.status != ACTIVE:
            raise RenewalChangeRefused(
                {RENEWAL_FIELD: f"The subscription is {usage.status.lower()}."}
            )
        problems = renewal_choice_problems(usage.plan_name, usage.renewal_type, wanted)
        if problems:
            raise RenewalChangeRefused(problems)
        request = TopUpRequest(
            request_id=request_id,
            key=key,
            source=Source.MANUAL,
            requested_by=by,
            plan_name=usage.plan_name,
            seats_to_add=0,
            total_before=usage.total,
            total_after=usage.total,
            created_at=self._clock(),
            kind=RequestKind.CHANGE_RENEWAL,
            renewal_type=wanted,
            renewal_type_before=usage.renewal_type,
        )
        tx.requests.create(request_id, request)
        return Asked(request, created=True)
