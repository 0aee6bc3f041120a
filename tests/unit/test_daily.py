from datetime import UTC, date, datetime, timedelta

import pytest

from licence_manager.domain.daily import day_bounds, local_day, roll
from licence_manager.domain.model import LicenceKey, Usage
from tests.builders import subscription

KEY = LicenceKey("C01", "1010020028")
LONDON = "Europe/London"


def usage(assigned: int, total: int = 10) -> Usage:
    return Usage.of(subscription(assigned=assigned, total=total))


def test_local_day_uses_the_customer_time_zone() -> None:
    late_evening_utc = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 next day in London (BST)
    assert local_day(late_evening_utc, LONDON) == date(2026, 7, 2)
    assert local_day(late_evening_utc, "UTC") == date(2026, 7, 1)


def test_days_across_dst_changes_are_23_and_25_hours() -> None:
    spring_start, spring_end = day_bounds(date(2026, 3, 29), LONDON)
    autumn_start, autumn_end = day_bounds(date(2026, 10, 25), LONDON)
    assert spring_end - spring_start == timedelta(hours=23)
    assert autumn_end - autumn_start == timedelta(hours=25)


def test_first_change_of_a_day_opens_it_at_the_previous_values() -> None:
    at = datetime(2026, 1, 10, 6, 0, tzinfo=UTC)  # 06:00 in London in winter
    day = roll(None, KEY, LONDON, at, usage(4), usage(6))
    assert (day.day, day.open_assigned, day.last_assigned) == (date(2026, 1, 10), 4, 6)
    assert (day.min_assigned, day.max_assigned) == (4, 6)
    assert day.covered_from == datetime(2026, 1, 10, 0, 0, tzinfo=UTC)
    assert day.assigned_seat_seconds == 4 * 6 * 3600  # 4 seats for the six hours before
    assert day.utilisation_seconds == pytest.approx(0.4 * 6 * 3600)


def test_later_changes_accumulate_time_at_the_previous_value() -> None:
    day = roll(None, KEY, LONDON, datetime(2026, 1, 10, 6, 0, tzinfo=UTC), usage(4), usage(6))
    day = roll(day, KEY, LONDON, datetime(2026, 1, 10, 8, 0, tzinfo=UTC), usage(6), usage(3))
    assert day.assigned_seat_seconds == 4 * 6 * 3600 + 6 * 2 * 3600
    assert (day.min_assigned, day.max_assigned, day.last_assigned, day.changes) == (3, 6, 3, 2)


def test_a_new_licence_is_covered_only_from_when_it_was_seen() -> None:
    at = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    day = roll(None, KEY, LONDON, at, None, usage(5))
    assert day.covered_from == at
    assert day.assigned_seat_seconds == 0
    assert (day.open_assigned, day.min_assigned, day.max_assigned) == (5, 5, 5)


def test_a_change_on_a_new_day_starts_a_new_rollup() -> None:
    yesterday = roll(None, KEY, LONDON, datetime(2026, 1, 9, 12, tzinfo=UTC), usage(4), usage(5))
    today = roll(yesterday, KEY, LONDON, datetime(2026, 1, 10, 1, tzinfo=UTC), usage(5), usage(7))
    assert today.day == date(2026, 1, 10)
    assert today.open_assigned == 5
    assert today.assigned_seat_seconds == 5 * 3600
    assert today.doc_id == "C01_1010020028_2026-01-10"


def test_a_late_observation_never_runs_time_backwards() -> None:
    day = roll(None, KEY, LONDON, datetime(2026, 1, 10, 6, tzinfo=UTC), usage(4), usage(6))
    late = roll(day, KEY, LONDON, datetime(2026, 1, 10, 5, tzinfo=UTC), usage(6), usage(7))
    assert late.assigned_seat_seconds == day.assigned_seat_seconds
    assert late.last_change_at == day.last_change_at
