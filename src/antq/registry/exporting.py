"""Export of units to .xlsx (the import columns + block and status, so it can be re-imported),
the import template, and the file of rejected rows.

Workbooks are written with openpyxl's write-only mode: rows stream to a temporary file, so
a large export uses little memory. Every text cell goes through :func:`safe_cell`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from antq.core.jobs import job_create
from antq.core.models import Job
from antq.core.phones import display_phone
from antq.registry.importing import (
    BLOCK_HEADER,
    COLUMNS,
    ERRORS_HEADER,
    PHONE_FIELDS,
    STATUS_COLUMN,
    header_key,
    ordered_headers,
)
from antq.registry.models import ImportBatch, Unit
from antq.registry.selectors import UnitFilters
from antq.registry.status import UnitKind

JOB_KIND_EXPORT = "units_export"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_HEADERS: tuple[str, ...] = (*(c.header for c in COLUMNS), BLOCK_HEADER, STATUS_COLUMN.header)
# Characters that make a spreadsheet treat a cell as a formula (or, for tab/CR, let a CSV
# produced from it shift cells), per OWASP "CSV injection".
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = {"name": 40, "kind": 28, "sector": 20, "address": 36, "ward": 24, "notes": 30}
_HEADER_FILL = PatternFill("solid", fgColor="F3D6D6")


def safe_cell(value: Any) -> Any:
    """A value safe to write in a spreadsheet cell that someone will open in Excel.

    Text starting with ``= + - @`` (or tab/CR) gets a leading apostrophe so it is shown, never
    evaluated (no ``=HYPERLINK(...)`` or DDE payload from a unit's name). Control characters
    that XML cannot hold are removed. Numbers, dates and ``None`` pass unchanged.
    """
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _header_cells(sheet: Any, headers: Iterable[str]) -> list[WriteOnlyCell]:
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe_cell(header))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    return cells


def header_sheet(workbook: Workbook, title: str, headers: list[str], widths: list[int]) -> Any:
    """A write-only sheet with a bold, frozen header row: the look of every ANTQ export."""
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_header_cells(sheet, headers))
    return sheet


def _column_widths() -> list[int]:
    return [*(_WIDTHS.get(c.field, 18) for c in COLUMNS), 22, 18]


def _export_value(unit: Unit, name: str) -> Any:
    """A unit field as the export writes it, and the import reads it back."""
    if name == "kind":
        return unit.get_kind_display()
    if name == "ward":
        return unit.ward.name
    if name == "code":
        return unit.code or ""
    if name in PHONE_FIELDS:
        return display_phone(getattr(unit, name))
    return getattr(unit, name)


def unit_row(unit: Unit) -> list[Any]:
    """One unit as a row of the export, in the order of ``EXPORT_HEADERS``."""
    values = [_export_value(unit, c.field) for c in COLUMNS]
    values += [unit.get_block_display(), unit.get_status_display()]
    return [safe_cell(v) for v in values]


# Files are Vietnamese documents whatever the UI language: an export made from the English UI
# reads like one made from the Vietnamese UI, and imports back anywhere.
@translation.override("vi")
def write_units_xlsx(
    units: QuerySet[Unit],
    out: IO[bytes],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 1000,
) -> int:
    """Stream ``units`` into an .xlsx written to ``out``; returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = header_sheet(workbook, _("Đơn vị"), list(EXPORT_HEADERS), _column_widths())
    count = 0
    for unit in units.select_related("ward").iterator(chunk_size=2000):
        sheet.append(unit_row(unit))
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    workbook.save(out)
    return count


def units_xlsx_bytes(units: QuerySet[Unit]) -> bytes:
    buffer = io.BytesIO()
    write_units_xlsx(units, buffer)
    return buffer.getvalue()


@transaction.atomic
def units_export_queue(*, owner: Any, filters: UnitFilters, total: int) -> Job:
    """Leave a large export to the worker; the job page shows progress and the download."""
    from antq.registry.tasks import units_export_task

    job = job_create(
        owner=owner,
        kind=JOB_KIND_EXPORT,
        params={"filters": dataclasses.asdict(filters)},
        total=total,
    )
    transaction.on_commit(lambda: units_export_task.enqueue(job.pk))
    return job


def export_filename(now: dt.datetime) -> str:
    return f"don-vi-{now:%Y%m%d-%H%M}.xlsx"


@translation.override("vi")
def import_template_bytes() -> bytes:
    """The template: the columns with one example row, and a sheet that explains them."""
    workbook = Workbook(write_only=True)
    sheet = header_sheet(workbook, _("Đơn vị"), [c.header for c in COLUMNS], _column_widths()[:-2])
    example = [
        "Công ty TNHH Thương mại Ví Dụ",
        str(UnitKind.PRIVATE_ENTERPRISE.label),
        "Thương mại, dịch vụ",
        "0100000001",
        "12 phố Hàng Bài",
        "Phường Hoàn Kiếm",
        45,
        "024 3825 1234",
        "lienhe@vidu.com.vn",
        "Nguyễn Văn An",
        "0912 345 678",
        "Trần Thị Bình",
        "Giám đốc",
        "Dòng ví dụ — hãy xoá trước khi nhập",
    ]
    sheet.append([safe_cell(v) for v in example])

    headers = [_("Cột"), _("Bắt buộc"), _("Ghi chú")]
    guide = header_sheet(workbook, _("Hướng dẫn"), headers, [28, 10, 70])
    for column in (*COLUMNS, STATUS_COLUMN):
        guide.append(
            [column.header, _("Có") if column.required else "", safe_cell(str(column.help))]
        )
    guide.append([])
    guide.append(_header_cells(guide, [_("Loại hình (ghi đúng một trong các tên sau)")]))
    for kind in UnitKind:
        guide.append([str(kind.label)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@translation.override("vi")
def rejected_rows_bytes(batch: ImportBatch) -> bytes:
    """The rows of ``batch`` that have errors: their original columns and a "Lỗi" column."""
    rows = list(batch.rows.filter(valid=False).order_by("line").values_list("raw", "errors"))
    # The errors of an earlier round (a re-uploaded rejected file) give way to today's.
    headers = [
        h
        for h in ordered_headers([raw for raw, _errors in rows])
        if header_key(h) != header_key(ERRORS_HEADER)
    ]
    workbook = Workbook(write_only=True)
    widths = [18] * len(headers) + [60]
    sheet = header_sheet(workbook, _("Dòng lỗi"), [*headers, ERRORS_HEADER], widths)
    for raw, errors in rows:
        sheet.append([safe_cell(raw.get(h, "")) for h in headers] + [safe_cell(" ".join(errors))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
