"""Run-out forecast of one licence: when, at the recent rate, vacant seats reach 0 (issue 13).

The model is deliberately small, so a reseller can check it by hand:
- trend: the median of week-over-week changes over the last 8 weeks, divided by 7. Differences
  7 days apart cancel the weekly pattern, and the median ignores the few weeks a one-off step
  (a hiring wave, a migration) falls in;
- weekly pattern: per weekday, the median gap between a day and the 7-day average centred on it;
- level: the last 7 days with the pattern and the trend taken out, so a step shows up within
  days instead of being averaged over weeks;
- 80% interval: a band around that path whose width comes from how far the history wanders
  over 1 to 14 days (noise that comes and goes, and drift that stays, told apart by how the
  spread grows with the lag), plus the uncertainty of the level, the pattern and the trend,
  with Student's t for 8 weeks of evidence. There is no tuning constant: the backtest
  (`forecast_backtest`, figures in docs/performance.md) checks that simulated histories land
  near 80% coverage.

Below 28 days of history there is no forecast: a month is the least that shows a weekly pattern
four times over and a trend beyond the noise.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from licence_manager.domain.daily import DailyUsage, day_bounds
from licence_manager.domain.time_words import day_words

MIN_HISTORY_DAYS = 28
DEFAULT_HORIZON_DAYS = 90
# Older days describe a licence that has since moved on: 8 weeks is enough for 49 week-over-week
# changes (a steady median) and short enough to follow a change of pace within a month or two.
WINDOW_DAYS = 56
LEVEL_DAYS = 7
MAX_VARIOGRAM_LAG = 14
# Two-sided 80% (10% above, 10% below) of Student's t with 8 degrees of freedom, not the normal's
# 1.2816: the spread is itself estimated from 8 weeks, and is as unsure as 8 weekly samples.
T_80 = 1.3968

NOT_ENOUGH_HISTORY = "not enough history"


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    day: date
    expected: float  # assigned seats, daily average
    low: float  # 80% interval: 10% chance of fewer
    high: float  # 80% interval: 10% chance of more


@dataclass(frozen=True, slots=True)
class RunOutForecast:
    """What a licence's page and alerts say about running out; stored with the licence daily.

    `runs_out_on`: the first day the expected assigned seats reach the seats paid for (the
    ceiling on FLEXIBLE plans); None if not within the horizon.
    `seats_needed_by_then`: how many seats to add so that on `runs_out_on` even the upper end of
    the 80% interval fits (the high end minus the seats paid for, rounded up, at least 1).
    `may_run_out_on`: the first day the upper end reaches the seats paid for (the early edge)."""

    as_of: date  # last day of history used
    seats_total: int
    history_days: int
    horizon_days: int
    enough_history: bool
    reason: str  # "" when there is a forecast, else NOT_ENOUGH_HISTORY
    daily_trend: float  # seats per day
    weekly_offsets: tuple[float, ...]  # Monday first; seats above (below) the trend on that day
    points: tuple[ForecastPoint, ...]
    runs_out_on: date | None
    may_run_out_on: date | None
    seats_needed_by_then: int | None
    vacant_now: float

    def words(self, vacant_now: float | None = None) -> str:
        """The sentence for My Licences, Reports and the low-licence alert. `vacant_now`: the
        licence's live vacant seats when the caller knows them (an alert, hours after the
        forecast's day, may find them already gone)."""
        if not self.enough_history:
            return (
                f"Not enough history yet ({self.history_days} of {MIN_HISTORY_DAYS} days) "
                "for a run-out forecast"
            )
        if self.runs_out_on is None or self.seats_needed_by_then is None:
            return f"No run-out expected in the next {self.horizon_days} days"
        n = self.seats_needed_by_then
        more = f"{n} more {'seat' if n == 1 else 'seats'} needed"
        if (self.vacant_now if vacant_now is None else vacant_now) <= 0:
            return f"No vacant seats now: at this rate {more} by {day_words(self.runs_out_on)}"
        when = day_words(self.runs_out_on)
        return f"At this rate vacant seats reach 0 around {when}: {more} by then"


def daily_average(rollup: DailyUsage) -> float:
    """Time-weighted assigned seats over a complete day: the last value runs to midnight."""
    _, end = day_bounds(rollup.day, rollup.time_zone)
    tail = (end - rollup.last_change_at).total_seconds()
    covered = (end - rollup.covered_from).total_seconds()
    if covered <= 0:
        return float(rollup.last_assigned)
    return (rollup.assigned_seat_seconds + rollup.last_assigned * max(tail, 0.0)) / covered


def assigned_history(rollups: Iterable[DailyUsage], through: date) -> list[tuple[date, float]]:
    """Daily averages from the rollups up to `through` (the last complete day). A day without a
    rollup had no change, so it ran all day at the previous rollup's last value."""
    by_day = {r.day: r for r in rollups if r.day <= through}
    if not by_day:
        return []
    history: list[tuple[date, float]] = []
    day, last = min(by_day), 0.0
    while day <= through:
        rollup = by_day.get(day)
        if rollup is not None:
            history.append((day, daily_average(rollup)))
            last = float(rollup.last_assigned)
        else:
            history.append((day, last))
        day += timedelta(days=1)
    return history


def _contiguous(history: Sequence[tuple[date, float]]) -> tuple[date, list[float]]:
    """One value per day from the first to the last; a missing day repeats the day before."""
    by_day = dict(history)
    first, last = min(by_day), max(by_day)
    values: list[float] = []
    previous = by_day[first]
    for i in range((last - first).days + 1):
        previous = by_day.get(first + timedelta(days=i), previous)
        values.append(float(previous))
    return first, values


def _weekly_offsets(values: Sequence[float], first: date) -> tuple[float, ...]:
    """Median gap from the centred 7-day mean per weekday, shifted to sum to 0. A centred mean
    follows the trend and steps locally, so neither leaks into the pattern."""
    gaps: list[list[float]] = [[] for _ in range(7)]
    for t in range(3, len(values) - 3):
        centred = sum(values[t - 3 : t + 4]) / 7
        gaps[(first + timedelta(days=t)).weekday()].append(values[t] - centred)
    medians = [statistics.median(g) if g else 0.0 for g in gaps]
    mean = sum(medians) / 7
    return tuple(m - mean for m in medians)


def _variogram(values: Sequence[float], trend: float) -> tuple[float, float]:
    """(noise variance, drift variance per day) from the spread of k-day changes, k = 1..14.
    For noise around a level plus a random walk, E[(y[t+k] - y[t] - k*trend)^2] = 2*noise +
    k*drift: a straight line in k, fitted by least squares; negative parts are clamped to 0."""
    lags: list[float] = []
    spreads: list[float] = []
    for k in range(1, min(MAX_VARIOGRAM_LAG, len(values) - 7) + 1):
        diffs = [values[t] - values[t - k] - k * trend for t in range(k, len(values))]
        lags.append(float(k))
        # Taking out a trend fitted to the same days hides part of the drift: about k/n of it.
        spreads.append(sum(d * d for d in diffs) / len(diffs) / (1 - k / len(values)))
    mean_k, mean_v = statistics.fmean(lags), statistics.fmean(spreads)
    sxx = sum((k - mean_k) ** 2 for k in lags)
    slope = sum((k - mean_k) * (v - mean_v) for k, v in zip(lags, spreads, strict=True)) / sxx
    drift = max(slope, 0.0)
    noise = max((mean_v - drift * mean_k) / 2, 0.0)
    if drift == 0.0:
        noise = mean_v / 2
    return noise, drift


def forecast_run_out(
    history: Sequence[tuple[date, float]],
    seats_total: int,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> RunOutForecast:
    """Forecast assigned seats from one value per day (daily averages; gaps carry the day
    before) and find when they reach `seats_total`."""
    if not history:
        return _not_enough(date.min, seats_total, 0, horizon_days)
    first, values = _contiguous(history)
    as_of = first + timedelta(days=len(values) - 1)
    if len(values) < MIN_HISTORY_DAYS:
        return _not_enough(as_of, seats_total, len(values), horizon_days)

    window = values[-WINDOW_DAYS:]
    start = as_of - timedelta(days=len(window) - 1)
    trend = statistics.median(window[t] - window[t - 7] for t in range(7, len(window))) / 7
    offsets = _weekly_offsets(window, start)

    def offset(t: int) -> float:
        return offsets[(start + timedelta(days=t)).weekday()]

    last = len(window) - 1
    recent = range(last - LEVEL_DAYS + 1, last + 1)
    level = statistics.fmean(window[t] - offset(t) - trend * (t - last) for t in recent)

    noise, drift = _variogram([v - offset(t) for t, v in enumerate(window)], trend)
    changes = len(window) - 7
    # A median is pi/2 times as variable as a mean. Week-over-week changes share their drift
    # when they overlap, so only about changes/7 of them are independent in drift; their noise
    # is independent but for neighbours a week apart.
    trend_var = (math.pi / 2) * (2 * noise / changes + 7 * drift / max(changes / 7, 1.0)) / 49
    # The level is a 7-day mean: its noise averages out, but the drift in those days does not.
    level_var = noise / LEVEL_DAYS + drift * sum((i / LEVEL_DAYS) ** 2 for i in range(LEVEL_DAYS))

    # Each weekday's offset is a median of about window/7 gaps from a centred mean.
    offset_var = (math.pi / 2) * (noise + 2 * drift) / max(len(window) // 7, 1)

    points: list[ForecastPoint] = []
    for h in range(1, horizon_days + 1):
        expected = level + trend * h + offset(last + h)
        spread = math.sqrt(noise + h * drift + level_var + offset_var + h * h * trend_var)
        half = T_80 * spread
        day = as_of + timedelta(days=h)
        points.append(ForecastPoint(day, expected, max(expected - half, 0.0), expected + half))

    runs_out = next((p for p in points if p.expected >= seats_total), None)
    may_run_out = next((p for p in points if p.high >= seats_total), None)
    needed = None if runs_out is None else max(math.ceil(runs_out.high - seats_total - 1e-9), 1)
    return RunOutForecast(
        as_of=as_of,
        seats_total=seats_total,
        history_days=len(values),
        horizon_days=horizon_days,
        enough_history=True,
        reason="",
        daily_trend=trend,
        weekly_offsets=offsets,
        points=tuple(points),
        runs_out_on=None if runs_out is None else runs_out.day,
        may_run_out_on=None if may_run_out is None else may_run_out.day,
        seats_needed_by_then=needed,
        vacant_now=seats_total - values[-1],
    )


def _not_enough(as_of: date, seats_total: int, days: int, horizon_days: int) -> RunOutForecast:
    return RunOutForecast(
        as_of=as_of,
        seats_total=seats_total,
        history_days=days,
        horizon_days=horizon_days,
        enough_history=False,
        reason=NOT_ENOUGH_HISTORY,
        daily_trend=0.0,
        weekly_offsets=(0.0,) * 7,
        points=(),
        runs_out_on=None,
        may_run_out_on=None,
        seats_needed_by_then=None,
        vacant_now=0.0,
    )
