"""Figures of complaint and denunciation cases over a period, within what a user may see.

:func:`case_statistics` is the one selector behind the statistics page, its Excel export and
the annual report: whoever needs "how many cases, of what kind, resolved how fast" calls it
rather than counting again. Every figure is a database aggregate over the queryset it is
given (already scoped with ``scoping.cases_for``); no case is loaded into Python.

Definitions (the annual report quotes them):

- A case belongs to the period by the day its petition was received (``received_on``, both
  ends included). The counts and breakdowns are of those cases, whatever became of them.
- *Resolved* are the cases concluded (kết luận, quyết định giải quyết) within the period,
  whenever they were received. One was resolved *on time* when its resolution deadline was
  met on or before its due day; the share on time is taken over the resolved cases that
  have a resolution deadline with a day (a case with no rule in force has none).
- *Average days to resolve*: calendar days from receipt to conclusion, over the cases
  resolved in the period.
- *Overdue now*: cases of the period with a deadline still open whose day is before
  ``today``.
- Blocks: a case about a unit counts in the block of the unit's kind
  (``registry.status.KIND_BLOCK``); one without a unit was received by the police directly.
- Wards and units: the ``limit`` with most cases, then one row for the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import (
    Avg,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import TruncMonth
from django.utils import translation
from django.utils.translation import gettext as _

from antq.cases.models import Case, CaseDeadline
from antq.cases.selectors import NO_UNIT, no_unit_label
from antq.cases.status import FINAL_STATUSES, CaseKind, CaseStatus, Stage
from antq.registry.exporting import XLSX_CONTENT_TYPE
from antq.registry.models import AdministrativeArea
from antq.registry.status import KIND_BLOCK, Block
from antq.tips.exporting import statistics_workbook
from antq.tips.statistics import Breakdown, Row, chart_data, months_between, percent

__all__ = [
    "XLSX_CONTENT_TYPE",
    "Breakdown",
    "CaseStats",
    "Row",
    "case_statistics",
    "percent",
    "statistics_filename",
    "statistics_xlsx_bytes",
]

LIMIT = 10
OTHER = "other"


class DaysBetween(Func):
    """Calendar days from the date ``start`` to the date ``end``, computed by the database:
    ``end - start`` is a whole number of days on PostgreSQL, SQLite counts Julian days."""

    output_field = FloatField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra,
        )


@dataclass(frozen=True)
class CaseStats:
    start: dt.date
    end: dt.date
    today: dt.date
    total: int
    open: int
    closed: int
    resolved: int
    resolved_with_deadline: int
    resolved_on_time: int
    average_days: float | None
    overdue_now: int
    by_month: list[Row] = field(default_factory=list)
    by_kind: list[Row] = field(default_factory=list)
    by_status: list[Row] = field(default_factory=list)
    by_block: list[Row] = field(default_factory=list)
    by_ward: list[Row] = field(default_factory=list)
    by_unit: list[Row] = field(default_factory=list)

    @property
    def on_time_percent(self) -> float | None:
        """Resolved on time / resolved with a deadline, in %, one decimal; ``None`` when
        nothing was resolved with a deadline."""
        return percent(self.resolved_on_time, self.resolved_with_deadline)

    def breakdowns(self) -> list[Breakdown]:
        """The breakdowns in the order the page and the workbook show them."""
        return [
            Breakdown("month", _("Theo tháng nhận đơn"), _("Tháng"), self.by_month),
            Breakdown("kind", _("Theo loại vụ việc"), _("Loại vụ việc"), self.by_kind),
            Breakdown("status", _("Theo giai đoạn hiện nay"), _("Giai đoạn"), self.by_status),
            Breakdown("block", _("Theo khối của đơn vị"), _("Khối"), self.by_block),
            Breakdown("ward", _("Theo xã, phường"), _("Xã, phường"), self.by_ward),
            Breakdown("unit", _("Theo đơn vị"), _("Đơn vị"), self.by_unit),
        ]

    def chart_data(self) -> dict[str, Any]:
        """Plain JSON for the charts of the page (``json_script``)."""
        return chart_data(self.breakdowns(), _("Số vụ việc"))


def _counts(qs: QuerySet[Case], *fields: str) -> list[dict[str, Any]]:
    return list(qs.order_by().values(*fields).annotate(n=Count("id")))


def _sum_by(rows: list[dict[str, Any]], name: str) -> dict[Any, int]:
    totals: dict[Any, int] = {}
    for r in rows:
        totals[r[name]] = totals.get(r[name], 0) + r["n"]
    return totals


def _by_choice(counts: dict[Any, int], choices: list[tuple[str, Any]]) -> list[Row]:
    """Every choice in its declared order, zeros included."""
    return [Row(value, str(label), counts.get(value, 0)) for value, label in choices]


def _top(rows: list[Row], limit: int, other_label: str) -> list[Row]:
    """The ``limit`` largest rows, most first, then the rest summed in one row."""
    rows = sorted(rows, key=lambda r: (-r.count, r.label))
    rest = sum(r.count for r in rows[limit:])
    return [*rows[:limit], *([Row(OTHER, other_label, rest)] if rest else [])]


def _by_ward(counts: dict[int, int], limit: int) -> list[Row]:
    names = dict(AdministrativeArea.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    rows = [Row(str(pk), names.get(pk, "—"), n) for pk, n in counts.items()]
    return _top(rows, limit, _("Các xã, phường khác"))


def _by_unit(counts: list[dict[str, Any]], limit: int) -> list[Row]:
    rows = [Row(str(r["unit_id"]), r["unit__name"], r["n"]) for r in counts if r["unit_id"]]
    without = sum(r["n"] for r in counts if r["unit_id"] is None)
    top = _top(rows, limit, _("Các đơn vị khác"))
    return [*top, Row(NO_UNIT, no_unit_label(), without)] if without else top


def _by_block(counts: list[dict[str, Any]]) -> list[Row]:
    totals = {block: 0 for block in Block.values}
    without = 0
    for r in counts:
        if r["unit__kind"] is None:
            without += r["n"]
        else:
            totals[KIND_BLOCK.get(r["unit__kind"], Block.OTHER)] += r["n"]
    rows = [Row(b.value, str(b.label), totals[b.value]) for b in Block]
    return [*rows, Row(NO_UNIT, no_unit_label(), without)]


def _month(qs: QuerySet[Case]) -> Func:
    """The month of receipt: "2026-03" on SQLite (its own strftime: Django's TruncMonth calls
    back into Python for every row there), the first day of the month elsewhere."""
    if connections[qs.db].vendor == "sqlite":
        return Func(Value("%Y-%m"), F("received_on"), function="strftime", output_field=CharField())
    return TruncMonth("received_on")


def _by_month(qs: QuerySet[Case], start: dt.date, end: dt.date) -> list[Row]:
    counts: dict[dt.date, int] = {}
    for r in _counts(qs.annotate(month=_month(qs)), "month"):
        month = r["month"]
        if isinstance(month, str):
            month = dt.date.fromisoformat(f"{month}-01")
        elif isinstance(month, dt.datetime):
            month = month.date()
        counts[month] = counts.get(month, 0) + r["n"]
    return [Row(f"{m:%Y-%m}", f"{m:%m/%Y}", counts.get(m, 0)) for m in months_between(start, end)]


def case_statistics(
    qs: QuerySet[Case], *, start: dt.date, end: dt.date, today: dt.date, limit: int = LIMIT
) -> CaseStats:
    """The figures of the cases of ``qs`` (already scoped) for the period from ``start`` to
    ``end``, both included. See the module docstring for the definitions."""
    if start > end:
        raise ValueError("start is after end")
    qs = qs.order_by()
    received = qs.filter(received_on__gte=start, received_on__lte=end)
    # One pass gives the totals and three breakdowns (at most kinds × states × wards rows),
    # one more the units with their kind (the blocks): each pass reads the whole period.
    cells = _counts(received, "kind", "status", "ward_id")
    units = _counts(received, "unit_id", "unit__name", "unit__kind")
    by_status = _sum_by(cells, "status")
    total = sum(by_status.values())
    closed = sum(n for status, n in by_status.items() if status in FINAL_STATUSES)
    # Counted from the deadlines' side: the open overdue ones are few and indexed, where an
    # EXISTS for each case of the period would probe the index once per case.
    overdue_now = (
        CaseDeadline.objects.filter(
            met_on__isnull=True,
            due_on__isnull=False,
            due_on__lt=today,
            case__in=received.values("pk"),
        )
        .values("case_id")
        .distinct()
        .count()
    )
    resolution = CaseDeadline.objects.filter(
        case=OuterRef("pk"), stage=Stage.RESOLUTION, due_on__isnull=False, met_on__isnull=False
    )
    resolved = qs.filter(
        concluded_on__isnull=False, concluded_on__gte=start, concluded_on__lte=end
    ).aggregate(
        resolved=Count("id"),
        resolved_with_deadline=Count("id", filter=Q(Exists(resolution))),
        resolved_on_time=Count("id", filter=Q(Exists(resolution.filter(met_on__lte=F("due_on"))))),
        average_days=Avg(DaysBetween("received_on", "concluded_on")),
    )
    average = resolved.pop("average_days")
    return CaseStats(
        start=start,
        end=end,
        today=today,
        total=total,
        open=total - closed,
        closed=closed,
        overdue_now=overdue_now,
        **resolved,
        average_days=None if average is None else round(float(average), 1),
        by_month=_by_month(received, start, end),
        by_kind=_by_choice(_sum_by(cells, "kind"), CaseKind.choices),
        by_status=_by_choice(by_status, CaseStatus.choices),
        by_block=_by_block(units),
        by_ward=_by_ward(_sum_by(cells, "ward_id"), limit),
        by_unit=_by_unit(units, limit),
    )


# -- the workbook ------------------------------------------------------------------------------


@translation.override("vi")  # the workbook is a Vietnamese document whatever the UI language
def statistics_xlsx_bytes(stats: CaseStats) -> bytes:
    """The figures of ``stats``: a summary sheet, then one sheet per breakdown."""
    summary = [
        (_("Từ ngày"), stats.start),
        (_("Đến ngày"), stats.end),
        (_("Số vụ việc nhận đơn trong kỳ"), stats.total),
        (_("Đang giải quyết"), stats.open),
        (_("Đã kết thúc"), stats.closed),
        (_("Đã kết luận, quyết định giải quyết trong kỳ"), stats.resolved),
        (_("Đã giải quyết, có thời hạn giải quyết"), stats.resolved_with_deadline),
        (_("Giải quyết đúng hạn"), stats.resolved_on_time),
        (_("Tỷ lệ giải quyết đúng hạn (%)"), stats.on_time_percent),
        (_("Số ngày giải quyết trung bình (từ ngày nhận đơn)"), stats.average_days),
        (
            _("Vụ việc đang quá hạn (tính đến ngày %(day)s)") % {"day": f"{stats.today:%d/%m/%Y}"},
            stats.overdue_now,
        ),
    ]
    return statistics_workbook(summary, stats.breakdowns(), stats.total, _("Số vụ việc"))


def statistics_filename(stats: CaseStats) -> str:
    """``thong-ke-khieu-nai-to-cao-2026.xlsx`` for a year (or the current year so far),
    the two days of the period otherwise."""
    if (stats.start.month, stats.start.day) == (1, 1) and stats.end.year == stats.start.year:
        period = f"{stats.start.year}"
    else:
        period = f"{stats.start:%Y%m%d}-{stats.end:%Y%m%d}"
    return f"thong-ke-khieu-nai-to-cao-{period}.xlsx"
