"""One annual licence's renewal, put together from what is stored: when it renews, the seats to
renew at (assigned, less the reclaimable seats the holder sync counted, plus the growth its
forecast expects) and the warning when the renewal type re-commits more. What the reminder email
and the Renewal page both state, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import Licence
from licence_manager.domain.prices import PriceLookup
from licence_manager.domain.renewal import (
    AutoRenewWarning,
    RenewalDate,
    RenewalRecommendation,
    auto_renew_warning,
    recommend_renewal,
    renewal_date,
)


@dataclass(frozen=True, slots=True)
class RenewalPlan:
    when: RenewalDate
    recommendation: RenewalRecommendation
    warning: AutoRenewWarning | None


def renewal_plan(
    licence: Licence,
    insights: LicenceInsights | None,
    price_of: PriceLookup | None,
    now: datetime,
) -> RenewalPlan | None:
    """None for a licence that does not renew (not annual, or no known term end)."""
    when = renewal_date(licence, now)
    if when is None:
        return None
    sku_id, usage = licence.key.sku_id, licence.usage
    reclaimable = insights.reclaimable(sku_id) if insights is not None else None
    forecast = insights.forecasts.get(sku_id) if insights is not None else None
    recommendation = recommend_renewal(usage.assigned, reclaimable, forecast, when.renews_on)
    price = price_of(sku_id, usage.plan_name) if price_of is not None else None
    warning = auto_renew_warning(
        usage.renewal_type,
        usage.total,
        recommendation,
        price.per_seat_monthly_minor if price is not None else None,
        price.currency if price is not None else None,
    )
    return RenewalPlan(when, recommendation, warning)
