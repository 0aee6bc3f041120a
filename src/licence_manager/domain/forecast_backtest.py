"""Backtest of the run-out forecast on simulated seat histories (issue 13).

Seats move as people join and leave: each day brings a Poisson number of assignments and of
removals, so a history is a random walk whose drift is the growth. On top of that the scenarios
add what real licences show: a weekly pattern (seats given on weekdays and taken back at the
weekend), a one-off step (a hiring wave, an acquisition, a team leaving), and plain noise. Each
series is forecast from many cut points and compared with what followed, 14 and 28 days on.
Everything is seeded: the same arguments give the same figures.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from licence_manager.domain.forecast import MIN_HISTORY_DAYS, forecast_run_out

SCENARIOS = ("flat", "growth", "weekly", "step", "noisy")
HORIZONS = (14, 28)
SERIES_DAYS = 182


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small daily means used here."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _walk(rng: random.Random, start: float, days: int, joins: float, leaves: float) -> list[float]:
    counts, count = [], start
    for _ in range(days):
        count = max(count + _poisson(rng, joins) - _poisson(rng, leaves), 0.0)
        counts.append(count)
    return counts


def simulate(scenario: str, rng: random.Random, days: int = SERIES_DAYS) -> list[float]:
    """Assigned seats per day (daily averages) of one simulated licence."""
    start = float(rng.randint(20, 400))
    churn = rng.uniform(0.1, 1.0)  # removals per day, matched by as many extra assignments
    growth = rng.uniform(0.2, 2.0)
    if scenario == "flat":
        return _walk(rng, start, days, churn, churn)
    if scenario == "growth":
        return _walk(rng, start, days, churn + growth, churn)
    if scenario == "weekly":
        base = _walk(rng, start, days, churn + growth / 2, churn)
        extra = float(rng.randint(3, 20))  # weekday-only seats, given Monday, taken Saturday
        first = rng.randrange(7)
        return [v + (extra if (first + t) % 7 < 5 else 0.0) for t, v in enumerate(base)]
    if scenario == "step":
        base = _walk(rng, start, days, churn + rng.choice((0.0, growth)), churn)
        size = rng.choice((-1, 1)) * float(rng.randint(10, 40))
        at = rng.randrange(days // 3, days)
        return [max(v + (size if t >= at else 0.0), 0.0) for t, v in enumerate(base)]
    if scenario == "noisy":
        base = _walk(rng, start, days, 3 * churn + growth, 3 * churn)
        return [max(v + rng.gauss(0.0, 3.0), 0.0) for v in base]
    raise ValueError(f"unknown scenario {scenario!r}")


@dataclass(frozen=True, slots=True)
class HorizonResult:
    horizon: int
    forecasts: int
    mae: float  # seats
    mape: float  # percent of the actual assigned seats
    naive_mae: float  # seats, forecasting "no change from the last day" (a yardstick)
    coverage: float  # share of actuals inside the 80% interval, 0..1


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    scenario: str
    series: int
    horizons: tuple[HorizonResult, ...]


@dataclass(frozen=True, slots=True)
class _Outcome:
    error: float  # forecast minus actual
    actual: float
    naive_error: float
    inside: bool


def _summary(horizon: int, outcomes: Sequence[_Outcome]) -> HorizonResult:
    return HorizonResult(
        horizon=horizon,
        forecasts=len(outcomes),
        mae=statistics.fmean(abs(o.error) for o in outcomes),
        mape=100 * statistics.fmean(abs(o.error) / max(o.actual, 1.0) for o in outcomes),
        naive_mae=statistics.fmean(abs(o.naive_error) for o in outcomes),
        coverage=sum(o.inside for o in outcomes) / len(outcomes),
    )


def backtest_scenario(
    scenario: str, series: int, seed: int = 13, step_days: int = 7
) -> ScenarioResult:
    """Forecast every series from every `step_days`-th day once it has 8 weeks of history."""
    rng = random.Random(f"{seed}:{scenario}")
    first = date(2026, 1, 5)
    outcomes: dict[int, list[_Outcome]] = {h: [] for h in HORIZONS}
    for _ in range(series):
        values = simulate(scenario, rng)
        history = [(first + timedelta(days=t), v) for t, v in enumerate(values)]
        for cut in range(2 * MIN_HISTORY_DAYS, len(values) - max(HORIZONS) + 1, step_days):
            forecast = forecast_run_out(history[:cut], seats_total=10**9, horizon_days=28)
            for h in HORIZONS:
                point, actual = forecast.points[h - 1], values[cut - 1 + h]
                inside = point.low <= actual <= point.high
                naive = values[cut - 1] - actual
                outcomes[h].append(_Outcome(point.expected - actual, actual, naive, inside))
    return ScenarioResult(scenario, series, tuple(_summary(h, outcomes[h]) for h in HORIZONS))


def backtest(
    series: int = 40, seed: int = 13, scenarios: Sequence[str] = SCENARIOS
) -> list[ScenarioResult]:
    return [backtest_scenario(s, series, seed) for s in scenarios]


def overall(results: Sequence[ScenarioResult], horizon: int) -> float:
    """Coverage at one horizon over every forecast of every scenario."""
    rows = [h for r in results for h in r.horizons if h.horizon == horizon]
    return sum(h.coverage * h.forecasts for h in rows) / sum(h.forecasts for h in rows)


def table(results: Sequence[ScenarioResult]) -> str:
    """The results as Markdown, one row per scenario and horizon."""
    lines = [
        "| Scenario | Horizon | Forecasts | MAE (seats) | MAE (% of assigned) "
        "| MAE of 'no change' (seats) | 80% interval coverage |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.extend(
            f"| {r.scenario} | {h.horizon} days | {h.forecasts} | {h.mae:.1f} | {h.mape:.1f}% "
            f"| {h.naive_mae:.1f} | {100 * h.coverage:.1f}% |"
            for h in r.horizons
        )
    for horizon in HORIZONS:
        lines.append(f"| all | {horizon} days | | | | | {100 * overall(results, horizon):.1f}% |")
    return "\n".join(lines)
