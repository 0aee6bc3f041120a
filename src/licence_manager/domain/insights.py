"""What the daily holder sync learnt about a customer's seats, per SKU: who holds them, how
many could be reclaimed and when, at the recent rate, they run out. One small record per
customer, so My Licences and the buying claim each read it with one document rather than one
per SKU or per user."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from licence_manager.domain.reclaim import ReclaimableSeat, ReclaimReason, SeatHolder

if TYPE_CHECKING:  # My Licences loads this with the api; the forecast maths only where made
    from licence_manager.domain.forecast import RunOutForecast


# The forecast is made daily through the last complete day: older than this, the sync stopped.
OUTLOOK_MAX_AGE_DAYS = 3


class HoldersStatus(StrEnum):
    OK = "OK"
    # The customer switched reseller access to its Admin APIs off (403 domainCannotUseApis or
    # forbidden): only the Reseller API's counts are known.
    NO_ACCESS = "NO_ACCESS"
    ERROR = "ERROR"  # the last sync of this customer's holders failed for another reason


@dataclass(frozen=True, slots=True)
class SkuInsight:
    product_id: str
    holders: int
    reclaimable: int
    suspended: int
    never_signed_in: int
    inactive: int


@dataclass(frozen=True, slots=True)
class LicenceInsights:
    customer_id: str
    synced_at: datetime
    holders_status: HoldersStatus
    holders_detail: str  # for operators; customers see generic words
    inactive_days: int  # the reclaim policy the counts were made with
    skus: Mapping[str, SkuInsight] = field(default_factory=dict)
    # SKU id → its run-out forecast, made the same day from the usage rollups (the Reseller
    # API's counts alone), so it is there whether or not the holders could be read.
    forecasts: Mapping[str, RunOutForecast] = field(default_factory=dict)

    def reclaimable(self, sku_id: str) -> int | None:
        """Seats of `sku_id` that can be reclaimed; None when the holders could not be read,
        so nothing may be concluded from them (a SKU with no holders listed has 0)."""
        if self.holders_status is not HoldersStatus.OK:
            return None
        found = self.skus.get(sku_id)
        return found.reclaimable if found else 0

    def outlook(self, sku_id: str, today: date, vacant_now: int | None = None) -> str | None:
        """The run-out forecast's sentence for an alert, when there is one worth stating: made
        from enough history, and recently (a forecast the daily sync stopped refreshing would
        speak of a past that has moved on), told with the licence's live vacant seats."""
        forecast = self.forecasts.get(sku_id)
        if forecast is None or not forecast.enough_history:
            return None
        if (today - forecast.as_of).days > OUTLOOK_MAX_AGE_DAYS:
            return None
        return forecast.words(vacant_now)


def sku_insight(
    product_id: str, holders: Iterable[SeatHolder], reclaimable: Iterable[ReclaimableSeat]
) -> SkuInsight:
    """The counts of one SKU from its holders and those of them reclaimable_seats found."""
    reasons = Counter(seat.reason for seat in reclaimable)
    return SkuInsight(
        product_id=product_id,
        holders=sum(1 for _ in holders),
        reclaimable=sum(reasons.values()),
        suspended=reasons[ReclaimReason.SUSPENDED],
        never_signed_in=reasons[ReclaimReason.NEVER_SIGNED_IN],
        inactive=reasons[ReclaimReason.INACTIVE],
    )
