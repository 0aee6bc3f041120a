"""Times and durations in words, as the dashboard's sentences use them: "every 5 minutes",
"45 minutes ago", "14:03" (today, in the customer's time zone) or "14:03 on 3 Dec"."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_words(day: date) -> str:
    """ "14 Jan 2027": a day nobody can misread, whatever their country's order."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def every_words(seconds: int) -> str:
    """ "every 5 minutes", "every minute", "every 90 seconds", "every 2 hours"."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"every {unit}" if n == 1 else f"every {n} {unit}s"
    return "every second" if seconds == 1 else f"every {seconds} seconds"


def ago_words(elapsed: timedelta) -> str:
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute ago"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours ago"
    return f"{hours // 24} days ago"


def clock_words(at: datetime, now: datetime, time_zone: str) -> str:
    """ "14:03" today (in the customer's time zone), "14:03 on 3 Dec" another day."""
    zone = ZoneInfo(time_zone)
    local, today = at.astimezone(zone), now.astimezone(zone).date()
    time = local.strftime("%H:%M")
    if local.date() == today:
        return time
    day = f"{local.day} {MONTHS[local.month - 1]}"
    if local.year != today.year:
        day += f" {local.year}"
    return f"{time} on {day}"
