"""Calendar arithmetic as the steering letter counts it (Europe/Oslo calendar dates)."""

from __future__ import annotations

import calendar
import re
import threading
from datetime import date, datetime, timedelta
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


_MICROSECOND = timedelta(microseconds=1)
_event_clock = {"last": datetime.min.replace(tzinfo=OSLO)}
_event_clock_lock = threading.Lock()


def event_time() -> datetime:
    """Now in Oslo, and strictly later than the previous call in this process. Consumers order one aggregate's
    events by (time, id) (an older copy never overwrites a newer fact), so two events written in the same
    microsecond (a case created and settled in one import row, say) must not tie: a tie would be broken by the
    random id, and a settlement could count as older than the registration it follows."""
    with _event_clock_lock:
        now = max(datetime.now(OSLO), _event_clock["last"] + _MICROSECOND)
        _event_clock["last"] = now
        return now


def today_oslo() -> date:
    return now_oslo().date()


FIRST_YEAR, LAST_YEAR = 1900, 2100
PERIOD = re.compile(r"(?P<year>[0-9]{4})(?:-H(?P<half>[12])|-(?P<month>0[1-9]|1[0-2]))?")


class InvalidPeriod(ValueError):
    """A period that is not ÅÅÅÅ, ÅÅÅÅ-H1/H2 or ÅÅÅÅ-MM with a year from 1900 to 2100 (answered with 422)."""

    def __init__(self) -> None:
        super().__init__(f"Perioden må være ÅÅÅÅ, ÅÅÅÅ-H1, ÅÅÅÅ-H2 eller ÅÅÅÅ-MM, med år fra {FIRST_YEAR} "
                         f"til {LAST_YEAR}.")


def period_range(period: str) -> tuple[date, date]:
    """First and last day of a period written ÅÅÅÅ, ÅÅÅÅ-H1/H2 or ÅÅÅÅ-MM; :class:`InvalidPeriod` otherwise."""
    match = PERIOD.fullmatch(period)
    if match is None or not FIRST_YEAR <= int(match["year"]) <= LAST_YEAR:
        raise InvalidPeriod()
    year = int(match["year"])
    if match["half"]:
        return (date(year, 1, 1), date(year, 6, 30)) if match["half"] == "1" else (date(year, 7, 1), date(year, 12, 31))
    if match["month"]:
        month = int(match["month"])
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


def age_on(day: date, birth_date: date | None, birth_year: int | None) -> int | None:
    """Age in whole years on ``day``; with only a birth year, the age the person turns that year."""
    if birth_date is not None:
        return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
    if birth_year is not None:
        return day.year - birth_year
    return None
