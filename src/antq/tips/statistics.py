"""Figures of the hotline over a period, for whoever asks, within what he may see.

:func:`tip_statistics` is the one selector behind the statistics page, its Excel export and
(later) the annual report of the movement: whoever needs "how many tips, of what kind, handled
how" calls it rather than counting again. Every figure is a database aggregate over
``scoping.tips_for(user)``; no tip is ever loaded into Python, so it answers as fast on a
million tips as on a hundred (a handful of grouped queries, one per breakdown).

Definitions (the annual report quotes them):

- The period is a range of calendar days in the department's time zone (Asia/Ho_Chi_Minh,
  ``settings.TIME_ZONE``); a tip belongs to it by the day it was received.
- Every tip received counts in the totals and breakdowns, whatever became of it (spam and
  merged duplicates included, as the hotline received them).
- *Closed* is any closed status (``status.CLOSED_STATUSES``). A closed tip was handled *on
  time* when the day it was closed is on or before its verification deadline. The share on
  time is taken over closed tips that have a deadline (a tip received before any rule was in
  force has none, and cannot be late).
- *Overdue* counts the tips of the period still open today whose deadline has passed.
- Wards: the ``ward_limit`` wards with most tips, then one "Các xã, phường khác" row, then
  "Chưa xác định xã, phường" for tips without a ward.
- Blocks: a tip about a unit counts in the block of the unit's kind
  (``registry.status.KIND_BLOCK``); the others in "Không gắn đơn vị".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models import CharField, Count, DateField, F, Func, Q, QuerySet, Value
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from antq.accounts import scoping
from antq.registry.status import KIND_BLOCK, Block
from antq.tips.models import Tip, TipCategory
from antq.tips.status import CLOSED_STATUSES, OPEN_STATUSES, Channel, Outcome, TipStatus, Urgency

WARD_LIMIT = 10
# What the counts count: a column of the covering index ``tip_statistics`` that is never null.
# COUNT(id) would send PostgreSQL to the table for every row (its index does not hold the id;
# SQLite's holds the rowid anyway): 3 × slower.
ROWS = "received_at"
# Longest period the page and the selector accept: 5 years of monthly rows.
MAX_MONTHS = 60
OTHER = "other"
NONE = "none"


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: ``key`` is stable (a code, an id, "2025-03"), ``label`` is
    what a person reads."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Breakdown:
    """``title`` heads a table ("Theo loại tin báo"), ``name`` its first column and the
    sheet of the workbook ("Loại tin báo")."""

    key: str
    title: str
    name: str
    rows: list[Row]

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)


@dataclass(frozen=True)
class TipStats:
    date_from: dt.date
    date_to: dt.date
    total: int
    open: int
    closed: int
    urgent: int
    closed_with_deadline: int
    closed_on_time: int
    overdue_open: int
    by_channel: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)
    by_ward: list[Row] = field(default_factory=list)
    by_block: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)
    by_outcome: list[Row] = field(default_factory=list)
    by_status: list[Row] = field(default_factory=list)

    @property
    def on_time_share(self) -> float | None:
        """Closed on time / closed with a deadline, 0–1; ``None`` when nothing to measure."""
        if not self.closed_with_deadline:
            return None
        return self.closed_on_time / self.closed_with_deadline

    def breakdowns(self) -> list[Breakdown]:
        """The breakdowns in the order the page and the workbook show them."""
        return [
            Breakdown("month", _("Theo tháng"), _("Tháng"), self.by_month),
            Breakdown("channel", _("Theo kênh tiếp nhận"), _("Kênh tiếp nhận"), self.by_channel),
            Breakdown("category", _("Theo loại tin báo"), _("Loại tin báo"), self.by_category),
            Breakdown("ward", _("Theo xã, phường"), _("Xã, phường"), self.by_ward),
            Breakdown("block", _("Theo khối của đơn vị liên quan"), _("Khối"), self.by_block),
            Breakdown("outcome", _("Theo kết quả xử lý"), _("Kết quả xử lý"), self.by_outcome),
            Breakdown("status", _("Theo trạng thái"), _("Trạng thái"), self.by_status),
        ]

    def chart_data(self) -> dict[str, Any]:
        """Plain JSON for the charts of the page (``json_script``)."""
        return chart_data(self.breakdowns(), _("Số tin báo"))


def chart_data(breakdowns: list[Breakdown], label: str) -> dict[str, Any]:
    """The breakdowns as plain JSON for the charts of a statistics page (``tip-stats.js``)."""
    return {
        "breakdowns": [
            {
                "key": b.key,
                "title": str(b.title),
                "labels": [r.label for r in b.rows],
                "counts": [r.count for r in b.rows],
            }
            for b in breakdowns
        ],
        "label": label,
    }


def percent(count: int, total: int) -> float | None:
    """``count`` as a percentage of ``total``, one decimal; ``None`` when total is 0."""
    return round(count * 100 / total, 1) if total else None


def department_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=department_tz())


def months_between(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """First days of the months from ``date_from`` to ``date_to`` included."""
    months = []
    month = date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def period_tips(user: Any, date_from: dt.date, date_to: dt.date) -> QuerySet[Tip]:
    """The tips the user may see that were received within the period (days included)."""
    return scoping.tips_for(user).filter(
        received_at__gte=_midnight(date_from),
        received_at__lt=_midnight(date_to + dt.timedelta(days=1)),
    )


def _counts(qs: QuerySet[Tip], *fields: str) -> list[dict[str, Any]]:
    return list(qs.order_by().values(*fields).annotate(n=Count(ROWS)))


def _by_choice(qs: QuerySet[Tip], name: str, choices: list[tuple[str, Any]]) -> list[Row]:
    """Every choice, in its declared order, zeros included (an empty value is "none")."""
    counts = {r[name]: r["n"] for r in _counts(qs, name)}
    return [Row(value or NONE, str(label), counts.get(value, 0)) for value, label in choices]


def _by_category(qs: QuerySet[Tip]) -> list[Row]:
    counts = {r["category_id"]: r["n"] for r in _counts(qs, "category_id")}
    # Every category in use, and those that had tips even if retired since.
    categories = TipCategory.objects.filter(Q(is_active=True) | Q(pk__in=list(counts)))
    return [Row(str(c.pk), c.name, counts.get(c.pk, 0)) for c in categories]


def _by_ward(qs: QuerySet[Tip], limit: int) -> list[Row]:
    rows = sorted(
        _counts(qs, "ward_id", "ward__name"),
        key=lambda r: (-r["n"], r["ward__name"] or ""),
    )
    named = [r for r in rows if r["ward_id"] is not None]
    unknown = sum(r["n"] for r in rows if r["ward_id"] is None)
    result = [Row(str(r["ward_id"]), r["ward__name"], r["n"]) for r in named[:limit]]
    rest = sum(r["n"] for r in named[limit:])
    if rest:
        result.append(Row(OTHER, _("Các xã, phường khác"), rest))
    if unknown:
        result.append(Row(NONE, _("Chưa xác định xã, phường"), unknown))
    return result


def _by_block(qs: QuerySet[Tip]) -> list[Row]:
    totals = {block: 0 for block in Block.values}
    without_unit = 0
    for r in _counts(qs, "unit__kind"):
        if r["unit__kind"] is None:
            without_unit += r["n"]
        else:
            totals[KIND_BLOCK.get(r["unit__kind"], Block.OTHER)] += r["n"]
    rows = [Row(b.value, str(b.label), totals[b.value]) for b in Block]
    return [*rows, Row(NONE, _("Không gắn đơn vị"), without_unit)]


def _sqlite_shift(day: dt.date) -> str:
    """The SQLite date() modifier that turns a stored UTC time into department time
    (``'+25200 seconds'``).

    Django computes TruncDate and TruncMonth on SQLite with a Python function called for each
    row (1.3 µs a row, and the query then runs in Python's lock): over a year of a city's
    tips that is most of the time of the page. SQLite's own date() and strftime() take an
    offset instead. The offset is the department zone's on the first day of the period:
    Asia/Ho_Chi_Minh has kept +07:00 since 1975.
    """
    offset = _midnight(day).utcoffset() or dt.timedelta(0)
    return f"{int(offset.total_seconds()):+d} seconds"


def _local_day(qs: QuerySet[Tip], field: str, day: dt.date) -> Func:
    """The department-local calendar day of a datetime column, computed by the database."""
    if connections[qs.db].vendor == "sqlite":
        return Func(F(field), Value(_sqlite_shift(day)), function="date", output_field=DateField())
    return TruncDate(field, tzinfo=department_tz())


def _local_month(qs: QuerySet[Tip], field: str, day: dt.date) -> Func:
    """The department-local month of a datetime column: "2025-03" on SQLite (strftime), the
    first instant of the month elsewhere (TruncMonth)."""
    if connections[qs.db].vendor == "sqlite":
        return Func(
            Value("%Y-%m"),
            F(field),
            Value(_sqlite_shift(day)),
            function="strftime",
            output_field=CharField(),
        )
    return TruncMonth(field, tzinfo=department_tz())


def _by_month(qs: QuerySet[Tip], date_from: dt.date, date_to: dt.date) -> list[Row]:
    tz = department_tz()
    counts: dict[dt.date, int] = {}
    for r in _counts(qs.annotate(month=_local_month(qs, "received_at", date_from)), "month"):
        month = r["month"]
        if isinstance(month, str):
            month = dt.date.fromisoformat(f"{month}-01")
        elif isinstance(month, dt.datetime):
            month = month.astimezone(tz).date() if timezone.is_aware(month) else month.date()
        counts[month] = counts.get(month, 0) + r["n"]
    return [
        Row(f"{m:%Y-%m}", f"{m:%m/%Y}", counts.get(m, 0))
        for m in months_between(date_from, date_to)
    ]


def tip_statistics(
    user: Any, *, date_from: dt.date, date_to: dt.date, ward_limit: int = WARD_LIMIT
) -> TipStats:
    """The figures of the tips ``user`` may see, received from ``date_from`` to ``date_to``
    (both included, local days). See the module docstring for the definitions."""
    if date_from > date_to:
        raise ValueError("date_from is after date_to")
    qs = period_tips(user, date_from, date_to)
    closed = Q(status__in=CLOSED_STATUSES)
    with_deadline = closed & Q(deadline__isnull=False)
    totals = (
        qs.order_by()
        .alias(closed_day=_local_day(qs, "closed_at", date_from))
        .aggregate(
            total=Count(ROWS),
            open=Count(ROWS, filter=Q(status__in=OPEN_STATUSES)),
            closed=Count(ROWS, filter=closed),
            urgent=Count(ROWS, filter=Q(urgency=Urgency.URGENT)),
            closed_with_deadline=Count(ROWS, filter=with_deadline),
            closed_on_time=Count(ROWS, filter=with_deadline & Q(closed_day__lte=F("deadline"))),
            overdue_open=Count(
                ROWS,
                filter=Q(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate()),
            ),
        )
    )
    return TipStats(
        date_from=date_from,
        date_to=date_to,
        **totals,
        by_channel=_by_choice(qs, "channel", Channel.choices),
        by_category=_by_category(qs),
        by_ward=_by_ward(qs, ward_limit),
        by_block=_by_block(qs),
        by_month=_by_month(qs, date_from, date_to),
        by_outcome=_by_choice(qs, "outcome", Outcome.choices),
        by_status=_by_choice(qs, "status", TipStatus.choices),
    )
