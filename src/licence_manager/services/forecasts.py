"""Run-out forecasts of a customer's licences, made once a day from the daily rollups.

Rollups exist only for days on which a licence changed, so a quiet licence costs one or two
reads: the rollups of the window and the one before it (the value the window starts from)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from licence_manager.domain.forecast import (
    WINDOW_DAYS,
    RunOutForecast,
    assigned_history,
    forecast_run_out,
)
from licence_manager.domain.model import Licence, PlanKind, plan_kind
from licence_manager.ports.reports import ReportStore

# The forecast reads 8 weeks; the day before them is where their first value comes from.
_READ_DAYS = WINDOW_DAYS


def forecast_licence(reports: ReportStore, licence: Licence, through: date) -> RunOutForecast:
    """The forecast of one licence from its rollups up to `through` (the last complete day)."""
    first = through - timedelta(days=_READ_DAYS - 1)
    rollups, _ = reports.rollups_between(licence.key, first, through)
    before, _ = reports.rollup_before(licence.key, first)
    history = assigned_history([*([before] if before else []), *rollups], through)
    return forecast_run_out(history, licence.usage.total)


def forecast_licences(
    reports: ReportStore, licences: Iterable[Licence], through: date
) -> dict[str, RunOutForecast]:
    """SKU id → forecast, for every licence with seats to run out of (a free plan has none)."""
    return {
        licence.key.sku_id: forecast_licence(reports, licence, through)
        for licence in licences
        if plan_kind(licence.usage.plan_name) is not PlanKind.FREE
    }
