import random
from datetime import UTC, date, datetime, timedelta

import pytest

from licence_manager.domain.daily import roll
from licence_manager.domain.forecast import (
    MIN_HISTORY_DAYS,
    NOT_ENOUGH_HISTORY,
    assigned_history,
    forecast_run_out,
)
from licence_manager.domain.forecast_backtest import backtest, overall
from licence_manager.domain.model import LicenceKey, Usage
from licence_manager.domain.time_words import day_words
from tests.builders import subscription

MONDAY = date(2026, 9, 7)


def series(values: list[float], first: date = MONDAY) -> list[tuple[date, float]]:
    return [(first + timedelta(days=t), v) for t, v in enumerate(values)]


def test_flat_history_never_runs_out() -> None:
    forecast = forecast_run_out(series([80.0] * 60), seats_total=100)
    assert forecast.enough_history and forecast.reason == ""
    assert forecast.daily_trend == 0
    assert len(forecast.points) == 90
    assert all(p.low == p.expected == p.high == pytest.approx(80) for p in forecast.points)
    assert forecast.runs_out_on is None and forecast.seats_needed_by_then is None
    assert forecast.words() == "No run-out expected in the next 90 days"


def test_one_seat_a_day_from_80_of_100_runs_out_in_20_days() -> None:
    forecast = forecast_run_out(series([21.0 + t for t in range(60)]), seats_total=100)
    assert forecast.as_of == MONDAY + timedelta(days=59)
    assert forecast.daily_trend == pytest.approx(1.0)
    assert forecast.vacant_now == 20
    assert forecast.runs_out_on == forecast.as_of + timedelta(days=20)
    assert forecast.seats_needed_by_then == 1  # a perfect line leaves no doubt to cover
    assert forecast.words() == (
        f"At this rate vacant seats reach 0 around {day_words(forecast.runs_out_on)}: "
        "1 more seat needed by then"
    )


def test_noisy_growth_runs_out_near_the_trend_and_asks_for_the_upper_end() -> None:
    rng = random.Random(4)
    values = [21.0 + t + rng.gauss(0, 2) for t in range(60)]
    forecast = forecast_run_out(series(values), seats_total=100)
    assert forecast.daily_trend == pytest.approx(1.0, abs=0.25)
    assert forecast.runs_out_on is not None and forecast.may_run_out_on is not None
    assert abs((forecast.runs_out_on - forecast.as_of).days - 20) <= 4
    assert forecast.may_run_out_on <= forecast.runs_out_on
    assert forecast.seats_needed_by_then is not None and forecast.seats_needed_by_then >= 2
    assert "more seats needed by then" in forecast.words()


def test_interval_widens_with_the_horizon_and_stays_above_zero() -> None:
    rng = random.Random(5)
    values = [5.0 + rng.gauss(0, 2) for _ in range(60)]
    points = forecast_run_out(series(values), seats_total=100).points
    assert all(0 <= p.low <= p.expected <= p.high for p in points)
    widths = [p.high - p.expected for p in points]
    assert widths[-1] > widths[0]


def test_shrinking_licence_does_not_run_out() -> None:
    forecast = forecast_run_out(series([150.0 - t for t in range(60)]), seats_total=100)
    assert forecast.daily_trend == pytest.approx(-1.0)
    assert forecast.runs_out_on is None


def test_weekly_pattern_is_captured() -> None:
    # 10 extra seats Monday to Friday, on top of half a seat a day of growth.
    values = [50.0 + 0.5 * t + (10.0 if t % 7 < 5 else 0.0) for t in range(63)]
    forecast = forecast_run_out(series(values), seats_total=1000)
    assert forecast.daily_trend == pytest.approx(0.5)
    weekday, weekend = forecast.weekly_offsets[:5], forecast.weekly_offsets[5:]
    assert min(weekday) - max(weekend) == pytest.approx(10, abs=0.5)
    assert sum(forecast.weekly_offsets) == pytest.approx(0)
    by_day = {p.day: p.expected for p in forecast.points}
    for p in forecast.points[:28]:
        assert p.expected == pytest.approx(
            50 + 0.5 * (p.day - MONDAY).days + (10 if p.day.weekday() < 5 else 0), abs=0.5
        )
    friday = next(d for d in by_day if d.weekday() == 4)
    assert by_day[friday] - by_day[friday + timedelta(days=1)] == pytest.approx(
        9.5, abs=0.5
    )  # -10 + 0.5


def test_weekday_peak_is_when_seats_run_out() -> None:
    values = [50.0 + 0.5 * t + (10.0 if t % 7 < 5 else 0.0) for t in range(63)]
    forecast = forecast_run_out(series(values), seats_total=100)
    assert forecast.runs_out_on is not None and forecast.runs_out_on.weekday() < 5


def test_below_28_days_says_not_enough_history() -> None:
    short = forecast_run_out(series([50.0 + t for t in range(MIN_HISTORY_DAYS - 1)]), 60)
    assert not short.enough_history and short.reason == NOT_ENOUGH_HISTORY
    assert short.points == () and short.runs_out_on is None
    assert short.words() == "Not enough history yet (27 of 28 days) for a run-out forecast"
    assert forecast_run_out([], 60).words().startswith("Not enough history yet (0 of 28 days)")
    enough = forecast_run_out(series([50.0 + t for t in range(MIN_HISTORY_DAYS)]), 100)
    assert enough.enough_history and enough.runs_out_on is not None


def test_step_change_moves_the_level_not_the_trend() -> None:
    # Flat at 50, then 20 people joined at once 10 days ago.
    values = [50.0] * 50 + [70.0] * 10
    forecast = forecast_run_out(series(values), seats_total=100)
    assert forecast.daily_trend == pytest.approx(0)
    assert forecast.points[0].expected == pytest.approx(70)
    assert forecast.points[-1].expected == pytest.approx(70)
    assert forecast.runs_out_on is None
    # The step widens the band: a series that jumps once may jump again.
    assert forecast.points[27].high - forecast.points[27].low > 2


def test_no_vacant_seats_now_says_so() -> None:
    forecast = forecast_run_out(series([41.0 + t for t in range(60)]), seats_total=100)
    assert forecast.vacant_now == 0
    assert forecast.runs_out_on == forecast.as_of + timedelta(days=1)
    assert forecast.words() == (
        f"No vacant seats now: at this rate 1 more seat needed by {day_words(forecast.runs_out_on)}"
    )


def test_missing_days_carry_the_day_before() -> None:
    days = series([21.0 + t for t in range(60)])
    gappy = [d for i, d in enumerate(days) if i % 3 != 1]  # a day without a rollup: no change
    forecast = forecast_run_out(gappy, seats_total=100)
    assert forecast.history_days == 60 and forecast.as_of == days[-1][0]
    assert forecast.daily_trend == pytest.approx(1.0, abs=0.2)


def test_day_words() -> None:
    assert day_words(date(2027, 1, 14)) == "14 Jan 2027"


def usage(assigned: int) -> Usage:
    return Usage.of(subscription(assigned=assigned, total=100))


def test_assigned_history_from_rollups_averages_each_day_and_fills_gaps() -> None:
    key, zone = LicenceKey("C01", "1010020028"), "UTC"
    first = roll(None, key, zone, datetime(2026, 1, 10, 12, 0, tzinfo=UTC), usage(4), usage(8))
    third = roll(None, key, zone, datetime(2026, 1, 12, 6, 0, tzinfo=UTC), usage(8), usage(12))
    history = assigned_history([third, first], through=date(2026, 1, 13))
    assert history == [
        (date(2026, 1, 10), pytest.approx(6.0)),  # 4 until noon, 8 after
        (date(2026, 1, 11), 8.0),  # no rollup: ran all day at the last value
        (date(2026, 1, 12), pytest.approx(11.0)),  # 8 for 6 hours, 12 for 18
        (date(2026, 1, 13), 12.0),
    ]
    assert assigned_history([first], through=date(2026, 1, 9)) == []


def test_small_backtest_covers_about_80_percent() -> None:
    results = backtest(series=6, seed=13)
    assert {r.scenario for r in results} == {"flat", "growth", "weekly", "step", "noisy"}
    for horizon in (14, 28):
        assert 0.72 <= overall(results, horizon) <= 0.88
    # Growth is what the trend is for: it must beat "no change" there by far.
    growth = next(r for r in results if r.scenario == "growth")
    assert all(h.mae < h.naive_mae / 2 for h in growth.horizons)
