"""Reclaimable seats: who holds a seat the customer pays for and does not use, and why.

A seat is reclaimable for one reason, the first that applies: its holder is suspended (Google
bills suspended users like active ones), never signed in at least N days after the account was
made, or has had no activity for N days. N is a per-customer setting (ReclaimPolicy). Nothing
here reclaims anything: the Reclaim page offers the action Google allows (reclaim_action), and
an admin confirms it. What a reclaimed seat is worth depends on the plan (domain.reclaim_summary).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Final
from urllib.parse import quote

# Google's Directory (lastLoginTime) and Reports (accounts:last_login_time) APIs say "never"
# with the Unix epoch rather than leaving the field out.
GOOGLE_NEVER: Final = datetime(1970, 1, 1, tzinfo=UTC)

DEFAULT_INACTIVE_DAYS: Final = 60
# Under a week, holidays and the Reports API's days of lag would flag people who are simply
# away; over a year, Google's usage reports (450 days) still answer but nobody waits that long.
MIN_INACTIVE_DAYS: Final = 7
MAX_INACTIVE_DAYS: Final = 365

# The main Workspace product: its licence is assigned automatically to every user.
WORKSPACE_PRODUCT: Final = "Google-Apps"
ADMIN_CONSOLE_USERS: Final = "https://admin.google.com/ac/users"


def google_time(value: datetime | None) -> datetime | None:
    """A time from Google with its "never" value (the 1970 epoch, or anything before it) as
    None, so that nobody who never signed in reads as last seen in 1970."""
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return None if aware <= GOOGLE_NEVER else aware


def parse_google_time(text: str | None) -> datetime | None:
    """ "2026-03-01T09:30:00.000Z" as a time in UTC; "", None and the 1970 value as None."""
    if not text:
        return None
    return google_time(datetime.fromisoformat(text.replace("Z", "+00:00")))


@dataclass(frozen=True, slots=True)
class SeatHolder:
    """One user holding one SKU: the Licensing API's assignment joined with the Directory API's
    user and, where the customer lets us read it, the Reports API's last activity."""

    email: str  # the primary email: the only key the Licensing API gives
    user_id: str  # the Directory's immutable id; "" when the join found no user
    sku_id: str
    suspended: bool
    archived: bool
    created_at: datetime
    last_login: datetime | None  # Directory lastLoginTime; None: never (see google_time)
    # The latest of the Reports API's login, SSO and interaction times, and the day that report
    # describes: it lags by days, so it says nothing about the days after `activity_as_of`.
    last_activity: datetime | None = None
    activity_as_of: date | None = None

    @property
    def last_seen(self) -> datetime | None:
        """The latest sign-in or activity any source saw; None when none ever did."""
        seen = [t for t in (google_time(self.last_login), google_time(self.last_activity)) if t]
        return max(seen, default=None)


class ReclaimReason(StrEnum):
    # In order of precedence: a holder gets the first that applies.
    SUSPENDED = "SUSPENDED"
    NEVER_SIGNED_IN = "NEVER_SIGNED_IN"
    INACTIVE = "INACTIVE"


REASON_LABELS: Final = {
    ReclaimReason.SUSPENDED: "Suspended",
    ReclaimReason.NEVER_SIGNED_IN: "Never signed in",
    ReclaimReason.INACTIVE: "No recent activity",
}


class ReclaimPolicyError(ValueError):
    """A reclaim setting that cannot be saved; `problems` maps each field to why."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ReclaimPolicy:
    """Per customer: how many days without activity (or without a first sign-in after the
    account was made) make a seat reclaimable."""

    inactive_days: int = DEFAULT_INACTIVE_DAYS


def policy_problems(policy: ReclaimPolicy) -> dict[str, str]:
    """Field name → what is wrong with it, worded for the admin; empty when valid."""
    if not MIN_INACTIVE_DAYS <= policy.inactive_days <= MAX_INACTIVE_DAYS:
        return {
            "inactiveDays": (
                f"Must be from {MIN_INACTIVE_DAYS} to {MAX_INACTIVE_DAYS} days: fewer would "
                "flag people who are on holiday, more would keep paying for people long gone."
            )
        }
    return {}


def checked_policy(inactive_days: object = DEFAULT_INACTIVE_DAYS) -> ReclaimPolicy:
    """The policy from what an admin (or a stored document) gave, validated; ReclaimPolicyError
    naming what is wrong."""
    if isinstance(inactive_days, bool) or not isinstance(inactive_days, int):
        raise ReclaimPolicyError({"inactiveDays": "Must be a whole number of days."})
    policy = ReclaimPolicy(inactive_days)
    found = policy_problems(policy)
    if found:
        raise ReclaimPolicyError(found)
    return policy


@dataclass(frozen=True, slots=True)
class ReclaimableSeat:
    holder: SeatHolder
    reason: ReclaimReason
    days_without_activity: int | None  # None: never signed in

    @property
    def last_seen(self) -> datetime | None:
        return self.holder.last_seen


def reclaim_reason(
    holder: SeatHolder, policy: ReclaimPolicy, today: date
) -> tuple[ReclaimReason, int | None] | None:
    """Why `holder`'s seat is reclaimable on `today`, with the days since anyone saw them, or
    None when it is not."""
    if holder.archived:
        # Archived users hold an Archived User licence the customer chose to keep their data.
        return None
    seen = holder.last_seen
    idle = None if seen is None else (today - seen.date()).days
    if holder.suspended:
        return ReclaimReason.SUSPENDED, idle  # billed in full, whatever they did before
    # Activity is known only up to the Reports date: someone who signed in (by SSO, say) in the
    # days it has not reported yet must not be flagged, so days are counted up to that date.
    known_until = min(today, holder.activity_as_of) if holder.activity_as_of else today
    if seen is None:
        age = (known_until - holder.created_at.date()).days
        return (ReclaimReason.NEVER_SIGNED_IN, None) if age >= policy.inactive_days else None
    if (known_until - seen.date()).days >= policy.inactive_days:
        return ReclaimReason.INACTIVE, idle
    return None


def reclaimable_seats(
    holders: Iterable[SeatHolder], policy: ReclaimPolicy, today: date
) -> list[ReclaimableSeat]:
    """The reclaimable seats among `holders`, by SKU, reason (in precedence order), longest
    unseen first, then email: the order the Reclaim page lists them in."""
    found = []
    for holder in holders:
        reason = reclaim_reason(holder, policy, today)
        if reason is not None:
            found.append(ReclaimableSeat(holder, *reason))
    return sorted(found, key=_listing_order)


def _listing_order(seat: ReclaimableSeat) -> tuple[str, int, bool, int, str]:
    never_seen = seat.days_without_activity is None
    return (
        seat.holder.sku_id,
        list(ReclaimReason).index(seat.reason),
        not never_seen,  # never seen first: nobody has used the seat at all
        -(seat.days_without_activity or 0),
        seat.holder.email.lower(),
    )


class ActionKind(StrEnum):
    UNASSIGN = "UNASSIGN"  # licenseAssignments.delete, confirmed by an admin
    ADMIN_CONSOLE = "ADMIN_CONSOLE"  # only the customer's admin can do it, in the Admin console


@dataclass(frozen=True, slots=True)
class ReclaimAction:
    kind: ActionKind
    instruction: str
    link: str = ""  # the Admin console page to do it on; empty for UNASSIGN


def admin_console_link(holder: SeatHolder) -> str:
    """The user's page in the customer's Admin console (the path the console itself uses; the
    users list when the Directory gave no id)."""
    if not holder.user_id:
        return ADMIN_CONSOLE_USERS
    return f"{ADMIN_CONSOLE_USERS}/{quote(holder.user_id, safe='')}"


def auto_licensed(product_id: str) -> bool:
    """Whether Google assigns the product's licences automatically, as far as we can know
    without asking: the Workspace editions always are. An add-on may be auto-licensed for an
    organisational unit too; Google's 412 on the unassign says so, and the request fails with
    the Admin console's way instead (domain.unassign)."""
    return product_id == WORKSPACE_PRODUCT


def reclaim_action(product_id: str, auto_licensed: bool, holder: SeatHolder) -> ReclaimAction:
    """What may be done to reclaim `holder`'s seat. Google refuses to unassign an automatically
    assigned licence (412 "Auto License un-assignment is not allowed"), so those seats are the
    customer admin's to free in the Admin console; other licences can be unassigned."""
    if not auto_licensed:
        return ReclaimAction(
            ActionKind.UNASSIGN,
            f"Remove this licence from {holder.email} here: Licence Manager asks Google once, "
            "after you confirm. Their account and data are kept.",
        )
    if product_id == WORKSPACE_PRODUCT:
        instruction = (
            f"Google assigns this licence to every user automatically, so it is freed only by "
            f"deleting {holder.email} or archiving them (archiving needs an Archived User "
            "subscription) in the Admin console. Transfer their data first if it is needed."
        )
    else:
        instruction = (
            f"This licence is assigned automatically to {holder.email}'s organisational unit. "
            "In the Admin console, turn automatic licensing off for that unit or move the user, "
            "then remove the licence."
        )
    return ReclaimAction(ActionKind.ADMIN_CONSOLE, instruction, admin_console_link(holder))
