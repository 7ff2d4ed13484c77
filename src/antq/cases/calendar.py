"""Vietnam's working-day calendar: weekends, public holidays (solar and lunar) and the days
the government swaps each year.

The fixed holidays, Tết Nguyên đán and Giỗ Tổ Hùng Vương (10/3 âm lịch) come from the
``holidays`` package, which converts the lunar dates and knows the substituted days off
(and the Saturdays worked in exchange). Rows of ``CalendarDay`` override it: an extra day
off announced by the government, or a weekend worked to make up for one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import holidays

SATURDAY = 5


@cache
def _official(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off, weekend days worked) of one year according to the holidays package."""
    vn = holidays.country_holidays("VN", years=year)
    off = frozenset(d for d in vn if d.year == year)
    worked = frozenset(d for d in getattr(vn, "weekend_workdays", ()) if d.year == year)
    return off, worked


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days. ``extra_off`` and ``extra_working`` are the overrides
    (``CalendarDay``); an override wins over the package and over the weekend."""

    extra_off: frozenset[dt.date] = field(default_factory=frozenset)
    extra_working: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working:
            return True
        if day in self.extra_off:
            return False
        off, worked = _official(day.year)
        if day in worked:
            return True
        return day.weekday() < SATURDAY and day not in off

    def holiday_name(self, day: dt.date) -> str:
        """The package's name of the holiday on ``day`` (English), or ""."""
        return holidays.country_holidays("VN", years=day.year).get(day, "") or ""

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day


def make_calendar(overrides: Iterable[tuple[dt.date, bool]] = ()) -> WorkCalendar:
    """A calendar from (day, is_working) overrides."""
    off: set[dt.date] = set()
    working: set[dt.date] = set()
    for day, is_working in overrides:
        (working if is_working else off).add(day)
    return WorkCalendar(frozenset(off), frozenset(working))
