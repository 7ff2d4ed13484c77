"""Verification deadlines of tips: pure functions over the rules table.

BLTTHS 2015 Điều 147 counts calendar days ("trong thời hạn 20 ngày"), so no working-day
calendar is needed here; the rule values themselves are data (``TipDeadlineRule``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypeVar


class Rule(Protocol):
    category_id: int | None
    effective_from: dt.date
    days: int
    complex_days: int


R = TypeVar("R", bound=Rule)


def rule_for(rules: Iterable[R], *, category_id: int, on: dt.date) -> R | None:
    """The rule in force on ``on``: the category's own rule if it has one in force, else the
    general rule (category ``None``); the latest effective date wins."""
    in_force = [r for r in rules if r.effective_from <= on]
    own = [r for r in in_force if r.category_id == category_id]
    general = [r for r in in_force if r.category_id is None]
    for candidates in (own, general):
        if candidates:
            return max(candidates, key=lambda r: r.effective_from)
    return None


def deadline_for(received: dt.date, rule: Rule, *, is_complex: bool) -> dt.date:
    return received + dt.timedelta(days=rule.complex_days if is_complex else rule.days)


def days_left(deadline: dt.date | None, today: dt.date) -> int | None:
    """Days until the deadline (negative when overdue); ``None`` without a deadline."""
    return None if deadline is None else (deadline - today).days
