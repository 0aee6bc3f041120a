"""A RunOutForecast as a map inside its customer's licence_insights document, and back. The
path is stored as three lists of daily values (expected, low, high from the day after `asOf`),
rounded to hundredths of a seat: a 90-day forecast stays near 3 KB."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from licence_manager.domain.forecast import ForecastPoint, RunOutForecast


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def forecast_to_doc(forecast: RunOutForecast) -> dict[str, Any]:
    points = forecast.points
    return {
        "asOf": forecast.as_of.isoformat(),
        "seatsTotal": forecast.seats_total,
        "historyDays": forecast.history_days,
        "horizonDays": forecast.horizon_days,
        "enoughHistory": forecast.enough_history,
        "reason": forecast.reason,
        "dailyTrend": round(forecast.daily_trend, 4),
        "weeklyOffsets": [round(v, 2) for v in forecast.weekly_offsets],
        "expected": [round(p.expected, 2) for p in points],
        "low": [round(p.low, 2) for p in points],
        "high": [round(p.high, 2) for p in points],
        "runsOutOn": _day(forecast.runs_out_on),
        "mayRunOutOn": _day(forecast.may_run_out_on),
        "seatsNeededByThen": forecast.seats_needed_by_then,
        "vacantNow": round(forecast.vacant_now, 2),
        "words": forecast.words(),  # for exports and emails, as the dashboard shows it
    }


def forecast_from_doc(doc: dict[str, Any]) -> RunOutForecast:
    as_of = date.fromisoformat(doc["asOf"])
    points = tuple(
        ForecastPoint(as_of + timedelta(days=i + 1), expected, low, high)
        for i, (expected, low, high) in enumerate(
            zip(doc.get("expected", []), doc.get("low", []), doc.get("high", []), strict=True)
        )
    )
    return RunOutForecast(
        as_of=as_of,
        seats_total=doc["seatsTotal"],
        history_days=doc["historyDays"],
        horizon_days=doc["horizonDays"],
        enough_history=doc["enoughHistory"],
        reason=doc.get("reason", ""),
        daily_trend=doc.get("dailyTrend", 0.0),
        weekly_offsets=tuple(doc.get("weeklyOffsets", (0.0,) * 7)),
        points=points,
        runs_out_on=_parse_day(doc.get("runsOutOn")),
        may_run_out_on=_parse_day(doc.get("mayRunOutOn")),
        seats_needed_by_then=doc.get("seatsNeededByThen"),
        vacant_now=doc.get("vacantNow", 0.0),
    )
