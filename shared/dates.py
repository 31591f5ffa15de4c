"""Calendar arithmetic as the steering letter counts it (Europe/Oslo calendar dates)."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


@lru_cache(maxsize=65536)
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


def period_range(period: str) -> tuple[date, date]:
    """First and last day of a period written ÅÅÅÅ, ÅÅÅÅ-H1/H2 or ÅÅÅÅ-MM."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    if period[5] == "H":
        return (date(year, 1, 1), date(year, 6, 30)) if period[6] == "1" else (date(year, 7, 1), date(year, 12, 31))
    month = int(period[5:7])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def age_on(day: date, birth_date: date | None, birth_year: int | None) -> int | None:
    """Age in whole years on ``day``; with only a birth year, the age the person turns that year."""
    if birth_date is not None:
        return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
    if birth_year is not None:
        return day.year - birth_year
    return None
