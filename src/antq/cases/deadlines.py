"""The deadline engine: pure functions from a rule, a start date and the case's facts to the
day a stage must be done. The rule values are data (``DeadlineRule``); the counting is here.

Counting (Bộ luật Dân sự 2015 Điều 147–148): a period "within N days from" an event starts
the day after it; the deadline is the N-th counted day. Working days skip weekends, public
holidays and swapped days off (``calendar``); calendar days count every day, and when the
last one is a day off the period ends on the next working day (BLDS Điều 148 khoản 5).
Days inside a suspension (tạm đình chỉ, Luật Tố cáo Điều 34) are not counted: from the day
the suspension starts up to the day before it ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from antq.cases.calendar import WorkCalendar
from antq.cases.status import Complexity, DayCount

ONE_DAY = dt.timedelta(days=1)
# No stage of any law runs longer than this; a rule asking for more is refused on save.
MAX_DAYS = 366

Period = tuple[dt.date, dt.date | None]


class Rule(Protocol):
    kind: str
    stage: str
    private_enterprise: bool
    effective_from: dt.date
    day_count: str
    days: int
    complex_days: int | None
    remote_days: int | None
    remote_complex_days: int | None
    extension_days: int
    extensions_complex: int
    extensions_very_complex: int


R = TypeVar("R", bound=Rule)


def rule_for(
    rules: Iterable[R], *, kind: str, stage: str, on: dt.date, private_enterprise: bool = False
) -> R | None:
    """The rule in force on ``on`` for the kind and stage: the latest effective date wins.
    A private enterprise's complaint uses the labour rules when there are some."""
    in_force = [r for r in rules if r.kind == kind and r.stage == stage and r.effective_from <= on]
    for private in (True, False) if private_enterprise else (False,):
        candidates = [r for r in in_force if r.private_enterprise == private]
        if candidates:
            return max(candidates, key=lambda r: r.effective_from)
    return None


def max_extensions(rule: Rule, complexity: str) -> int:
    if complexity == Complexity.VERY_COMPLEX:
        return rule.extensions_very_complex
    if complexity == Complexity.COMPLEX:
        return rule.extensions_complex
    return 0


def days_for(rule: Rule, *, complexity: str, remote: bool, extensions: int = 0) -> int:
    """The length of the stage for this case (before suspensions are added)."""
    is_complex = complexity in (Complexity.COMPLEX, Complexity.VERY_COMPLEX)
    complex_days = rule.complex_days or rule.days
    if remote and is_complex:
        days = rule.remote_complex_days or complex_days
    elif remote:
        days = rule.remote_days or rule.days
    elif is_complex:
        days = complex_days
    else:
        days = rule.days
    allowed = max_extensions(rule, complexity)
    return days + min(extensions, allowed) * rule.extension_days


def _suspended(day: dt.date, periods: Sequence[Period]) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in periods)


def due_date(
    start: dt.date,
    days: int,
    day_count: str,
    calendar: WorkCalendar,
    suspensions: Sequence[Period] = (),
) -> dt.date | None:
    """The last day of a period of ``days`` counted from the day after ``start``; ``None``
    while a suspension opened before the period ran out is still open (the time stands
    still until it ends). A suspension opened after the deadline gives no time back."""
    if days <= 0 or days > MAX_DAYS:
        raise ValueError(f"a stage lasts 1 to {MAX_DAYS} days, not {days}")
    periods = [p for p in suspensions if p[1] is None or p[1] > start]
    working = day_count == DayCount.WORKING
    day = start
    counted = 0
    while counted < days:
        day += ONE_DAY
        if _suspended(day, periods):
            if any(end is None and begin <= day for begin, end in periods):
                return None  # suspended until further notice, before the period ran out
            continue
        if working and not calendar.is_working_day(day):
            continue
        counted += 1
    return day if working else calendar.next_working_day(day)


def add_working_days(start: dt.date, days: int, calendar: WorkCalendar) -> dt.date:
    """The ``days``-th working day after ``start`` (the reminder horizon)."""
    day = start
    counted = 0
    while counted < days:
        day += ONE_DAY
        if calendar.is_working_day(day):
            counted += 1
    return day
