"""Export of the officer's tip list (.xlsx or .csv) and of the statistics workbook.

The tip export is the inbox as the user filtered it, limited to what he may see, and never
carries anything that identifies the tipster: no name, phone, reply number or passphrase —
the rows are read with ``values()`` of the listed columns only, so those fields are not even
loaded. Every text cell goes through ``registry.exporting.safe_cell`` (formula injection).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from antq.core.dates import day_text, moment_text
from antq.core.jobs import job_create
from antq.core.models import Job
from antq.registry.exporting import XLSX_CONTENT_TYPE, header_sheet, safe_cell
from antq.tips import selectors
from antq.tips.models import Tip
from antq.tips.search import tip_search
from antq.tips.statistics import Breakdown, TipStats, percent
from antq.tips.status import Channel, Outcome, TipStatus, Urgency

__all__ = ["CSV_CONTENT_TYPE", "XLSX_CONTENT_TYPE"]

JOB_KIND_EXPORT = "tips_export"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
# The only fields an export reads. Adding an identity field here is a breach: the tests
# check the workbook and the query for it.
EXPORT_VALUES = (
    "code",
    "received_at",
    "channel",
    "category__name",
    "urgency",
    "ward__name",
    "place",
    "unit__name",
    "text",
    "status",
    "outcome",
    "deadline",
    "assignee__full_name",
    "assignee__username",
)
_WIDTHS = [13, 17, 16, 28, 12, 24, 30, 30, 60, 18, 28, 13, 24]


def export_headers() -> list[str]:
    return [
        _("Mã tin báo"),
        _("Ngày tiếp nhận"),
        _("Kênh tiếp nhận"),
        _("Loại tin báo"),
        _("Mức độ"),
        _("Xã, phường"),
        _("Địa điểm"),
        _("Đơn vị liên quan"),
        _("Nội dung"),
        _("Trạng thái"),
        _("Kết quả"),
        _("Hạn xác minh"),
        _("Cán bộ xử lý"),
    ]


def tips_for_export(user: Any, filters: selectors.TipFilters, q: str = "") -> QuerySet[Tip]:
    """The tips of the user's inbox as filtered (and searched with ``q``), in scope only."""
    qs = selectors.tip_list_for(user, filters)
    q = q.strip()
    return tip_search(qs, q) if q else qs


def _labels() -> dict[str, dict[str, str]]:
    return {
        "channel": {str(k): str(v) for k, v in Channel.choices},
        "urgency": {str(k): str(v) for k, v in Urgency.choices},
        "status": {str(k): str(v) for k, v in TipStatus.choices},
        "outcome": {str(k): str(v) for k, v in Outcome.choices if k},
    }


# Positions of the two dated columns of a row of ``_rows``.
RECEIVED, DEADLINE = 1, 11


def _rows(tips: QuerySet[Tip]) -> Iterator[list[Any]]:
    """Each tip as plain values, every text already made safe (``safe_cell``; the code is
    ours, letters and digits): the received time as a local naive datetime, the deadline as a
    date or ``None``.

    A million rows go through here: tuples instead of dicts, the time zone looked up once,
    and the names that recur on many rows (category, ward, unit, officer) made safe once."""
    labels = _labels()
    channel, urgency, status, outcome = (
        labels[k] for k in ("channel", "urgency", "status", "outcome")
    )
    zone = timezone.get_current_timezone()
    names: dict[str, str] = {}

    def name(value: str | None) -> str:
        if not value:
            return ""
        found = names.get(value)
        if found is None:
            found = names[value] = safe_cell(value)
        return found

    rows = tips.values_list(*EXPORT_VALUES).iterator(chunk_size=2000)
    for (
        code,
        received_at,
        channel_value,
        category,
        urgency_value,
        ward,
        place,
        unit,
        text,
        status_value,
        outcome_value,
        deadline,
        full_name,
        username,
    ) in rows:
        yield [
            code,
            received_at.astimezone(zone).replace(tzinfo=None, microsecond=0),
            channel.get(channel_value, channel_value),
            name(category),
            urgency.get(urgency_value, urgency_value),
            name(ward),
            safe_cell(place),
            name(unit),
            safe_cell(text),
            status.get(status_value, status_value),
            outcome.get(outcome_value, ""),
            deadline,
            name(full_name or username),
        ]


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell
    return safe_cell(value)


# Files are Vietnamese documents whatever the UI language (like the unit export).
@translation.override("vi")
def write_tips_xlsx(
    tips: QuerySet[Tip],
    out: IO[bytes],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 1000,
) -> int:
    """Stream ``tips`` into an .xlsx written to ``out``; returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = header_sheet(workbook, _("Tin báo"), export_headers(), _WIDTHS)
    count = 0
    for row in _rows(tips):
        row[RECEIVED] = _xlsx_cell(sheet, row[RECEIVED])
        row[DEADLINE] = _xlsx_cell(sheet, row[DEADLINE])
        sheet.append(row)
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    workbook.save(out)
    return count


@translation.override("vi")
def write_tips_csv(
    tips: QuerySet[Tip],
    out: IO[str],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 1000,
) -> int:
    """Write ``tips`` as CSV to a text stream opened with ``newline=""``. The caller writes
    the byte-order mark (``utf-8-sig``) so that Excel reads the file as UTF-8."""
    writer = csv.writer(out)
    writer.writerow(export_headers())
    count = 0
    for row in _rows(tips):
        row[RECEIVED] = moment_text(row[RECEIVED])
        row[DEADLINE] = day_text(row[DEADLINE]) if row[DEADLINE] else ""
        writer.writerow(row)
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    return count


def tips_export_bytes(tips: QuerySet[Tip], fmt: str) -> bytes:
    if fmt == "csv":
        text = io.StringIO(newline="")
        write_tips_csv(tips, text)
        return text.getvalue().encode("utf-8-sig")
    buffer = io.BytesIO()
    write_tips_xlsx(tips, buffer)
    return buffer.getvalue()


def content_type(fmt: str) -> str:
    return CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE


def export_filename(now: dt.datetime, fmt: str) -> str:
    return f"tin-bao-{now:%Y%m%d-%H%M}.{fmt}"


def filters_to_params(filters: selectors.TipFilters) -> dict[str, Any]:
    """JSON-safe form of the filters (a job's parameters)."""
    return {
        k: v.isoformat() if isinstance(v, dt.date) else v
        for k, v in dataclasses.asdict(filters).items()
    }


def filters_from_params(params: dict[str, Any]) -> selectors.TipFilters:
    values = dict(params)
    for name in ("date_from", "date_to"):
        if values.get(name):
            values[name] = dt.date.fromisoformat(values[name])
    return selectors.TipFilters(**values)


@transaction.atomic
def tips_export_queue(
    *, owner: Any, filters: selectors.TipFilters, q: str, fmt: str, total: int
) -> Job:
    """Leave a large export to the worker; the job page shows progress and the download."""
    from antq.tips.tasks import tips_export_task

    job = job_create(
        owner=owner,
        kind=JOB_KIND_EXPORT,
        params={"filters": filters_to_params(filters), "q": q, "format": fmt},
        total=total,
    )
    transaction.on_commit(lambda: tips_export_task.enqueue(job.pk))
    return job


# -- statistics ---------------------------------------------------------------------------


@translation.override("vi")
def statistics_xlsx_bytes(stats: TipStats) -> bytes:
    """The figures of ``stats``: a summary sheet, then one sheet per breakdown."""
    summary = [
        (_("Từ ngày"), stats.date_from),
        (_("Đến ngày"), stats.date_to),
        (_("Tổng số tin báo tiếp nhận"), stats.total),
        (_("Đang xử lý"), stats.open),
        (_("Đã kết thúc xử lý"), stats.closed),
        (_("Tin khẩn"), stats.urgent),
        (_("Đã kết thúc, có hạn xác minh"), stats.closed_with_deadline),
        (_("Kết thúc đúng hạn"), stats.closed_on_time),
        (
            _("Tỷ lệ kết thúc đúng hạn (%)"),
            percent(stats.closed_on_time, stats.closed_with_deadline),
        ),
        (_("Đang xử lý, đã quá hạn"), stats.overdue_open),
    ]
    return statistics_workbook(summary, stats.breakdowns(), stats.total, _("Số tin báo"))


def statistics_workbook(
    summary: list[tuple[str, Any]], breakdowns: list[Breakdown], total: int, count_label: str
) -> bytes:
    """A statistics page as a workbook: the summary sheet (label, value), then one sheet per
    breakdown with its rows, their share of ``total`` and the sum. Shared by the tips' and
    the cases' statistics; call it inside ``translation.override("vi")``."""
    workbook = Workbook(write_only=True)
    sheet = header_sheet(workbook, _("Tổng hợp"), [_("Chỉ tiêu"), _("Giá trị")], [56, 16])
    for label, value in summary:
        sheet.append([label, _xlsx_cell(sheet, value)])
    for breakdown in breakdowns:
        # Sheet titles: at most 31 characters, none of : \ / ? * [ ].
        sheet = header_sheet(
            workbook,
            str(breakdown.name)[:31],
            [str(breakdown.name), count_label, _("Tỷ lệ (%)")],
            [44, 14, 12],
        )
        for row in breakdown.rows:
            sheet.append([safe_cell(row.label), row.count, percent(row.count, total)])
        sheet.append([_("Cộng"), breakdown.total, percent(breakdown.total, total)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def statistics_filename(stats: TipStats) -> str:
    return f"thong-ke-tin-bao-{stats.date_from:%Y%m%d}-{stats.date_to:%Y%m%d}.xlsx"
