"""Writing units to .xlsx (registry/exporting.py): formula neutralising, columns, round trip."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from antq.registry.exporting import (
    EXPORT_HEADERS,
    export_filename,
    rejected_rows_bytes,
    safe_cell,
    unit_row,
    units_xlsx_bytes,
    write_units_xlsx,
)
from antq.registry.importing import import_batch_confirm, import_batch_create
from antq.registry.models import Unit
from antq.registry.status import UnitKind, UnitStatus
from tests.factories import make_unit
from tests.registry.test_importing import HEADERS, read_sheet, xlsx_bytes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","Bấm")', '\'=HYPERLINK("http://x","Bấm")'),
        ("+84912345678", "'+84912345678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Bệnh viện = tốt", "Bệnh viện = tốt"),
        ("", ""),
        ("a\x00b\x1fc", "abc"),
        ("=\x07cmd", "'=cmd"),
        (42, 42),
        (-5, -5),
        (None, None),
    ],
)
def test_safe_cell_neutralises_formulas(value: Any, expected: Any) -> None:
    assert safe_cell(value) == expected


def test_a_unit_row_has_the_import_columns_then_block_and_status(cast) -> None:
    unit = make_unit(
        area=cast.ward_b,
        kind=UnitKind.SECONDARY_SCHOOL,
        name="Trường THCS Trưng Vương",
        code="0101112223",
        sector="Giáo dục",
        address="2 Hàng Bài",
        headcount=120,
        phone="+842438251234",
        email="thcs.tv@hanoi.edu.vn",
        security_contact_name="Phạm Văn Cường",
        security_contact_phone="+84912345678",
        head_name="Đỗ Thị Lan",
        head_title="Hiệu trưởng",
        notes="=1+1",
        status=UnitStatus.CLOSED,
    )
    assert list(EXPORT_HEADERS) == [*HEADERS, "Khối", "Trạng thái"]
    assert unit_row(unit) == [
        "Trường THCS Trưng Vương",
        "Trường trung học cơ sở",
        "Giáo dục",
        "0101112223",
        "2 Hàng Bài",
        "Phường Cửa Nam",
        120,
        "024 3825 1234",
        "thcs.tv@hanoi.edu.vn",
        "Phạm Văn Cường",
        "0912 345 678",
        "Đỗ Thị Lan",
        "Hiệu trưởng",
        "'=1+1",
        "Trường học, cơ sở giáo dục",
        "Đã giải thể, ngừng hoạt động",
    ]


def test_the_workbook_has_a_header_row_and_one_row_per_unit(cast) -> None:
    sheet = read_sheet(units_xlsx_bytes(Unit.objects.order_by("name_folded")))
    assert sheet[0] == list(EXPORT_HEADERS)
    assert [row[0] for row in sheet[1:]] == ["Bệnh viện Hữu Nghị Việt Đức", "Trường THPT Trần Phú"]


def test_writing_reports_progress(cast) -> None:
    for n in range(5):
        make_unit(name=f"Đơn vị {n}")
    seen: list[int] = []
    count = write_units_xlsx(Unit.objects.all(), io.BytesIO(), progress=seen.append, every=2)
    assert (count, seen) == (7, [2, 4, 6])


def test_the_file_name_carries_the_date_and_time() -> None:
    import datetime as dt

    assert export_filename(dt.datetime(2026, 3, 9, 8, 5)) == "don-vi-20260309-0805.xlsx"


def test_an_exported_file_imports_back_to_the_same_units(cast) -> None:
    originals = [
        make_unit(
            area=cast.ward_a,
            kind=UnitKind.PRIVATE_ENTERPRISE,
            name="=Công ty Cổ phần Dệt may",
            code="0109998887",
            sector="- Dệt may",
            address="5 Tràng Tiền",
            headcount=1500,
            phone="+842439998887",
            email="lienhe@detmay.vn",
            security_contact_name="Vũ Văn Hùng",
            security_contact_phone="+84987654321",
            head_name="Hoàng Minh Tuấn",
            head_title="Tổng giám đốc",
            notes="Dòng 1\nDòng 2",
        ),
        make_unit(area=cast.ward_b, kind=UnitKind.CLINIC, name="Phòng khám Đa khoa Cửa Nam"),
        make_unit(
            area=cast.ward_b,
            kind=UnitKind.OTHER,
            name="Hợp tác xã Đã Giải Thể",
            status=UnitStatus.CLOSED,
        ),
    ]
    pks = [u.pk for u in originals]
    fields = [
        "name",
        "kind",
        "sector",
        "code",
        "address",
        "ward_id",
        "headcount",
        "phone",
        "email",
        "security_contact_name",
        "security_contact_phone",
        "head_name",
        "head_title",
        "notes",
        "status",
    ]
    before = list(Unit.objects.filter(pk__in=pks).order_by("name").values(*fields))
    content = units_xlsx_bytes(Unit.objects.filter(pk__in=pks))
    Unit.objects.filter(pk__in=pks).delete()

    result = import_batch_create(
        owner=cast.department, upload=SimpleUploadedFile("xuat.xlsx", content)
    )
    assert result.unknown_columns == []
    assert result.batch.valid_rows == 3, list(result.batch.rows.values_list("errors", flat=True))
    assert import_batch_confirm(
        batch=result.batch, actor=cast.department, only_valid=False
    ).status == ("imported")
    after = list(
        Unit.objects.exclude(pk__in=[cast.unit_x.pk, cast.unit_y.pk])
        .order_by("name")
        .values(*fields)
    )
    assert after == before


def test_the_rejected_rows_of_a_rejected_file_have_a_single_error_column(cast) -> None:
    headers = [*HEADERS, "Lỗi"]
    rows = [["", "Bệnh viện", *[""] * 3, "Phường Hoàn Kiếm", *[""] * 8, "Thiếu tên (lần trước)."]]
    batch = import_batch_create(
        owner=cast.department, upload=SimpleUploadedFile("loi.xlsx", xlsx_bytes(rows, headers))
    ).batch
    sheet = read_sheet(rejected_rows_bytes(batch))
    assert sheet[0] == headers
    assert sheet[1][-1] == "Thiếu tên đơn vị."
