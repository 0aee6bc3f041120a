"""The daily forecast of a customer's licences from stored rollups, and its stored form."""

from datetime import UTC, date, datetime, timedelta

import pytest

from licence_manager.adapters.forecast_codec import forecast_from_doc, forecast_to_doc
from licence_manager.adapters.insights_codec import insights_from_doc, insights_to_doc
from licence_manager.domain.daily import roll
from licence_manager.domain.forecast import MIN_HISTORY_DAYS, WINDOW_DAYS
from licence_manager.domain.insights import HoldersStatus, LicenceInsights
from licence_manager.domain.model import Licence, LicenceKey, Usage
from licence_manager.services.forecasts import forecast_licences
from tests.builders import subscription
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.memory_reports import InMemoryReports

THROUGH = date(2026, 11, 30)
KEY = LicenceKey("C01", "1010020028")


def usage(assigned: int, total: int = 100, plan: str = "FLEXIBLE") -> Usage:
    return Usage.of(subscription(assigned=assigned, total=total, plan=plan))


def licence(key: LicenceKey = KEY, total: int = 100, plan: str = "FLEXIBLE") -> Licence:
    return Licence(
        key, "acme.example", usage(60, total, plan), "UTC", datetime(2026, 12, 1, tzinfo=UTC)
    )


def reports_with(assigned_by_day: dict[date, int], key: LicenceKey = KEY) -> InMemoryReports:
    """Rollups of one change a day at noon, as the sync writes them on days something changed."""
    store = InMemoryStore()
    for day, assigned in assigned_by_day.items():
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        store.days[(key, day.isoformat())] = roll(
            None, key, "UTC", at, usage(assigned - 1), usage(assigned)
        )
    return InMemoryReports(store)


def test_one_more_user_a_day_runs_out_when_the_seats_do() -> None:
    days = {THROUGH - timedelta(days=n): 80 - n for n in range(70)}
    forecast = forecast_licences(reports_with(days), [licence()], THROUGH)["1010020028"]
    assert forecast.enough_history and forecast.as_of == THROUGH
    assert forecast.daily_trend == pytest.approx(1.0, abs=0.05)
    assert forecast.runs_out_on is not None
    assert abs((forecast.runs_out_on - THROUGH).days - 20) <= 1


def test_a_quiet_licence_reads_its_history_from_the_rollup_before_the_window() -> None:
    # One change 200 days ago and none since: the window starts from that rollup's value.
    reports = reports_with({THROUGH - timedelta(days=200): 50})
    forecast = forecast_licences(reports, [licence()], THROUGH)["1010020028"]
    assert forecast.enough_history and forecast.history_days > WINDOW_DAYS
    assert forecast.runs_out_on is None and forecast.daily_trend == 0


def test_a_new_licence_says_not_enough_history() -> None:
    reports = reports_with({THROUGH - timedelta(days=10): 5})
    forecast = forecast_licences(reports, [licence()], THROUGH)["1010020028"]
    assert not forecast.enough_history
    assert (
        forecast.words()
        == f"Not enough history yet (11 of {MIN_HISTORY_DAYS} days) for a run-out forecast"
    )


def test_free_plans_get_no_forecast() -> None:
    free = licence(LicenceKey("C01", "free-sku"), plan="FREE")
    assert forecast_licences(reports_with({}), [free], THROUGH) == {}


def test_the_stored_forecast_reads_back_to_hundredths_of_a_seat() -> None:
    days = {THROUGH - timedelta(days=n): 80 - n // 2 for n in range(70)}
    forecast = forecast_licences(reports_with(days), [licence()], THROUGH)["1010020028"]
    back = forecast_from_doc(forecast_to_doc(forecast))
    assert (back.as_of, back.runs_out_on, back.may_run_out_on) == (
        forecast.as_of,
        forecast.runs_out_on,
        forecast.may_run_out_on,
    )
    assert back.seats_needed_by_then == forecast.seats_needed_by_then
    assert back.words() == forecast.words()
    assert [p.day for p in back.points] == [p.day for p in forecast.points]
    for mine, theirs in zip(back.points, forecast.points, strict=True):
        assert mine.expected == pytest.approx(theirs.expected, abs=0.005)
        assert mine.high == pytest.approx(theirs.high, abs=0.005)


def test_forecasts_travel_in_the_insights_document_even_without_holders() -> None:
    days = {THROUGH - timedelta(days=n): 80 - n for n in range(70)}
    forecasts = forecast_licences(reports_with(days), [licence()], THROUGH)
    insights = LicenceInsights(
        "C01", datetime(2026, 12, 1, tzinfo=UTC), HoldersStatus.NO_ACCESS, "", 60, {}, forecasts
    )
    back = insights_from_doc(insights_to_doc(insights))
    assert back.reclaimable("1010020028") is None
    assert back.forecasts["1010020028"].runs_out_on == forecasts["1010020028"].runs_out_on
