"""Reading, checking and importing a file of units (registry/importing.py, registry/tasks.py).

The helpers at the top build .xlsx and .csv files; the view tests import them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import typing
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.utils import timezone
from openpyxl import Workbook

from antq.core.audit import audit_verify
from antq.core.jobs import job_create
from antq.core.models import AuditEntry, Job, JobStatus
from antq.registry import importing, services
from antq.registry.importing import (
    COLUMNS,
    ImportFileError,
    cell_text,
    decode_csv,
    header_key,
    import_batch_cancel,
    import_batch_confirm,
    import_batch_create,
    looks_like_legacy_vietnamese,
    parse_headcount,
)
from antq.registry.models import ImportBatch, ImportRow, Unit
from tests.factories import make_unit

HEADERS = [c.header for c in COLUMNS]
NOT_UTF8 = (
    "Tệp CSV không phải UTF-8; hãy lưu lại bằng 'CSV UTF-8 (Comma delimited)' trong "
    "Excel (Tệp → Lưu thành) rồi tải lên lại."
)
BAD_XLSX = (
    "Tệp .xlsx bị hỏng hoặc không phải tệp Excel; hãy mở bằng Excel, lưu lại "
    "(định dạng «Excel Workbook (.xlsx)») rồi tải lên lại."
)


def unit_values(**values: Any) -> list[Any]:
    """One row in the order of the template; a plausible valid unit unless told otherwise."""
    row = {
        "name": "Trường THCS Chu Văn An",
        "kind": "Trường trung học cơ sở",
        "sector": "Giáo dục",
        "code": "",
        "address": "10 phố Thụy Khuê",
        "ward": "Phường Hoàn Kiếm",
        "headcount": "85",
        "phone": "024 3825 1234",
        "email": "thcs.cva@hanoi.edu.vn",
        "security_contact_name": "Nguyễn Văn Bảo",
        "security_contact_phone": "0912 345 678",
        "head_name": "Lê Thị Hoa",
        "head_title": "Hiệu trưởng",
        "notes": "",
    }
    row.update(values)
    return [row[c.field] for c in COLUMNS]


def xlsx_bytes(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers if headers is not None else HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows: list[list[Any]], headers: list[str] | None = None, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers if headers is not None else HEADERS)
    writer.writerows(rows)
    return buffer.getvalue()


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 stores it: precomposed vowels, separate tone marks."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def upload(content: bytes, name: str = "don-vi.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def read_sheet(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def check(user: Any, rows: list[list[Any]], **kwargs: Any) -> ImportBatch:
    return import_batch_create(owner=user, upload=upload(xlsx_bytes(rows, **kwargs))).batch


def errors_of(batch: ImportBatch) -> dict[int, list[str]]:
    return {row.line: row.errors for row in batch.rows.order_by("line")}


# --- Pure functions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "phone", "expected"),
    [
        (None, False, ""),
        (912345678, True, "0912345678"),
        (84912345678, True, "84912345678"),
        (912345678, False, "912345678"),
        (350.0, False, "350"),
        ("  Hà Nội  ", False, "Hà Nội"),
        ("'=SUM(A1)", False, "=SUM(A1)"),
        ("'- gạch đầu dòng", False, "- gạch đầu dòng"),
        ("'bình thường", False, "'bình thường"),
        ("Công ty\x00 A\x07\x1b", False, "Công ty A"),
        ("dòng 1\r\n\tdòng 2\x0b", False, "dòng 1\r\n\tdòng 2"),
    ],
)
def test_cell_text_reads_a_cell_as_a_person_sees_it(value: Any, phone: bool, expected: str) -> None:
    assert cell_text(value, phone=phone) == expected


def test_cell_text_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", "Trường")
    assert cell_text(decomposed) == unicodedata.normalize("NFC", "Trường")


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Mã số thuế / mã đơn vị", "ma so thue ma don vi"),
        ("  XÃ,  PHƯỜNG ", "xa phuong"),
        ("ten don vi", "ten don vi"),
    ],
)
def test_header_key_ignores_accents_case_and_punctuation(header: str, key: str) -> None:
    assert header_key(header) == key


@pytest.mark.parametrize(
    ("text", "value"), [("350", 350), ("1.200", 1200), ("1 200", 1200), ("0", 0), ("85,0", 85)]
)
def test_a_headcount_is_read_with_thousands_separators(text: str, value: int) -> None:
    assert parse_headcount(text) == value


@pytest.mark.parametrize("text", ["-5", "nhiều", "12,5", "1.20", "99999999999"])
def test_a_headcount_that_is_not_a_whole_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_headcount(text)


@pytest.mark.parametrize(
    ("text", "legacy"),
    [
        ("Trường THPT Trần Phú, Phường Hoàn Kiếm, Hà Nội", False),
        ("Cong ty TNHH ABC, Phuong Hoan Kiem", False),
        ("Tr\xadêng THPT TrÇn Phó, Ph\xadêng Hoµn KiÕm, Hµ Néi", True),  # TCVN3 read as 1252
        ("Tröôøng THPT Traàn Phuù, Phöôøng Hoaøn Kieám", True),  # VNI read as 1252
    ],
)
def test_legacy_vietnamese_encodings_are_recognised(text: str, legacy: bool) -> None:
    assert looks_like_legacy_vietnamese(text) is legacy


@pytest.mark.parametrize(
    "data",
    [
        "Tên đơn vị\n".encode(),
        "\ufeffTên đơn vị\n".encode(),
        "Tên đơn vị\n".encode("utf-16"),
        "Tên đơn vị\n".encode("utf-16-le"),
        "Tên đơn vị\n".encode("utf-16-be"),
    ],
)
def test_utf8_and_utf16_csv_are_decoded(data: bytes) -> None:
    assert decode_csv(data) == "Tên đơn vị\n"


@pytest.mark.parametrize(
    "data",
    [
        cp1258("Tên đơn vị;Trường THPT Trần Phú\n"),
        "Ten don vi;Ecole Sainte-Hélène\n".encode("cp1252"),
        b"T\xaan \xae\xac\xa1n v\xdb;Tr\xad\xeang THPT Tr\xc7n Ph\xf3\n",  # TCVN3 (ABC)
    ],
)
def test_a_csv_that_is_not_utf8_or_utf16_is_refused(data: bytes) -> None:
    with pytest.raises(ImportFileError) as exc:
        decode_csv(data)
    assert exc.value.message == NOT_UTF8


# --- Checking a file ------------------------------------------------------------------------


def test_a_valid_file_is_checked_and_nothing_is_saved_to_the_registry(cast) -> None:
    before = Unit.objects.count()
    batch = check(
        cast.department,
        [
            unit_values(code="0101234567", email="THCS.CVA@Hanoi.edu.vn"),
            unit_values(name="Bệnh viện Đa khoa Hồng Ngọc", kind="benh_vien", headcount="1.200"),
        ],
    )
    assert (batch.status, batch.total_rows, batch.valid_rows) == ("preview", 2, 2)
    assert Unit.objects.count() == before
    first = batch.rows.get(line=2)
    assert first.valid and first.errors == []
    assert first.cleaned == {
        "name": "Trường THCS Chu Văn An",
        "kind": "thcs",
        "sector": "Giáo dục",
        "code": "0101234567",
        "address": "10 phố Thụy Khuê",
        "ward": cast.ward_a.pk,
        "headcount": 85,
        "phone": "+842438251234",
        "email": "thcs.cva@hanoi.edu.vn",
        "security_contact_name": "Nguyễn Văn Bảo",
        "security_contact_phone": "+84912345678",
        "head_name": "Lê Thị Hoa",
        "head_title": "Hiệu trưởng",
        "notes": "",
        "status": "active",
    }
    assert first.raw["Tên đơn vị"] == "Trường THCS Chu Văn An"
    assert batch.rows.get(line=3).cleaned["headcount"] == 1200


def test_headers_match_without_accents_in_any_order_and_unknown_ones_are_reported(cast) -> None:
    headers = ["xa, phuong", "TEN DON VI", "loai hinh", "Số hiệu nội bộ", "STT"]
    result = import_batch_create(
        owner=cast.department,
        upload=upload(
            xlsx_bytes([["Phường Cửa Nam", "Công ty Cổ phần May 10", "dnnn", "A-17", 1]], headers)
        ),
    )
    assert result.unknown_columns == ["Số hiệu nội bộ"]
    row = result.batch.rows.get()
    assert row.valid
    assert (row.cleaned["ward"], row.cleaned["kind"]) == (cast.ward_b.pk, "dnnn")


def test_the_matched_columns_are_stored_on_the_batch(cast) -> None:
    headers = ["xa, phuong", "TEN DON VI", "loai hinh", "E-mail", "STT"]
    rows = [["Phường Cửa Nam", "Công ty Cổ phần May 10", "dnnn", "a@b.vn", 1]]
    batch = check(cast.department, rows, headers=headers)
    assert batch.columns == {
        "ward": "xa, phuong",
        "name": "TEN DON VI",
        "kind": "loai hinh",
        "email": "E-mail",
    }


def test_the_columns_of_the_file_cover_every_unit_field() -> None:
    assert sorted(c.field for c in (*COLUMNS, importing.STATUS_COLUMN)) == sorted(
        services.UNIT_FIELDS
    )


def test_rows_are_cleaned_by_the_unit_service_and_its_errors_name_the_column(cast) -> None:
    def refuse(data: dict[str, Any]) -> dict[str, Any]:
        raise ValidationError({"head_name": ["Không được chứa chữ số."]})

    with mock.patch.object(services, "clean_unit_data", side_effect=refuse) as clean:
        batch = check(cast.department, [unit_values(head_name="Lê Thị Hoa 2")])
    assert clean.call_count == 1
    row = batch.rows.get()
    assert row.errors == ["Thủ trưởng đơn vị «Lê Thị Hoa 2»: Không được chứa chữ số."]
    assert (row.valid, row.cleaned) == (False, {})


def test_a_former_ward_name_resolves_to_the_ward_that_absorbed_it(cast) -> None:
    batch = check(cast.department, [unit_values(ward="Phường Hàng Bạc")])
    assert batch.rows.get().cleaned["ward"] == cast.ward_a.pk


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Thiếu tên đơn vị."),
        ({"kind": ""}, "Thiếu loại hình."),
        (
            {"kind": "Trường đại học tư thục"},
            "Loại hình «Trường đại học tư thục» không có trong danh mục.",
        ),
        ({"ward": ""}, "Thiếu xã, phường."),
        ({"ward": "Phường Không Có"}, "Không tìm thấy xã, phường «Phường Không Có»."),
        (
            {"ward": "Phường Hàng Bột"},
            "«Phường Hàng Bột» ứng với nhiều xã, phường hiện nay: Phường Ô Chợ Dừa, "
            "Phường Văn Miếu - Quốc Tử Giám; hãy ghi tên xã, phường hiện nay.",
        ),
        (
            {"phone": "12345"},
            "Điện thoại «12345» không hợp lệ (ví dụ đúng: 0912 345 678).",
        ),
        (
            {"security_contact_phone": "0912 345"},
            "Điện thoại cán bộ ANTT «0912 345» không hợp lệ (ví dụ đúng: 0912 345 678).",
        ),
        ({"email": "vanthu@"}, "Email «vanthu@» không hợp lệ."),
        ({"headcount": "-5"}, "Số cán bộ, nhân viên «-5» phải là số nguyên không âm."),
        (
            {"headcount": "khoảng 50"},
            "Số cán bộ, nhân viên «khoảng 50» phải là số nguyên không âm.",
        ),
        ({"name": "A" * 301}, "«Tên đơn vị» dài quá 300 ký tự."),
    ],
)
def test_each_invalid_value_gets_its_vietnamese_message(cast, changes, message) -> None:
    batch = check(cast.department, [unit_values(**changes)])
    row = batch.rows.get()
    assert row.errors == [message]
    assert (row.valid, row.cleaned) == (False, {})
    assert (batch.total_rows, batch.valid_rows) == (1, 0)


def test_a_row_with_several_problems_lists_them_all(cast) -> None:
    batch = check(cast.department, [unit_values(name="", email="x", phone="1")])
    assert batch.rows.get().errors == [
        "Thiếu tên đơn vị.",
        "Điện thoại «1» không hợp lệ (ví dụ đúng: 0912 345 678).",
        "Email «x» không hợp lệ.",
    ]


def test_a_tax_code_repeated_in_the_file_is_an_error_on_the_later_line(cast) -> None:
    batch = check(
        cast.department,
        [
            unit_values(code="0101234567"),
            unit_values(name="Trường Tiểu học Điện Biên", code="0101 234 567"),
        ],
    )
    assert errors_of(batch) == {
        2: [],
        3: ["Mã số thuế / mã đơn vị «0101234567» trùng với dòng 2 trong tệp."],
    }


def test_a_tax_code_already_in_the_registry_is_an_error(cast) -> None:
    Unit.objects.filter(pk=cast.unit_x.pk).update(code="0101234567")
    batch = check(cast.department, [unit_values(code="0101234567")])
    assert batch.rows.get().errors == [
        "Mã số thuế / mã đơn vị «0101234567» đã có trong danh sách "
        "(đơn vị «Bệnh viện Hữu Nghị Việt Đức»)."
    ]


def test_a_unit_repeated_in_the_file_by_name_and_ward_is_an_error_on_the_later_line(cast) -> None:
    batch = check(
        cast.department,
        [
            unit_values(name="Trường Mầm non Hoa Sen"),
            # Accents, case and spaces aside, in the ward that absorbed Phường Hàng Bạc.
            unit_values(name="TRUONG MAM NON  HOA SEN", ward="Phường Hàng Bạc"),
            unit_values(name="Trường Mầm non Hoa Sen", ward="Phường Cửa Nam"),
        ],
    )
    assert errors_of(batch) == {
        2: [],
        3: ["Trùng tên đơn vị và xã, phường với dòng 2 trong tệp."],
        4: [],
    }


def test_a_unit_already_in_the_registry_by_name_and_ward_is_an_error(cast) -> None:
    batch = check(
        cast.department,
        [
            unit_values(name="benh vien huu nghi viet duc", kind="Bệnh viện"),
            unit_values(
                name="Bệnh viện Hữu Nghị Việt Đức", kind="Bệnh viện", ward="Phường Cửa Nam"
            ),
        ],
    )
    assert errors_of(batch) == {
        2: ["Đơn vị «Bệnh viện Hữu Nghị Việt Đức» ở Phường Hoàn Kiếm đã có trong danh sách."],
        3: [],
    }


def test_a_unit_with_a_taken_tax_code_gets_only_that_error(cast) -> None:
    Unit.objects.filter(pk=cast.unit_x.pk).update(code="0101234567")
    batch = check(
        cast.department,
        [unit_values(name="Bệnh viện Hữu Nghị Việt Đức", kind="Bệnh viện", code="0101234567")],
    )
    assert batch.rows.get().errors == [
        "Mã số thuế / mã đơn vị «0101234567» đã có trong danh sách "
        "(đơn vị «Bệnh viện Hữu Nghị Việt Đức»)."
    ]


def test_importing_the_same_file_twice_adds_its_units_once(cast) -> None:
    content = xlsx_bytes(
        [unit_values(), unit_values(name="Trường Mầm non Hoa Sen", kind="Trường mầm non")]
    )
    first = import_batch_create(owner=cast.department, upload=upload(content)).batch
    assert import_batch_confirm(batch=first, actor=cast.department, only_valid=False).status == (
        "imported"
    )
    second = import_batch_create(owner=cast.department, upload=upload(content, "lai.xlsx")).batch
    assert (second.total_rows, second.valid_rows) == (2, 0)
    assert errors_of(second) == {
        2: ["Đơn vị «Trường THCS Chu Văn An» ở Phường Hoàn Kiếm đã có trong danh sách."],
        3: ["Đơn vị «Trường Mầm non Hoa Sen» ở Phường Hoàn Kiếm đã có trong danh sách."],
    }
    assert Unit.objects.filter(name="Trường THCS Chu Văn An").count() == 1
    assert first.sha256 == second.sha256 == hashlib.sha256(content).hexdigest()
    assert importing.previous_import(second) == ImportBatch.objects.get(pk=first.pk)
    assert importing.previous_import(first) is None  # only imported batches count


def test_blank_rows_are_skipped_and_lines_are_those_of_the_sheet(cast) -> None:
    batch = check(cast.department, [unit_values(), [None] * len(HEADERS), unit_values(name="")])
    assert errors_of(batch) == {2: [], 4: ["Thiếu tên đơn vị."]}


def test_the_header_row_may_sit_below_a_title(cast) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["DANH SÁCH ĐƠN VỊ THAM GIA PHONG TRÀO"])
    sheet.append([])
    sheet.append(HEADERS)
    sheet.append(unit_values())
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = import_batch_create(owner=cast.department, upload=upload(buffer.getvalue())).batch
    assert list(batch.rows.values_list("line", "valid")) == [(4, True)]


def test_a_phone_typed_as_a_number_gets_its_leading_zero_back(cast) -> None:
    batch = check(cast.department, [unit_values(phone=912345678)])
    assert batch.rows.get().cleaned["phone"] == "+84912345678"


def test_text_is_stored_in_nfc(cast) -> None:
    name = unicodedata.normalize("NFD", "Trường Mầm non Hoa Sữa")
    batch = check(cast.department, [unit_values(name=name)])
    assert batch.rows.get().cleaned["name"] == unicodedata.normalize("NFC", name)


# --- Refused files --------------------------------------------------------------------------


def refusal(user: Any, content: bytes, name: str) -> str:
    with pytest.raises(ImportFileError) as exc:
        import_batch_create(owner=user, upload=upload(content, name))
    assert ImportBatch.objects.count() == 0
    return exc.value.message


def test_a_file_over_the_size_limit_is_refused(cast, settings) -> None:
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    content = b"0" * (1024 * 1024 + 1)
    assert refusal(cast.department, content, "lon.csv") == (
        "Tệp lớn quá giới hạn 1 MB; hãy chia thành nhiều tệp nhỏ hơn hoặc bỏ bớt các cột, "
        "trang tính không cần thiết."
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("don-vi.pdf", "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
        ("don-vi", "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
        (
            "don-vi.xls",
            "Tệp .xls (Excel 97–2003) không được hỗ trợ; hãy mở bằng Excel và lưu lại thành .xlsx.",
        ),
    ],
)
def test_a_file_with_another_extension_is_refused(cast, name, message) -> None:
    assert refusal(cast.department, b"abc", name) == message


def test_a_broken_xlsx_is_refused(cast) -> None:
    assert refusal(cast.department, b"PK\x03\x04 not really a zip", "hong.xlsx") == BAD_XLSX


def test_a_zip_that_is_not_a_workbook_is_refused(cast) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert refusal(cast.department, buffer.getvalue(), "nen.xlsx") == BAD_XLSX


def test_a_truncated_xlsx_is_refused(cast) -> None:
    content = xlsx_bytes([unit_values()])
    assert refusal(cast.department, content[: len(content) // 2], "cut.xlsx") == BAD_XLSX


def test_an_xlsx_that_inflates_too_much_is_refused(cast, monkeypatch) -> None:
    monkeypatch.setattr(importing, "MAX_XLSX_UNPACKED", 10_000)
    assert refusal(cast.department, xlsx_bytes([unit_values()]), "bom.xlsx") == (
        "Tệp .xlsx khi giải nén quá lớn; hãy chia thành nhiều tệp nhỏ hơn."
    )


def test_an_empty_file_is_refused(cast) -> None:
    assert refusal(cast.department, b"", "rong.csv") == "Tệp rỗng, không có dữ liệu."


def test_a_file_with_only_headers_is_refused(cast) -> None:
    assert refusal(cast.department, xlsx_bytes([]), "tieu-de.xlsx") == (
        "Tệp không có dòng dữ liệu nào (ngoài dòng tiêu đề)."
    )


def test_a_file_without_the_name_column_is_refused(cast) -> None:
    content = xlsx_bytes([["Bệnh viện", "Phường Hoàn Kiếm"]], ["Loại hình", "Xã, phường"])
    assert refusal(cast.department, content, "thieu.xlsx") == (
        "Không tìm thấy dòng tiêu đề có cột «Tên đơn vị» trong 10 dòng đầu của tệp. "
        "Hãy dùng tệp mẫu."
    )


def test_a_file_without_required_columns_is_refused(cast) -> None:
    content = xlsx_bytes([["Trường THCS Chu Văn An"]], ["Tên đơn vị"])
    assert refusal(cast.department, content, "thieu.xlsx") == (
        "Tệp thiếu cột bắt buộc: «Loại hình», «Xã, phường». Hãy dùng tệp mẫu."
    )


def test_a_column_given_twice_is_refused(cast) -> None:
    content = xlsx_bytes([[*unit_values(), "x"]], [*HEADERS, "Ten don vi"])
    assert refusal(cast.department, content, "doi.xlsx") == (
        "Cột «Tên đơn vị» và cột «Ten don vi» cùng là «Tên đơn vị»; hãy giữ lại một cột."
    )


def test_a_file_with_too_many_rows_is_refused(cast, monkeypatch) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    content = csv_text([unit_values() for _ in range(4)]).encode()
    assert refusal(cast.department, content, "nhieu.csv") == (
        "Tệp có hơn 3 dòng; hãy chia thành nhiều tệp nhỏ hơn."
    )


def test_an_xlsx_with_too_many_rows_is_refused(cast, monkeypatch) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    content = xlsx_bytes([unit_values() for _ in range(4)])
    assert refusal(cast.department, content, "nhieu.xlsx") == (
        "Tệp có hơn 3 dòng; hãy chia thành nhiều tệp nhỏ hơn."
    )


TOO_MANY_ROWS = "Tệp có hơn 100.000 dòng; hãy chia thành nhiều tệp nhỏ hơn."


def test_a_small_xlsx_with_a_cell_on_the_last_row_of_the_sheet_is_refused(cast) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.append(unit_values())
    sheet.cell(row=1_048_576, column=1, value="Công ty ở dòng cuối")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(buffer.getvalue()) < 10_000
    # A million blank rows are not read: the file is refused once past the limit.
    assert refusal(cast.department, buffer.getvalue(), "thua.xlsx") == TOO_MANY_ROWS


@pytest.mark.parametrize("name", ["trong.xlsx", "trong.csv"])
def test_blank_rows_count_towards_the_row_limit(cast, monkeypatch, name) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    rows = [unit_values(), *[[None] * len(HEADERS)] * 3, unit_values(name="Trường B")]
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_text(rows).encode()
    assert refusal(cast.department, content, name) == (
        "Tệp có hơn 3 dòng; hãy chia thành nhiều tệp nhỏ hơn."
    )


def test_every_pass_over_a_table_stops_at_the_row_limit(monkeypatch) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 3)

    def blank_rows() -> Iterator[tuple[int, list[Any]]]:
        for line in range(2, 1_048_577):
            yield line, [None]

    table = importing.Table(["Tên đơn vị"], ["name"], [], 1, 0, blank_rows)
    for read in (lambda: list(table.rows()), lambda: table.count_up_to(10)):
        with pytest.raises(ImportFileError) as exc:
            read()
        assert exc.value.message == "Tệp có hơn 3 dòng; hãy chia thành nhiều tệp nhỏ hơn."


# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(",", "utf-8"), (";", "utf-8-sig"), (",", "utf-8-sig"), ("\t", "utf-16"), (";", "utf-16")],
)
def test_a_csv_is_read_in_utf8_or_utf16_with_its_delimiter(cast, delimiter, encoding) -> None:
    text = csv_text([unit_values(), unit_values(name="", code="123")], delimiter=delimiter)
    batch = import_batch_create(
        owner=cast.department, upload=upload(text.encode(encoding), "don-vi.csv")
    ).batch
    assert errors_of(batch) == {2: [], 3: ["Thiếu tên đơn vị."]}
    assert batch.rows.get(line=2).cleaned["ward"] == cast.ward_a.pk


def test_a_csv_with_a_title_above_the_header_is_read(cast) -> None:
    text = "DANH SÁCH ĐƠN VỊ NĂM 2026\n\n" + csv_text([unit_values()])
    batch = import_batch_create(
        owner=cast.department, upload=upload(text.encode(), "don-vi.csv")
    ).batch
    assert list(batch.rows.values_list("line", "valid")) == [(4, True)]


@pytest.mark.parametrize("padding", [0, 60])
def test_control_characters_are_dropped_wherever_they_are_in_a_csv(cast, padding) -> None:
    rows = [unit_values(name=f"Công ty đệm số {n}") for n in range(padding)]
    rows.append(unit_values(name="Công ty A\x00B\x07", notes="x\x1fy\tz"))
    text = csv_text(rows)
    assert text.index("\x00") > 5 * 1024 if padding else text.index("\x00") < 4096
    batch = import_batch_create(
        owner=cast.department, upload=upload(text.encode(), "don-vi.csv")
    ).batch
    row = batch.rows.get(line=padding + 2)
    assert row.raw["Tên đơn vị"] == "Công ty AB"
    assert (row.valid, row.cleaned["name"], row.cleaned["notes"]) == (True, "Công ty AB", "xy\tz")


def test_a_cp1258_csv_is_refused(cast) -> None:
    content = cp1258(csv_text([unit_values()]))
    assert refusal(cast.department, content, "cu.csv") == NOT_UTF8


TCVN3_CSV = (
    b"T\xaan \xae\xac\xa1n v\xdb,Lo\xb9i h\xd7nh,X\xb7\x2c ph\xad\xeang\n"
    b"Tr\xad\xeang THPT Tr\xc7n Ph\xf3,thpt,Ph\xad\xeang Ho\xb5n Ki\xd5m\n"
)
LEGACY = (
    "Chữ trong tệp có vẻ được gõ bằng bảng mã cũ (TCVN3/ABC hoặc VNI), không phải Unicode; "
    "hãy chuyển mã sang Unicode (ví dụ bằng công cụ chuyển mã của Unikey) rồi tải lên lại."
)


def test_a_tcvn3_csv_is_refused(cast) -> None:
    assert refusal(cast.department, TCVN3_CSV, "tcvn3.csv") == NOT_UTF8


def test_tcvn3_text_saved_as_utf8_is_refused(cast) -> None:
    content = TCVN3_CSV.decode("cp1252").encode("utf-8")
    assert refusal(cast.department, content, "tcvn3-utf8.csv") == LEGACY


def test_an_xlsx_typed_in_tcvn3_is_refused(cast) -> None:
    rows = [line.split(",") for line in TCVN3_CSV.decode("cp1252").splitlines()]
    content = xlsx_bytes(rows[1:], headers=rows[0])
    assert refusal(cast.department, content, "tcvn3.xlsx") == LEGACY


def test_a_row_typed_in_tcvn3_in_a_unicode_file_is_an_error(cast) -> None:
    legacy = unit_values(
        name="Tr\xadêng THPT TrÇn Phó",
        sector="Gi¸o dôc",
        address="Sè 8 Hai Bµ Tr\xadng",
        ward="Phuong Hoan Kiem",
        security_contact_name="NguyÔn V¨n B¶o",
        head_name="Lª ThÞ Hoa",
        head_title="HiÖu tr\xadëng",
    )
    rows = [unit_values(), legacy]
    batch = check(cast.department, rows)
    assert errors_of(batch) == {
        2: [],
        3: [
            "Chữ trong dòng này có vẻ được gõ bằng bảng mã cũ (TCVN3/ABC hoặc VNI), "
            "không phải Unicode."
        ],
    }


# --- Confirming -----------------------------------------------------------------------------


def test_confirming_imports_every_row_with_one_audit_entry_each(cast) -> None:
    batch = check(
        cast.department,
        [
            unit_values(code="0101234567"),
            unit_values(name="Bệnh viện Mắt Hà Nội", kind="Bệnh viện"),
        ],
    )
    before = Unit.objects.count()
    result = import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    assert (result.status, result.count) == ("imported", 2)
    assert Unit.objects.count() == before + 2
    unit = Unit.objects.get(code="0101234567")
    assert (unit.ward, unit.kind, unit.phone, unit.headcount) == (
        cast.ward_a,
        "thcs",
        "+842438251234",
        85,
    )
    assert unit.name_folded == "truong thcs chu van an"
    entries = AuditEntry.objects.filter(action="import")
    imported = Unit.objects.filter(name__in=[unit.name, "Bệnh viện Mắt Hà Nội"])
    assert sorted(e.object_id for e in entries) == sorted(str(u.pk) for u in imported)
    entry = entries.get(object_id=str(unit.pk))
    assert (entry.actor, entry.ward_id, entry.unit_id) == (cast.department, cast.ward_a.pk, unit.pk)
    assert entry.reason == f"Nhập từ tệp «don-vi.xlsx» (lần nhập số {batch.pk})"
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows, batch.only_valid) == ("done", 2, False)


def test_a_large_batch_is_imported_in_chunks_in_file_order(cast, monkeypatch) -> None:
    monkeypatch.setattr(importing, "APPLY_CHUNK", 2)
    names = [f"Trường Tiểu học số {n}" for n in range(5)]
    batch = check(cast.department, [unit_values(name=name) for name in names])
    result = import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    assert (result.status, result.count) == ("imported", 5)
    entries = AuditEntry.objects.filter(action="import").order_by("id")
    assert [Unit.objects.get(pk=e.object_id).name for e in entries] == names
    assert audit_verify().ok


def test_a_chunk_refused_by_the_database_takes_the_earlier_chunks_with_it(
    cast, monkeypatch
) -> None:
    monkeypatch.setattr(importing, "APPLY_CHUNK", 2)
    batch = check(cast.department, [unit_values(name=f"Trường số {n}") for n in range(5)])
    real = importing.services.units_bulk_create
    calls = []

    def third_fails(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise DatabaseError("disk I/O error")
        return real(**kwargs)

    monkeypatch.setattr(importing.services, "units_bulk_create", third_fails)
    before = Unit.objects.count()
    result = import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    assert result.status == "failed"
    assert Unit.objects.count() == before
    assert AuditEntry.objects.filter(action="import").count() == 0
    batch.refresh_from_db()
    assert batch.status == "preview"


def test_confirming_twice_imports_once(cast) -> None:
    batch = check(cast.department, [unit_values()])
    first = import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    second = import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    assert (first.status, second.status) == ("imported", "already")
    assert Unit.objects.filter(name="Trường THCS Chu Văn An").count() == 1
    assert AuditEntry.objects.filter(action="import").count() == 1


def test_importing_all_is_refused_while_some_rows_have_errors(cast) -> None:
    batch = check(cast.department, [unit_values(), unit_values(name="")])
    before = Unit.objects.count()
    result = import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    assert result.status == "invalid"
    assert Unit.objects.count() == before
    assert AuditEntry.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == "preview"


def test_only_the_valid_rows_can_be_imported(cast) -> None:
    batch = check(
        cast.department,
        [unit_values(), unit_values(name=""), unit_values(name="Trường Mầm non Hoa Sen")],
    )
    result = import_batch_confirm(batch=batch, actor=cast.department, only_valid=True)
    assert (result.status, result.count) == ("imported", 2)
    assert set(Unit.objects.filter(ward=cast.ward_a).values_list("name", flat=True)) == {
        "Bệnh viện Hữu Nghị Việt Đức",
        "Trường THCS Chu Văn An",
        "Trường Mầm non Hoa Sen",
    }
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows, batch.only_valid) == ("done", 2, True)


def test_a_code_taken_between_preview_and_confirm_imports_nothing(cast) -> None:
    batch = check(
        cast.department,
        [
            unit_values(name="Trường A", code="0101234567"),
            unit_values(name="Trường B", code="0107"),
        ],
    )
    make_unit(area=cast.ward_b, name="Công ty vừa nhập", code="0107")
    before = Unit.objects.count()
    result = import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    assert (result.status, result.count) == ("conflict", 1)
    assert Unit.objects.count() == before
    assert AuditEntry.objects.count() == 0
    batch.refresh_from_db()
    assert (batch.status, batch.valid_rows) == ("preview", 1)
    assert batch.rows.get(line=3).errors == [
        "Mã số thuế / mã đơn vị «0107» đã có trong danh sách (đơn vị «Công ty vừa nhập»)."
    ]
    # The user may then import the rest.
    again = import_batch_confirm(batch=batch, actor=cast.department, only_valid=True)
    assert (again.status, again.count) == ("imported", 1)


def test_a_unit_added_by_name_between_preview_and_confirm_imports_nothing(cast) -> None:
    batch = check(cast.department, [unit_values(name="Trường A"), unit_values(name="Trường B")])
    make_unit(area=cast.ward_a, name="TRƯỜNG B")
    before = Unit.objects.count()
    result = import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    assert (result.status, result.count) == ("conflict", 1)
    assert Unit.objects.count() == before
    assert AuditEntry.objects.count() == 0
    assert batch.rows.get(line=3).errors == [
        "Đơn vị «TRƯỜNG B» ở Phường Hoàn Kiếm đã có trong danh sách."
    ]


def test_a_failure_in_the_middle_of_the_insert_imports_nothing(cast) -> None:
    batch = check(cast.department, [unit_values(name=f"Trường số {n}") for n in range(5)])
    before = Unit.objects.count()
    with mock.patch(
        "antq.registry.services.audit_record_many", side_effect=DatabaseError("disk I/O error")
    ):
        result = import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    assert result.status == "failed"
    assert Unit.objects.count() == before
    assert AuditEntry.objects.count() == 0
    batch.refresh_from_db()
    assert (batch.status, batch.valid_rows, batch.imported_rows) == ("preview", 5, 0)


def test_cancelling_drops_the_rows_and_imports_nothing(cast) -> None:
    batch = check(cast.department, [unit_values()])
    assert import_batch_cancel(batch=batch) is True
    batch.refresh_from_db()
    assert batch.status == "cancelled"
    assert ImportRow.objects.filter(batch=batch).count() == 0
    assert import_batch_confirm(batch=batch, actor=cast.department, only_valid=False).status == (
        "already"
    )


def test_an_imported_batch_cannot_be_cancelled(cast) -> None:
    batch = check(cast.department, [unit_values()])
    import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    assert import_batch_cancel(batch=batch) is False
    batch.refresh_from_db()
    assert batch.status == "done"


# --- Large files: the worker ----------------------------------------------------------------


@pytest.fixture
def small_threshold(settings, tmp_path: Path) -> Path:
    settings.BACKGROUND_THRESHOLD_ROWS = 2
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_a_large_file_is_checked_and_imported_by_the_worker(
    cast, small_threshold, django_capture_on_commit_callbacks
) -> None:
    rows = [unit_values(name=f"Trường số {n}", code=f"01000000{n:02d}") for n in range(4)]
    rows.append(unit_values(name="", code="0100000099"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = import_batch_create(owner=cast.department, upload=upload(xlsx_bytes(rows)))
    assert result.background and len(callbacks) == 1
    batch = ImportBatch.objects.select_related("job").get(pk=result.batch.pk)
    assert batch.job is not None
    assert (batch.job.kind, batch.job.status) == ("units_import_check", JobStatus.DONE)
    assert batch.job.message == "Đã kiểm tra 5 dòng: 4 dòng hợp lệ, 1 dòng có lỗi."
    assert (batch.status, batch.total_rows, batch.valid_rows) == ("preview", 5, 4)
    assert list((small_threshold / "jobs" / "uploads").iterdir()) == []  # upload deleted

    before = Unit.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = import_batch_confirm(batch=batch, actor=cast.department, only_valid=True)
    assert (confirmed.status, confirmed.count) == ("queued", 4)
    batch.refresh_from_db()
    job = Job.objects.get(pk=batch.job_id)
    assert (job.kind, job.status, job.message) == ("units_import", "done", "Đã nhập 4 đơn vị.")
    assert job.params["next_url"] == f"/don-vi/nhap/{batch.pk}/"
    assert (batch.status, batch.imported_rows) == ("done", 4)
    assert Unit.objects.count() == before + 4
    assert AuditEntry.objects.filter(action="import").count() == 4


def test_a_conflict_found_by_the_worker_returns_the_batch_to_the_preview(
    cast, small_threshold, django_capture_on_commit_callbacks
) -> None:
    rows = [unit_values(name=f"Trường số {n}", code=f"01000000{n:02d}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_create(owner=cast.department, upload=upload(xlsx_bytes(rows))).batch
    make_unit(name="Đơn vị nhanh tay", code="0100000001")
    before = Unit.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    batch.refresh_from_db()
    job = Job.objects.get(pk=batch.job_id)
    assert (batch.status, batch.valid_rows, job.status) == ("preview", 2, "failed")
    assert job.message == importing.conflict_message(1)
    assert Unit.objects.count() == before


def test_a_large_file_that_turns_out_unreadable_fails_the_batch(
    cast, small_threshold, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    rows = [unit_values(name=f"Trường số {n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = import_batch_create(owner=cast.department, upload=upload(xlsx_bytes(rows))).batch
    monkeypatch.setattr(importing, "MAX_ROWS", 4)
    callbacks[0]()
    batch.refresh_from_db()
    job = Job.objects.get(pk=batch.job_id)
    assert (batch.status, job.status) == ("failed", "failed")
    assert job.message == "Tệp có hơn 4 dòng; hãy chia thành nhiều tệp nhỏ hơn."


# --- The sample files in docs/samples -------------------------------------------------------

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


@pytest.mark.parametrize("name", ["don-vi-mau.xlsx", "don-vi-mau.csv"])
def test_the_sample_files_have_exactly_their_five_deliberate_errors(cast, name) -> None:
    content = (SAMPLES / name).read_bytes()
    result = import_batch_create(owner=cast.department, upload=upload(content, name))
    batch = result.batch
    assert result.unknown_columns == []
    assert (batch.total_rows, batch.valid_rows) == (32, 27)
    errors = {line: e for line, e in errors_of(batch).items() if e}
    assert errors == {
        29: ["Không tìm thấy xã, phường «Phường Hàng Xanh»."],
        30: ["Mã số thuế / mã đơn vị «0109900001» trùng với dòng 4 trong tệp."],
        31: ["Thiếu tên đơn vị."],
        32: ["Điện thoại «0912 34» không hợp lệ (ví dụ đúng: 0912 345 678)."],
        33: ["Email «nhakhoa@@dongda» không hợp lệ."],
    }
    # Former ward names resolve to the wards that absorbed them.
    assert batch.rows.get(line=4).cleaned["ward"] == cast.ward_a.pk  # Phường Hàng Bạc
    assert batch.rows.get(line=6).cleaned["ward"] == cast.ward_b.pk  # Phường Phan Chu Trinh


def test_a_batch_cancelled_while_the_worker_checks_it_keeps_no_rows(
    cast, small_threshold, django_capture_on_commit_callbacks
) -> None:
    rows = [unit_values(name=f"Trường số {n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = import_batch_create(owner=cast.department, upload=upload(xlsx_bytes(rows))).batch
    assert (batch.status, batch.get_status_display()) == ("checking", "Đang kiểm tra")
    assert import_batch_cancel(batch=batch) is True
    callbacks[0]()
    batch.refresh_from_db()
    job = Job.objects.get(pk=batch.job_id)
    assert (batch.status, job.status, job.message) == ("cancelled", "done", "Lần nhập đã bị huỷ.")
    assert batch.rows.count() == 0


def test_a_batch_being_checked_cannot_be_confirmed(
    cast, small_threshold, django_capture_on_commit_callbacks
) -> None:
    rows = [unit_values(name=f"Trường số {n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=False):
        batch = import_batch_create(owner=cast.department, upload=upload(xlsx_bytes(rows))).batch
    assert import_batch_confirm(batch=batch, actor=cast.department, only_valid=True).status == (
        "busy"
    )
    batch.refresh_from_db()
    assert batch.status == "checking"


def test_a_check_job_already_taken_by_another_run_is_left_to_it(
    cast, small_threshold, django_capture_on_commit_callbacks
) -> None:
    rows = [unit_values(name=f"Trường số {n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = import_batch_create(owner=cast.department, upload=upload(xlsx_bytes(rows))).batch
    Job.objects.filter(pk=batch.job_id).update(status=JobStatus.RUNNING)
    callbacks[0]()
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.rows.count()) == ("checking", 0, 0)


def test_the_check_replaces_rows_left_by_a_run_that_was_cut_short(
    cast, small_threshold, django_capture_on_commit_callbacks
) -> None:
    rows = [unit_values(name=f"Trường số {n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = import_batch_create(owner=cast.department, upload=upload(xlsx_bytes(rows))).batch
    ImportRow.objects.create(batch=batch, line=2, raw={}, cleaned={}, errors=[], valid=True)
    callbacks[0]()
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.valid_rows) == ("preview", 5, 5)
    assert list(batch.rows.order_by("line").values_list("line", flat=True)) == [2, 3, 4, 5, 6]


def queued_batch(user: Any, job_status: str, minutes_ago: int) -> ImportBatch:
    batch = check(user, [unit_values()])
    job = job_create(owner=user, kind=importing.JOB_KIND_IMPORT, params={}, total=1)
    created = timezone.now() - dt.timedelta(minutes=minutes_ago)
    Job.objects.filter(pk=job.pk).update(status=job_status, created_at=created)
    ImportBatch.objects.filter(pk=batch.pk).update(status="queued", job=job)
    return ImportBatch.objects.get(pk=batch.pk)


@pytest.mark.parametrize(
    ("job_status", "minutes_ago"),
    [("failed", 1), ("done", 1), ("pending", 16), ("running", 16)],
)
def test_a_queued_import_the_worker_will_not_do_can_be_cancelled(
    cast, job_status, minutes_ago
) -> None:
    batch = queued_batch(cast.department, job_status, minutes_ago)
    assert import_batch_cancel(batch=batch) is True
    batch.refresh_from_db()
    assert (batch.status, batch.rows.count()) == ("cancelled", 0)
    job = Job.objects.get(pk=batch.job_id)
    assert job.finished
    if job_status in ("pending", "running"):
        assert (job.status, job.message) == ("done", "Lần nhập đã bị huỷ.")


@pytest.mark.parametrize("job_status", ["pending", "running"])
def test_a_queued_import_under_way_cannot_be_cancelled(cast, job_status) -> None:
    batch = queued_batch(cast.department, job_status, 5)
    assert import_batch_cancel(batch=batch) is False
    batch.refresh_from_db()
    assert (batch.status, batch.rows.count()) == ("queued", 1)
    assert Job.objects.get(pk=batch.job_id).status == job_status


def test_confirm_messages_cover_every_outcome() -> None:
    assert set(importing.CONFIRM_MESSAGES) == set(typing.get_args(importing.ConfirmStatus))


def test_an_unexpected_error_of_the_worker_leaves_the_batch_to_decide_again(
    cast, small_threshold, django_capture_on_commit_callbacks
) -> None:
    rows = [unit_values(name=f"Trường số {n}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_create(owner=cast.department, upload=upload(xlsx_bytes(rows))).batch
    before = Unit.objects.count()
    with (
        mock.patch.object(importing, "batch_apply", side_effect=RuntimeError("boom")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        import_batch_confirm(batch=batch, actor=cast.department, only_valid=False)
    batch.refresh_from_db()
    job = Job.objects.get(pk=batch.job_id)
    assert (batch.status, job.status) == ("preview", "failed")
    assert job.message == "Không nhập được do lỗi hệ thống; chưa có đơn vị nào được nhập."
    assert Unit.objects.count() == before
