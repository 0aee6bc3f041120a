"""What lies ahead for a licence, as the dashboard shows it (issue 13): the run-out forecast the
holder sync stored, and for an annual plan the renewal plan (domain.renewal). Read-only: both
are made from what My Licences and Reports already read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from licence_manager.domain.forecast import RunOutForecast
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import Licence
from licence_manager.domain.prices import PriceLookup
from licence_manager.domain.renewal import (
    auto_renew_warning,
    recommend_renewal,
    renewal_date,
    renewal_label,
)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def forecast_json(
    forecast: RunOutForecast | None, vacant_now: int, *, points: bool = False
) -> dict[str, Any] | None:
    """A stored forecast, told with the licence's live vacant seats (it was made from the day
    before); null when there is none. `points` adds the path and its 80% band (Reports draws
    them), which My Licences does not need."""
    if forecast is None:
        return None
    body: dict[str, Any] = {
        "enoughHistory": forecast.enough_history,
        "words": forecast.words(vacant_now),
        # The last day of history used; date.min when there was none at all.
        "asOf": None if forecast.history_days == 0 else forecast.as_of.isoformat(),
        "runsOutOn": _day(forecast.runs_out_on),
        "mayRunOutOn": _day(forecast.may_run_out_on),
        "seatsNeededByThen": forecast.seats_needed_by_then,
        "historyDays": forecast.history_days,
    }
    if points:
        body["seatsTotal"] = forecast.seats_total
        body["horizonDays"] = forecast.horizon_days
        body["points"] = [
            {
                "day": p.day.isoformat(),
                "expected": round(p.expected, 2),
                "low": round(p.low, 2),
                "high": round(p.high, 2),
            }
            for p in forecast.points
        ]
    return body


def row_forecast(insights: LicenceInsights | None, sku_id: str) -> RunOutForecast | None:
    """The SKU's forecast: stored whether or not the holders could be read (it comes from the
    usage rollups), so a NO_ACCESS customer still has one."""
    return None if insights is None else insights.forecasts.get(sku_id)


def renewal_json(
    licence: Licence,
    insights: LicenceInsights | None,
    price_of: PriceLookup,
    now: datetime,
) -> dict[str, Any] | None:
    """The renewal plan of an annual licence with a known term end; null for any other."""
    when = renewal_date(licence, now)
    if when is None:
        return None
    usage, sku_id = licence.usage, licence.key.sku_id
    reclaimable = None if insights is None else insights.reclaimable(sku_id)
    recommendation = recommend_renewal(
        usage.assigned, reclaimable, row_forecast(insights, sku_id), when.renews_on
    )
    price = price_of(sku_id, usage.plan_name)
    warning = auto_renew_warning(
        usage.renewal_type,
        usage.total,  # numberOfSeats: what an annual plan is committed to
        recommendation,
        price.per_seat_monthly_minor if price else None,
        price.currency if price else None,
    )
    return {
        "renewalType": usage.renewal_type or None,
        "label": renewal_label(usage.renewal_type),
        "renewsOn": when.renews_on.isoformat(),
        "daysLeft": when.days_left,
        "recommendation": {"seats": recommendation.seats, "words": recommendation.words()},
        "warning": None
        if warning is None
        else {
            "unusedSeats": warning.unused,
            "yearlyCostMinor": warning.yearly_cost_minor,
            "currency": warning.currency,
            "words": warning.words(),
        },
    }
