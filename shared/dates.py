"""Calendar arithmetic as the steering letter counts it (Europe/Oslo calendar dates)."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day clamped to the month's end.

    31 August + 6 months = 28 February (29 in a leap year).
    """
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def now_oslo() -> datetime:
    return datetime.now(OSLO)


def today_oslo() -> date:
    return now_oslo().date()
