"""The Reclaim page's list: the seat holders the holder sync stored as reclaimable, a page at a
time, with the days each went unseen and what an admin can do about it (the per-SKU money is
domain.reclaim_summary's, from licence_insights).

The list and the counts come from the same sync run, judged with the policy it used
(`licence_insights.inactiveDays`), so My Licences' count and the page's list always agree; a
policy changed since applies from the next daily run, and the page says so. A customer whose
user data could not be read shows no list at all (what is stored may be out of date), only why.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from licence_manager.domain.reclaim import (
    ReclaimableSeat,
    ReclaimAction,
    auto_licensed,
    reclaim_action,
)
from licence_manager.domain.seat_holders import ReclaimRecord
from licence_manager.ports.reclaim import MAX_HOLDER_PAGE, HolderPage, ReclaimStore


def reclaimable_seat(record: ReclaimRecord, today: date) -> ReclaimableSeat:
    """A stored holder the sync judged reclaimable, with its days unseen counted to `today`."""
    assert record.reclaim_reason is not None
    seen = record.holder.last_seen
    days = None if seen is None else max((today - seen.date()).days, 0)
    return ReclaimableSeat(record.holder, record.reclaim_reason, days)


def action_now(record: ReclaimRecord) -> ReclaimAction:
    """What an admin can do about the seat today (domain.reclaim.reclaim_action, the one rule):
    an add-on is unassigned from the Reclaim page (services.unassign_requests asks the same
    rule before making the request); the Workspace licence, which Google assigns to every user
    automatically, is freed in the Admin console."""
    product = record.product_id
    return reclaim_action(product, auto_licensed(product), record.holder)


@dataclass(frozen=True, slots=True)
class ReclaimListing:
    page: HolderPage
    seats: list[ReclaimableSeat]  # one per holder of the page, in its order


def reclaimable_page(
    store: ReclaimStore,
    customer_id: str,
    today: date,
    limit: int,
    cursor: str | None,
    sku_id: str | None = None,
) -> ReclaimListing:
    page = store.seat_holder_page(customer_id, limit, cursor, sku_id=sku_id, reclaimable_only=True)
    # Only holders with a reason are listed; a reason this version does not know is skipped.
    page = HolderPage([r for r in page.holders if r.reclaim_reason], page.next_cursor)
    return ReclaimListing(page, [reclaimable_seat(r, today) for r in page.holders])


def every_reclaimable(
    store: ReclaimStore, customer_id: str, today: date, sku_id: str | None = None
) -> Iterator[tuple[ReclaimRecord, ReclaimableSeat]]:
    """Every reclaimable holder of the customer, a page at a time (the CSV export)."""
    cursor: str | None = None
    while True:
        listing = reclaimable_page(store, customer_id, today, MAX_HOLDER_PAGE, cursor, sku_id)
        yield from zip(listing.page.holders, listing.seats, strict=True)
        cursor = listing.page.next_cursor
        if cursor is None:
            return
