"""Importing units from a file in the browser: the sample file keeps only its valid rows, a
file with a bad row is fixed and imported whole, and a CSV in an old encoding is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from antq.core.models import AuditEntry
from antq.registry.models import ImportBatch, Unit
from tests.conftest import Cast
from tests.e2e.conftest import login
from tests.registry.test_importing import NOT_UTF8, cp1258, csv_text, unit_values

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "don-vi-mau.xlsx"
SAMPLE_VALID_NAME = "Công ty TNHH Phần mềm Láng Hạ"
BAD_PHONE = "Điện thoại «0912 34» không hợp lệ (ví dụ đúng: 0912 345 678)."
UNKNOWN_WARD = "Không tìm thấy xã, phường «Phường Hàng Xanh»."
SAMPLE_ERRORS = [
    UNKNOWN_WARD,
    "Mã số thuế / mã đơn vị «0109900001» trùng với dòng 4 trong tệp.",
    "Thiếu tên đơn vị.",
    BAD_PHONE,
    "Email «nhakhoa@@dongda» không hợp lệ.",
]


def upload(page: Page, path: Path) -> None:
    page.get_by_label("Tệp Excel (.xlsx) hoặc CSV").set_input_files(path)
    page.get_by_role("button", name="Tải lên và kiểm tra").click()


def test_the_department_imports_the_sample_file_keeping_only_valid_rows(
    page: Page, live_server: LiveServer, cast: Cast, tmp_path: Path
) -> None:
    units_before = Unit.objects.count()
    login(page, live_server, cast.department.username)
    page.get_by_role("navigation").get_by_role("link", name="Nhập từ Excel").click()
    expect(page.get_by_role("heading", name="Nhập đơn vị từ tệp Excel hoặc CSV")).to_be_visible()

    upload(page, SAMPLE)

    expect(page.get_by_role("heading", name="Nhập đơn vị từ tệp «don-vi-mau.xlsx»")).to_be_visible()
    expect(page.locator(".messages")).to_have_text(
        "Đã đọc 32 dòng: 27 dòng hợp lệ, 5 dòng có lỗi. Chưa có đơn vị nào được nhập; "
        "hãy xem lại rồi xác nhận."
    )
    stats = page.locator(".stat")
    expect(stats).to_have_text(["32", "27", "5", "0"])
    invalid = page.locator("tr.invalid")
    expect(invalid).to_have_count(5)
    expect(invalid.filter(has_text="Nhà hàng Hàng Xanh")).to_contain_text(UNKNOWN_WARD)
    expect(invalid.filter(has_text="Cửa hàng Điện máy Giảng Võ")).to_contain_text(BAD_PHONE)
    expect(page.get_by_role("button", name="Nhập tất cả (32 dòng)")).to_be_disabled()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải các dòng lỗi (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    rejected = tmp_path / download.suggested_filename
    download.save_as(rejected)
    rows = list(load_workbook(rejected).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "Lỗi"
    assert len(rows) == 1 + 5
    assert sorted(str(row[-1]) for row in rows[1:]) == sorted(SAMPLE_ERRORS)

    page.get_by_role("button", name="Chỉ nhập các dòng hợp lệ (27 dòng)").click()
    expect(page.locator(".messages")).to_have_text("Đã nhập 27 đơn vị từ tệp «don-vi-mau.xlsx».")
    expect(
        page.get_by_role("status").filter(has_text="Đã nhập 27 đơn vị vào danh sách.")
    ).to_be_visible()
    assert Unit.objects.count() == units_before + 27

    page.get_by_role("link", name=re.compile("Xem danh sách đơn vị")).click()
    page.locator("#id_q").fill(SAMPLE_VALID_NAME)
    expect(page.locator("#unit-results")).not_to_contain_text(cast.unit_x.name)
    expect(
        page.locator("#unit-results").get_by_role("link", name=SAMPLE_VALID_NAME)
    ).to_be_visible()


def test_a_file_with_a_bad_row_is_fixed_and_imported_whole(
    page: Page, live_server: LiveServer, cast: Cast, tmp_path: Path
) -> None:
    names = ["Trường Tiểu học Lý Thái Tổ", "Trường Mầm non Hoa Mai", "Trường THCS Ngô Sĩ Liên"]
    bad = tmp_path / "don-vi.csv"
    bad.write_text(
        csv_text(
            [
                unit_values(name=names[0]),
                unit_values(name=names[1], phone="0912 34"),
                unit_values(name=names[2]),
            ]
        ),
        encoding="utf-8",
    )
    fixed = tmp_path / "don-vi-da-sua.csv"
    fixed.write_text(csv_text([unit_values(name=name) for name in names]), encoding="utf-8")

    login(page, live_server, cast.department.username)
    page.get_by_role("navigation").get_by_role("link", name="Nhập từ Excel").click()
    upload(page, bad)
    expect(page.locator("tr.invalid")).to_have_count(1)
    expect(page.locator("tr.invalid")).to_contain_text(names[1])
    expect(page.locator("tr.invalid")).to_contain_text(BAD_PHONE)
    expect(page.get_by_role("button", name="Nhập tất cả (3 dòng)")).to_be_disabled()

    page.get_by_role("link", name="← Tải tệp khác").click()
    upload(page, fixed)
    expect(
        page.get_by_role("heading", name="Nhập đơn vị từ tệp «don-vi-da-sua.csv»")
    ).to_be_visible()
    expect(page.locator("tr.invalid")).to_have_count(0)
    expect(page.get_by_role("button", name="Chỉ nhập các dòng hợp lệ")).to_have_count(0)
    import_all = page.get_by_role("button", name="Nhập tất cả (3 dòng)")
    expect(import_all).to_be_enabled()
    import_all.click()

    expect(page.locator(".messages")).to_have_text("Đã nhập 3 đơn vị từ tệp «don-vi-da-sua.csv».")
    units = [Unit.objects.get(name=name) for name in names]
    for unit in units:
        entries = AuditEntry.objects.filter(object_type="registry.unit", object_id=str(unit.pk))
        assert list(entries.values_list("action", flat=True)) == ["import"]
    assert AuditEntry.objects.filter(action="import").count() == 3


def test_a_cp1258_csv_is_refused_with_a_clear_message(
    page: Page, live_server: LiveServer, cast: Cast, tmp_path: Path
) -> None:
    old = tmp_path / "don-vi-cu.csv"
    old.write_bytes(cp1258(csv_text([unit_values()])))

    login(page, live_server, cast.department.username)
    page.get_by_role("navigation").get_by_role("link", name="Nhập từ Excel").click()
    upload(page, old)

    expect(page.get_by_role("alert")).to_have_text(NOT_UTF8)
    expect(page.get_by_role("heading", name="Nhập đơn vị từ tệp Excel hoặc CSV")).to_be_visible()
    assert ImportBatch.objects.count() == 0
