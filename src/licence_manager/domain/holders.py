"""Who holds each seat: the Licensing API's assignments joined with the Directory's users and the
Reports API's last activity, judged by the reclaim rules (domain.reclaim), as the records the
holder sync stores (`seat_holders`) and the per-SKU counts it precomputes (domain.insights)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from licence_manager.domain.insights import SkuInsight, sku_insight
from licence_manager.domain.model import Customer
from licence_manager.domain.reclaim import ReclaimPolicy, SeatHolder, reclaimable_seats


@dataclass(frozen=True, slots=True)
class Assignment:
    """One licence assignment (Licensing `LicenseAssignment`). `email` is the user's primary
    email at the time of the call: the only user key the Licensing API gives."""

    email: str
    product_id: str
    sku_id: str


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    user_id: str  # immutable
    email: str  # primaryEmail
    suspended: bool
    archived: bool
    created_at: datetime | None
    last_login: datetime | None  # None: never signed in (Google's 1970 value)


@dataclass(frozen=True, slots=True)
class ActivityReport:
    """The Reports API's user usage report for one day (it lags by days: `as_of` is the day it
    describes). `last_activity`: lower-cased email → the latest of last login and last SSO,
    None when the report says never."""

    as_of: date
    last_activity: Mapping[str, datetime | None]


@dataclass(frozen=True, slots=True)
class HolderRecord:
    """One `seat_holders` document: a user holding one SKU of one customer, as last synced."""

    customer_id: str
    customer_domain: str
    product_id: str
    sku_id: str
    email: str
    user_id: str  # "" when the Directory had no such user
    suspended: bool
    archived: bool
    created_at: datetime | None
    last_login: datetime | None
    last_activity: datetime | None
    activity_as_of: date | None
    reclaim_reason: str  # a ReclaimReason, or "" when the seat is in use
    synced_at: datetime

    @property
    def user_key(self) -> str:
        return user_key(self.user_id, self.email)

    @property
    def document_id(self) -> str:
        return f"{self.customer_id}_{self.sku_id}_{self.user_key}"

    def needs_writing_over(self, stored: HolderRecord | None) -> bool:
        """Whether this record must replace `stored`: only when a fact changed. Rewriting every
        holder daily to refresh syncedAt would cost one write per user per day (5 million a
        day for 100,000 customers of 50 users); when the customer was last checked is its
        insights' syncedAt, written once a day. The Reports day moving on by itself is not a
        change either (it would rewrite every active holder daily): a stored activityAsOf is
        the day the last activity was read from, still true on later days."""
        if stored is None:
            return True
        unchanged = replace(stored, synced_at=self.synced_at, activity_as_of=self.activity_as_of)
        return unchanged != self or (stored.activity_as_of is None) != (self.activity_as_of is None)


def user_key(user_id: str, email: str) -> str:
    """The Directory id; for a holder the Directory does not list, a stable key from the email
    (hashed: document ids are exported and logged, addresses should not be)."""
    if user_id:
        return user_id
    return "e-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class JudgedHolders:
    records: list[HolderRecord]
    skus: dict[str, SkuInsight]


def judge_holders(
    customer: Customer,
    held: Mapping[str, str],
    assignments: Iterable[Assignment],
    users: Iterable[DirectoryUser],
    activity: ActivityReport | None,
    policy: ReclaimPolicy,
    now: datetime,
) -> JudgedHolders:
    """The holders of the SKUs in `held` (SKU id → product id), each judged by the reclaim
    rules on `now`'s date, and each SKU's counts (a held SKU nobody holds counts zero).
    Assignments of SKUs not in `held` are left out: bought elsewhere, not ours to report."""
    directory = {u.email.strip().lower(): u for u in users}
    seen: dict[tuple[str, str], tuple[SeatHolder, DirectoryUser | None, str]] = {}
    for a in assignments:
        if a.sku_id not in held:
            continue
        found = directory.get(a.email.strip().lower())
        holder = _seat_holder(a, found, activity, now)
        seen[(a.sku_id, user_key(holder.user_id, holder.email))] = (holder, found, held[a.sku_id])
    holders = [h for h, _, _ in seen.values()]
    reasons = {
        (s.holder.sku_id, user_key(s.holder.user_id, s.holder.email)): s
        for s in reclaimable_seats(holders, policy, now.date())
    }
    records = []
    for key, (holder, found, product_id) in sorted(seen.items()):
        seat = reasons.get(key)
        records.append(
            HolderRecord(
                customer_id=customer.customer_id,
                customer_domain=customer.customer_domain,
                product_id=product_id,
                sku_id=holder.sku_id,
                email=holder.email,
                user_id=holder.user_id,
                suspended=holder.suspended,
                archived=holder.archived,
                created_at=found.created_at if found else None,
                last_login=holder.last_login,
                last_activity=holder.last_activity,
                activity_as_of=holder.activity_as_of,
                reclaim_reason=seat.reason.value if seat else "",
                synced_at=now,
            )
        )
    by_sku: dict[str, list[SeatHolder]] = defaultdict(list)
    for holder in holders:
        by_sku[holder.sku_id].append(holder)
    reclaimable_by_sku = defaultdict(list)
    for seat in reasons.values():
        reclaimable_by_sku[seat.holder.sku_id].append(seat)
    skus = {
        sku_id: sku_insight(product_id, by_sku[sku_id], reclaimable_by_sku[sku_id])
        for sku_id, product_id in sorted(held.items())
    }
    return JudgedHolders(records, skus)


def _seat_holder(
    assignment: Assignment,
    user: DirectoryUser | None,
    activity: ActivityReport | None,
    now: datetime,
) -> SeatHolder:
    email = user.email if user else assignment.email
    known = activity is not None and email.strip().lower() in activity.last_activity
    return SeatHolder(
        email=email,
        user_id=user.user_id if user else "",
        sku_id=assignment.sku_id,
        suspended=user.suspended if user else False,
        archived=user.archived if user else False,
        # A holder the Directory does not list (renamed or created since its listing, which
        # lags by up to a day) has no creation time: taken as now, so it is never called
        # "never signed in" on a guess; it can still be judged on its Reports activity.
        created_at=(user.created_at if user and user.created_at else now),
        last_login=user.last_login if user else None,
        last_activity=activity.last_activity[email.strip().lower()]
        if activity is not None and known
        else None,
        activity_as_of=activity.as_of if activity is not None and known else None,
    )
