"""Seat-change requests: one document per intended change, moved through its states exactly once.

A request carries the total it was decided on (`total_before`) and the absolute total it wants
(`total_after`). Before buying, the applier reads the subscription afresh and compares:
  - still at `total_before`: make the change (an absolute value, so a repeat is harmless);
  - already at `total_after`, and an earlier attempt had asked Google for it: that attempt bought
    it and died before recording: record it, buy nothing;
  - anything else: someone else changed the seats since; buy nothing (the next evaluation decides
    again from the new figures). If an earlier attempt had sent the change, count it as applied
    but unverified (see SeatCheck.PROBABLY_APPLIED).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from licence_manager.domain.audit import Source
from licence_manager.domain.model import LicenceKey


class RequestStatus(StrEnum):
    PENDING = "PENDING"
    CLAIMED = "CLAIMED"
    APPLIED = "APPLIED"
    FAILED = "FAILED"
    SUPERSEDED = "SUPERSEDED"
    # Above the customer's spending limit (domain.spending): nothing happens until reseller ops
    # approve it (then PENDING) or decline it, or it lapses after 7 days (then FAILED).
    AWAITING_APPROVAL = "AWAITING_APPROVAL"

    @property
    def final(self) -> bool:
        return self in (RequestStatus.APPLIED, RequestStatus.FAILED, RequestStatus.SUPERSEDED)

    @property
    def in_progress(self) -> bool:
        """Cleared to buy and not finished: what apply_topup and the sweeper drive."""
        return self in (RequestStatus.PENDING, RequestStatus.CLAIMED)


class RequestKind(StrEnum):
    """What a request asks Google for. All go through apply_topup, the one path that changes
    subscriptions at Google."""

    CHANGE_SEATS = "change_seats"  # subscriptions.changeSeats on an existing subscription
    INSERT = "insert"  # subscriptions.insert: buy a SKU the customer does not have yet
    # subscriptions.changeRenewalSettings on an annual plan: `renewal_type` is the type wanted,
    # `renewal_type_before` the one the admin saw when asking (domain.renewal).
    CHANGE_RENEWAL = "change_renewal"
    # licenseAssignments.delete (Licensing API) of one add-on seat the holder sync found
    # reclaimable: `user_email`, `user_id` and `product_id` name it (domain.unassign).
    UNASSIGN = "unassign_seat"


@dataclass(frozen=True, slots=True)
class TopUpRequest:
    request_id: str
    key: LicenceKey
    source: Source  # AUTOMATIC or MANUAL
    requested_by: str
    plan_name: str
    seats_to_add: int
    total_before: int
    total_after: int
    created_at: datetime
    status: RequestStatus = RequestStatus.PENDING
    attempts: int = 0
    claimed_at: datetime | None = None
    finished_at: datetime | None = None
    subscription_id: str | None = None
    recovered: bool = False  # found already applied by an attempt that died before recording
    message: str = ""
    # Set just before an attempt asks Google for the change: only then can a later attempt that
    # finds the seats already at `total_after` credit the change to this request.
    change_sent_at: datetime | None = None
    kind: RequestKind = RequestKind.CHANGE_SEATS
    # Purchases only: the time zone of the licence the purchase creates (the customer's).
    time_zone: str = ""
    # Set when reseller ops approve a request that was above the spending limit.
    approved_by: str = ""
    approved_at: datetime | None = None
    # Renewal changes only (RequestKind.CHANGE_RENEWAL): the type asked for, and the one the
    # admin saw; seats_to_add is 0 and both totals are the seats when asked.
    renewal_type: str = ""
    renewal_type_before: str = ""
    # Unassigns only (RequestKind.UNASSIGN): whose seat, of which Licensing product; seats_to_add
    # is 0 and both totals are the seats when asked (nothing is bought or committed).
    user_email: str = ""
    user_id: str = ""  # the Directory id; "" when the holder sync found no Directory user
    product_id: str = ""
    # Automatic requests: when the sync saw the figures it was decided on (the licence's
    # updatedAt at the decision), so the seats' change can be timed from there (the reaction
    # time metric, docs/operations.md). None for manual requests and older documents.
    observed_at: datetime | None = None

    @property
    def cleared_at(self) -> datetime:
        """When it was cleared to buy: made, or approved days later. The sweeper's clock and
        "in progress" checks run from here, or an approved request would look long dead."""
        return self.approved_at or self.created_at


class Claim(StrEnum):
    CLAIMED = "claimed"  # go ahead
    DONE = "done"  # already finished: a duplicate delivery, nothing to do
    BUSY = "busy"  # another live attempt holds it: try again later


def claim(request: TopUpRequest, now: datetime, lease: timedelta) -> tuple[Claim, TopUpRequest]:
    """Take a request for one attempt. A claim older than the lease belonged to an attempt that
    died; taking it over is safe because the applier compares seats before buying."""
    if request.status.final or request.status is RequestStatus.AWAITING_APPROVAL:
        # Awaiting approval: a stray delivery is acknowledged and ignored; approval publishes
        # the request again once it is PENDING.
        return Claim.DONE, request
    if (
        request.status is RequestStatus.CLAIMED
        and request.claimed_at is not None
        and now - request.claimed_at < lease
    ):
        return Claim.BUSY, request
    claimed = replace(
        request, status=RequestStatus.CLAIMED, claimed_at=now, attempts=request.attempts + 1
    )
    return Claim.CLAIMED, claimed


def holds(request: TopUpRequest | None, token: int) -> bool:
    """Whether the attempt that claimed `request` as its `token`-th claim still holds it. Every
    write an attempt makes is fenced by this: once the lease has passed and another attempt has
    taken over (or the request has finished), a late write from the first would undo the
    second's work."""
    return (
        request is not None
        and request.status is RequestStatus.CLAIMED
        and request.attempts == token
    )


class SeatCheck(StrEnum):
    CHANGE = "change"
    ALREADY_APPLIED = "already_applied"
    # An earlier attempt may have sent the change before it died, and someone has changed the
    # seats since, so the total cannot tell whether ours landed. Never bought again; recorded
    # from what the licence's own history can prove (see outcomes.unverified).
    PROBABLY_APPLIED = "probably_applied"
    SUPERSEDED = "superseded"


def compare_seats(request: TopUpRequest, current_total: int) -> SeatCheck:
    if current_total == request.total_before:
        return SeatCheck.CHANGE
    if request.change_sent_at is None:
        return SeatCheck.SUPERSEDED  # changed by someone else, even if to our target
    if current_total == request.total_after:
        return SeatCheck.ALREADY_APPLIED
    return SeatCheck.PROBABLY_APPLIED


def compare_insert(
    request: TopUpRequest, current_total: int | None, purchase_order_id: str = ""
) -> SeatCheck:
    """A purchase's compare-and-set. `current_total` is None when the customer has no online
    subscription to the SKU: insert it. When there is one, the purchase order id it carries (our
    request id, sent with the insert) says whose it is: ours → already applied, by an attempt
    that died before recording; another → superseded, buy nothing. Without an order id to go by,
    the change-sent marker decides as for seat changes: present after an attempt of ours sent the
    insert → already applied (probably applied when the seats have moved on since); otherwise
    somebody else bought it → superseded."""
    if current_total is None:
        return SeatCheck.CHANGE
    if purchase_order_id:
        ours = purchase_order_id == request.request_id[:80]
        return SeatCheck.ALREADY_APPLIED if ours else SeatCheck.SUPERSEDED
    if request.change_sent_at is None:
        return SeatCheck.SUPERSEDED
    if current_total == request.total_after:
        return SeatCheck.ALREADY_APPLIED
    return SeatCheck.PROBABLY_APPLIED


def compare_renewal(request: TopUpRequest, current_type: str) -> SeatCheck:
    """A renewal change's compare-and-set, on Google's renewal type read afresh:
    - already the type wanted: nothing to send (an earlier attempt of ours set it and died
      before recording, or someone chose the same): recorded as done, Google not called;
    - still the type the admin saw: send it;
    - anything else: someone changed it since the admin chose: nothing is sent (their
      choice was made on a setting that is no longer there)."""
    if current_type == request.renewal_type:
        return SeatCheck.ALREADY_APPLIED
    if current_type == request.renewal_type_before:
        return SeatCheck.CHANGE
    return SeatCheck.SUPERSEDED


def compare_unassign(request: TopUpRequest, holds: bool) -> SeatCheck:
    """An unassign's compare-and-set, on a fresh licenseAssignments.get: the user still holds
    the seat → delete it; they no longer do → nothing to send (an earlier attempt of ours
    deleted it and died before recording, or someone else removed it): recorded as done.
    A delete repeated after a lost answer removes nothing more: the seat is gone either way."""
    del request  # the assignment itself is the evidence, whoever removed it
    return SeatCheck.CHANGE if holds else SeatCheck.ALREADY_APPLIED
