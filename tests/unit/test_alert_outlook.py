"""The low-licence alert states the run-out forecast when the daily sync made one recently."""

from datetime import date, datetime, timedelta

from licence_manager.domain.automation import AutomationState, evaluate
from licence_manager.domain.emails import render
from licence_manager.domain.forecast import forecast_run_out
from licence_manager.domain.insights import (
    OUTLOOK_MAX_AGE_DAYS,
    HoldersStatus,
    LicenceInsights,
)
from licence_manager.domain.model import GENESIS, Licence, Usage
from licence_manager.domain.settings import LicenceSettings
from tests.builders import T0, subscription

SKU = "1010020028"
TODAY = date(2026, 11, 20)


def insights(history_days: int, as_of: date = TODAY - timedelta(days=1)) -> LicenceInsights:
    first = as_of - timedelta(days=history_days - 1)
    history = [(first + timedelta(days=t), 40.0 + t * 0.5) for t in range(history_days)]
    forecast = forecast_run_out(history, seats_total=100)
    return LicenceInsights(
        "C01", datetime(2026, 11, 20), HoldersStatus.NO_ACCESS, "", 60, {}, {SKU: forecast}
    )


def test_a_recent_forecast_with_enough_history_is_stated() -> None:
    outlook = insights(60).outlook(SKU, TODAY)
    assert outlook is not None and outlook.startswith("At this rate vacant seats reach 0 around")


def test_an_alert_with_no_vacant_seats_left_does_not_say_they_will_reach_0() -> None:
    """The forecast is made daily; the alert comes when vacant seats already ran out since."""
    outlook = insights(60).outlook(SKU, TODAY, vacant_now=0)
    assert outlook is not None and outlook.startswith("No vacant seats now: at this rate")
    assert "reach 0" not in outlook
    still_vacant = insights(60).outlook(SKU, TODAY, vacant_now=3)
    assert still_vacant is not None and still_vacant.startswith("At this rate vacant seats")


def test_no_outlook_without_enough_history_a_recent_forecast_or_a_forecast() -> None:
    assert insights(20).outlook(SKU, TODAY) is None
    stale = TODAY - timedelta(days=OUTLOOK_MAX_AGE_DAYS + 1)
    assert insights(60, as_of=stale).outlook(SKU, TODAY) is None
    assert insights(60).outlook("another-sku", TODAY) is None


def test_the_low_licence_alert_email_states_the_outlook() -> None:
    sub = subscription(total=10, assigned=9, sku_id=SKU)
    licence = Licence(sub.key, sub.customer_domain, Usage.of(sub), "Europe/London", T0)
    alerts = LicenceSettings(low_licence_alert=True, alert_vacant_at_or_below=2)
    state = AutomationState(month="2026-11")
    words = "At this rate vacant seats reach 0 around 3 Dec 2026: 2 more seats needed by then"
    (alert,) = evaluate(licence, alerts, state, GENESIS, T0, outlook=words).new_notifications
    assert alert.facts["outlook"] == words
    assert words + "." in render(alert, "").text
    (plain,) = evaluate(licence, alerts, state, GENESIS, T0).new_notifications
    assert "outlook" not in plain.facts and "At this rate" not in render(plain, "").text
