"""The import pages: upload, preview, confirm, cancel, rejected rows, template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from antq.core.jobs import job_create
from antq.core.models import AuditEntry, Job
from antq.registry import importing
from antq.registry.importing import COLUMNS, import_batch_confirm, import_batch_create
from antq.registry.models import ImportBatch, ImportRow, Unit
from tests.registry.test_importing import HEADERS, read_sheet, unit_values, xlsx_bytes


def post_file(client: Any, content: bytes, name: str = "don-vi.xlsx") -> Any:
    return client.post(
        reverse("registry:import_upload"), {"file": SimpleUploadedFile(name, content)}
    )


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def make_batch(user: Any, rows: list[list[Any]]) -> ImportBatch:
    content = xlsx_bytes(rows)
    return import_batch_create(owner=user, upload=SimpleUploadedFile("a.xlsx", content)).batch


MIXED = [
    unit_values(name="Trường Tiểu học Tràng An", code="0101"),
    unit_values(name="", code="0102"),
    unit_values(name="Trường Mầm non Hoa Mai", email="sai@"),
    unit_values(name="Công ty Điện lực Hoàn Kiếm", kind="dnnn", code="0104"),
]


# --- Permissions ----------------------------------------------------------------------------

DENIED = ["ward_a_officer", "unit_x_officer", "unit_x_head", "leader"]


@pytest.mark.parametrize("role", DENIED)
def test_only_the_department_may_open_the_import_pages(client, cast, role) -> None:
    user = cast.by_name(role)
    # A batch of his own (had he been moved from the department): visible, but not usable.
    own = ImportBatch.objects.create(owner=user, filename="cu.xlsx")
    client.force_login(user)
    for name, args in [
        ("import_upload", []),
        ("import_template", []),
        ("import_preview", [own.pk]),
        ("import_rejected", [own.pk]),
    ]:
        response = client.get(reverse(f"registry:{name}", args=args))
        assert response.status_code == 403, name
        assert "Chỉ cán bộ phòng Xây dựng phong trào được nhập đơn vị từ tệp." in (
            response.content.decode()
        )


@pytest.mark.parametrize("role", DENIED)
def test_a_denied_user_changes_nothing(client, cast, role) -> None:
    user = cast.by_name(role)
    batch = make_batch(cast.department, [unit_values()])
    own = ImportBatch.objects.create(owner=user, filename="cu.xlsx", total_rows=1, valid_rows=1)
    units = Unit.objects.count()
    client.force_login(user)
    assert post_file(client, xlsx_bytes([unit_values()])).status_code == 403
    for name in ("import_confirm", "import_cancel"):
        for target, status in ((own, 403), (batch, 404)):
            response = client.post(reverse(f"registry:{name}", args=[target.pk]), {"mode": "all"})
            assert response.status_code == status, (name, target.filename)
    assert list(ImportBatch.objects.order_by("pk").values_list("status", flat=True)) == [
        "preview",
        "preview",
    ]
    assert Unit.objects.count() == units
    assert AuditEntry.objects.count() == 0


def test_a_batch_is_private_to_its_owner(client, cast) -> None:
    batch = make_batch(cast.admin, [unit_values()])
    units = Unit.objects.count()
    client.force_login(cast.department)
    for name in ("import_preview", "import_rejected"):
        assert client.get(reverse(f"registry:{name}", args=[batch.pk])).status_code == 404
    for name in ("import_confirm", "import_cancel"):
        response = client.post(reverse(f"registry:{name}", args=[batch.pk]), {"mode": "all"})
        assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.status == "preview"
    assert Unit.objects.count() == units


def test_the_list_of_recent_imports_shows_only_my_own(client, cast) -> None:
    make_batch(cast.admin, [unit_values()])
    client.force_login(cast.department)
    assert client.get(reverse("registry:import_upload")).context["batches"] == []


# --- Upload ---------------------------------------------------------------------------------


def test_the_upload_page_explains_the_columns(client, cast) -> None:
    client.force_login(cast.department)
    body = client.get(reverse("registry:import_upload")).content.decode()
    for column in COLUMNS:
        assert column.header in body
    assert reverse("registry:import_template") in body


def test_uploading_a_file_checks_it_and_shows_the_preview(client, cast) -> None:
    units = Unit.objects.count()
    client.force_login(cast.department)
    response = post_file(client, xlsx_bytes(MIXED))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_preview", args=[batch.pk])
    assert messages_of(response) == [
        "Đã đọc 4 dòng: 2 dòng hợp lệ, 2 dòng có lỗi. Chưa có đơn vị nào được nhập; "
        "hãy xem lại rồi xác nhận."
    ]
    assert (batch.owner, batch.filename, batch.total_rows, batch.valid_rows) == (
        cast.department,
        "don-vi.xlsx",
        4,
        2,
    )
    assert Unit.objects.count() == units


def test_unknown_columns_are_reported_once_as_a_warning(client, cast) -> None:
    client.force_login(cast.department)
    rows = [[*unit_values(), "x", "y"], [*unit_values(name="Khác"), "z", ""]]
    response = post_file(client, xlsx_bytes(rows, [*HEADERS, "Mã nội bộ", "Người nhập"]))
    assert (
        messages_of(response)[0] == "Các cột không nhận ra, sẽ bỏ qua: «Mã nội bộ», «Người nhập»."
    )
    assert ImportBatch.objects.get().valid_rows == 2


def test_a_refused_file_is_explained_on_the_form(client, cast) -> None:
    client.force_login(cast.department)
    response = post_file(client, b"not a workbook", "don-vi.xlsx")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Tệp .xlsx bị hỏng hoặc không phải tệp Excel; hãy mở bằng Excel, lưu lại "
        "(định dạng «Excel Workbook (.xlsx)») rồi tải lên lại."
    ]
    assert ImportBatch.objects.count() == 0


def test_a_file_over_the_limit_is_refused_with_a_message(client, cast, settings) -> None:
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(cast.department)
    response = post_file(client, b"a" * (1024 * 1024 + 10), "lon.csv")
    assert response.context["form"].errors["file"] == [
        "Tệp lớn quá giới hạn 1 MB; hãy chia thành nhiều tệp nhỏ hơn hoặc bỏ bớt các cột, "
        "trang tính không cần thiết."
    ]


def test_uploading_without_a_file_asks_for_one(client, cast) -> None:
    client.force_login(cast.department)
    response = client.post(reverse("registry:import_upload"), {})
    assert response.context["form"].errors["file"] == ["Hãy chọn một tệp để tải lên."]


def test_the_template_has_the_columns_and_an_example_row_that_is_valid(client, cast) -> None:
    client.force_login(cast.department)
    response = client.get(reverse("registry:import_template"))
    assert response["Content-Disposition"] == 'attachment; filename="mau-nhap-don-vi.xlsx"'
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = read_sheet(content)
    assert rows[0] == HEADERS
    assert len(rows) == 2
    batch = make_batch(cast.department, [rows[1]])
    assert batch.rows.get().errors == []


# --- Preview --------------------------------------------------------------------------------


def test_the_preview_shows_every_row_with_its_errors(client, cast) -> None:
    batch = make_batch(cast.department, MIXED)
    client.force_login(cast.department)
    response = client.get(reverse("registry:import_preview", args=[batch.pk]))
    body = response.content.decode()
    assert [r.line for r in response.context["rows"]] == [2, 3, 4, 5]
    assert "Thiếu tên đơn vị." in body and "Email «sai@» không hợp lệ." in body
    assert "Trường Tiểu học Tràng An" in body
    # "Nhập tất cả" is disabled while rows have errors; the valid rows can be imported.
    assert 'name="mode" value="all" disabled' in body
    assert "Chỉ nhập các dòng hợp lệ (2 dòng)" in body
    assert reverse("registry:import_rejected", args=[batch.pk]) in body


def test_the_preview_enables_import_all_when_every_row_is_valid(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values()])
    client.force_login(cast.department)
    body = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert 'name="mode" value="all" disabled' not in body
    assert "Nhập tất cả (1 dòng)" in body
    assert "Chỉ nhập các dòng hợp lệ" not in body


def test_the_preview_shows_the_ward_a_former_name_resolved_to(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values(ward="Phường Hàng Bạc")])
    client.force_login(cast.department)
    response = client.get(reverse("registry:import_preview", args=[batch.pk]))
    row = response.context["rows"][0]
    assert (row.ward, row.ward_resolved) == ("Phường Hàng Bạc", "Phường Hoàn Kiếm")


def test_the_preview_names_the_email_column_in_vietnamese(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values()])
    client.force_login(cast.department)
    body = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert "<th>Thư điện tử</th>" in body
    assert "<th>Email</th>" not in body


def test_the_preview_reads_the_columns_matched_when_the_file_was_read(client, cast) -> None:
    headers = ["TEN DON VI", "loai hinh", "xa, phuong", "E-mail"]
    rows = [["Công ty May 10", "dnnn", "Phường Cửa Nam", "may10@vn.vn"]]
    batch = import_batch_create(
        owner=cast.department, upload=SimpleUploadedFile("a.xlsx", xlsx_bytes(rows, headers))
    ).batch
    client.force_login(cast.department)
    # The headers are not matched again for every row of the page.
    with mock.patch.object(importing, "HEADER_FIELDS", {}):
        response = client.get(reverse("registry:import_preview", args=[batch.pk]))
    row = response.context["rows"][0]
    assert (row.name, row.ward, row.email) == ("Công ty May 10", "Phường Cửa Nam", "may10@vn.vn")


def test_the_preview_warns_when_the_same_file_was_imported_before(client, cast) -> None:
    content = xlsx_bytes([unit_values()])
    first = import_batch_create(owner=cast.department, upload=SimpleUploadedFile("a.xlsx", content))
    import_batch_confirm(batch=first.batch, actor=cast.department, only_valid=False)
    at = dt.datetime(2026, 3, 9, 1, 5, tzinfo=dt.UTC)  # 08:05 in Hà Nội
    ImportBatch.objects.filter(pk=first.batch.pk).update(imported_at=at)
    other = make_batch(cast.department, [unit_values(name="Trường khác")])
    again = import_batch_create(
        owner=cast.department, upload=SimpleUploadedFile("lai.xlsx", content)
    ).batch
    client.force_login(cast.department)
    warning = f"Tệp này đã được nhập ngày 09/03/2026 08:05 (lần nhập #{first.batch.pk})."
    response = client.get(reverse("registry:import_preview", args=[again.pk]))
    assert warning in response.content.decode()
    assert response.context["can_confirm"] is True  # a warning, not a refusal
    other_page = client.get(reverse("registry:import_preview", args=[other.pk]))
    assert "Tệp này đã được nhập" not in other_page.content.decode()
    done_page = client.get(reverse("registry:import_preview", args=[first.batch.pk]))
    assert "Tệp này đã được nhập" not in done_page.content.decode()


@pytest.mark.parametrize(
    ("view", "lines"), [("", [2, 3, 4, 5]), ("loi", [3, 4]), ("loi-truoc", [3, 4, 2, 5])]
)
def test_the_preview_can_show_only_the_rows_with_errors_or_them_first(
    client, cast, view, lines
) -> None:
    batch = make_batch(cast.department, MIXED)
    client.force_login(cast.department)
    response = client.get(reverse("registry:import_preview", args=[batch.pk]), {"xem": view})
    assert [r.line for r in response.context["rows"]] == lines


def test_the_preview_is_paginated(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values(name=f"Trường {n}") for n in range(55)])
    client.force_login(cast.department)
    url = reverse("registry:import_preview", args=[batch.pk])
    assert len(client.get(url).context["rows"]) == 50
    assert [r.line for r in client.get(url, {"page": 2}).context["rows"]] == list(range(52, 57))


# --- Confirm and cancel ---------------------------------------------------------------------


def test_importing_all_rows_from_the_preview(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values(), unit_values(name="Trường B")])
    units = Unit.objects.count()
    client.force_login(cast.department)
    url = reverse("registry:import_confirm", args=[batch.pk])
    response = client.post(url, {"mode": "all"})
    assert response.status_code == 302
    assert messages_of(response) == ["Đã nhập 2 đơn vị từ tệp «a.xlsx»."]
    assert Unit.objects.count() == units + 2
    assert AuditEntry.objects.filter(action="import").count() == 2
    # A second click (or a second tab) imports nothing more.
    client.get(response["Location"])  # shows (and so consumes) the message
    again = client.post(url, {"mode": "all"})
    assert messages_of(again) == ["Lần nhập này đã được xử lý trước đó; không nhập lại."]
    assert Unit.objects.count() == units + 2
    body = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert "Đã nhập 2 đơn vị vào danh sách." in body
    assert 'value="all"' not in body


def test_import_all_is_refused_while_rows_have_errors(client, cast) -> None:
    batch = make_batch(cast.department, MIXED)
    units = Unit.objects.count()
    client.force_login(cast.department)
    response = client.post(reverse("registry:import_confirm", args=[batch.pk]), {"mode": "all"})
    assert messages_of(response) == [
        "Không nhập được: tệp còn dòng lỗi. Hãy sửa tệp và tải lên lại, hoặc chọn "
        "«Chỉ nhập các dòng hợp lệ»."
    ]
    assert Unit.objects.count() == units


def test_importing_only_the_valid_rows(client, cast) -> None:
    batch = make_batch(cast.department, MIXED)
    client.force_login(cast.department)
    response = client.post(reverse("registry:import_confirm", args=[batch.pk]), {"mode": "valid"})
    assert messages_of(response) == ["Đã nhập 2 đơn vị từ tệp «a.xlsx»."]
    assert set(
        Unit.objects.filter(code__in=["0101", "0102", "0104"]).values_list("code", flat=True)
    ) == {
        "0101",
        "0104",
    }


def test_a_conflict_at_confirm_time_is_shown_and_nothing_is_imported(client, cast) -> None:
    batch = make_batch(
        cast.department,
        [unit_values(name="Trường A", code="0101"), unit_values(name="Trường B", code="0102")],
    )
    Unit.objects.filter(pk=cast.unit_y.pk).update(code="0102")
    units = Unit.objects.count()
    client.force_login(cast.department)
    response = client.post(reverse("registry:import_confirm", args=[batch.pk]), {"mode": "all"})
    assert messages_of(response) == [
        "Có 1 dòng hiện đã trùng với đơn vị có trong danh sách (cùng mã số thuế, hoặc cùng "
        "tên và xã, phường; có thể vừa được nhập); chưa nhập dòng nào. Hãy xem các dòng lỗi "
        "rồi quyết định lại."
    ]
    assert Unit.objects.count() == units
    body = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert (
        "Mã số thuế / mã đơn vị «0102» đã có trong danh sách (đơn vị «Trường THPT Trần Phú»)."
        in body
    )


def test_cancelling_from_the_preview(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values()])
    units = Unit.objects.count()
    client.force_login(cast.department)
    response = client.post(reverse("registry:import_cancel", args=[batch.pk]))
    assert response["Location"] == reverse("registry:import_upload")
    assert messages_of(response) == ["Đã huỷ lần nhập tệp «a.xlsx»; không có đơn vị nào được thêm."]
    batch.refresh_from_db()
    assert batch.status == "cancelled"
    assert Unit.objects.count() == units
    body = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert "Lần nhập này đã được huỷ; không có đơn vị nào được thêm." in body


def test_confirm_and_cancel_only_accept_post(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values()])
    client.force_login(cast.department)
    for name in ("import_confirm", "import_cancel"):
        assert client.get(reverse(f"registry:{name}", args=[batch.pk])).status_code == 405
    batch.refresh_from_db()
    assert batch.status == "preview"


# --- Rejected rows --------------------------------------------------------------------------


def test_the_rejected_rows_download_has_the_original_columns_and_the_errors(client, cast) -> None:
    headers = [*HEADERS, "Mã nội bộ"]
    rows = [[*r, f"NB-{i}"] for i, r in enumerate(MIXED)]
    batch = import_batch_create(
        owner=cast.department, upload=SimpleUploadedFile("x.xlsx", xlsx_bytes(rows, headers))
    ).batch
    client.force_login(cast.department)
    response = client.get(reverse("registry:import_rejected", args=[batch.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="dong-loi-lan-nhap-{batch.pk}.xlsx"'
    )
    sheet = read_sheet(response.content)
    assert sheet[0] == [*headers, "Lỗi"]
    assert len(sheet) == 3
    assert sheet[1][0] == "" and sheet[1][-2:] == ["NB-1", "Thiếu tên đơn vị."]
    assert sheet[2][0] == "Trường Mầm non Hoa Mai"
    assert sheet[2][-1] == "Email «sai@» không hợp lệ."
    # The corrected file can be uploaded again: "Lỗi" is not an unknown column.
    fixed = [[*sheet[1][:-1]], [*sheet[2][:-1]]]
    fixed[0][0] = "Trường Tiểu học Lý Thái Tổ"
    fixed[1][HEADERS.index("Email")] = "mnhoamai@hanoi.edu.vn"
    again = import_batch_create(
        owner=cast.department,
        upload=SimpleUploadedFile("sua.xlsx", xlsx_bytes(fixed, sheet[0][:-1])),
    )
    assert (again.batch.total_rows, again.batch.valid_rows) == (2, 2)
    assert again.unknown_columns == ["Mã nội bộ"]


# --- Large files ----------------------------------------------------------------------------


@pytest.fixture
def small_threshold(settings, tmp_path: Path) -> None:
    settings.BACKGROUND_THRESHOLD_ROWS = 2
    settings.VAR_DIR = tmp_path


def test_a_large_upload_is_checked_in_the_background(
    client, cast, small_threshold, django_capture_on_commit_callbacks
) -> None:
    client.force_login(cast.department)
    rows = [unit_values(name=f"Trường số {n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, xlsx_bytes(rows))
    assert messages_of(response) == [
        "Tệp lớn nên được kiểm tra ở chế độ nền; trang sẽ tự cập nhật khi xong."
    ]
    batch = ImportBatch.objects.get()
    assert (batch.total_rows, batch.valid_rows) == (5, 5)
    client.get(response["Location"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_confirm", args=[batch.pk]), {"mode": "all"})
    assert messages_of(response) == [
        "Đang nhập 5 đơn vị ở chế độ nền; trang sẽ tự cập nhật khi xong."
    ]
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows) == ("done", 5)


def test_the_preview_polls_while_the_worker_is_busy_then_reloads(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values()])
    job = job_create(owner=cast.department, kind="units_import", params={}, total=10)
    ImportBatch.objects.filter(pk=batch.pk).update(status="queued", job=job)
    Job.objects.filter(pk=job.pk).update(status="running", progress=4)
    client.force_login(cast.department)
    url = reverse("registry:import_preview", args=[batch.pk])

    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "Đang nhập các đơn vị vào danh sách…" in page
    assert "Nhập tất cả" not in page

    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert 'id="import-progress"' in partial and "4/10" in partial

    ImportBatch.objects.filter(pk=batch.pk).update(status="done")
    Job.objects.filter(pk=job.pk).update(status="done")
    finished = client.get(url, HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"


def test_a_stuck_import_can_be_cancelled_from_its_page(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values()])
    job = job_create(owner=cast.department, kind="units_import", params={}, total=1)
    ImportBatch.objects.filter(pk=batch.pk).update(status="queued", job=job)
    client.force_login(cast.department)
    url = reverse("registry:import_preview", args=[batch.pk])
    cancel = reverse("registry:import_cancel", args=[batch.pk])
    page = client.get(url).content.decode()
    assert cancel not in page and "có thể đã dừng" not in page

    Job.objects.filter(pk=job.pk).update(status="failed")
    page = client.get(url).content.decode()
    assert "Máy xử lý nền chưa làm xong việc này và có thể đã dừng." in page
    assert cancel in page
    response = client.post(cancel)
    assert messages_of(response) == ["Đã huỷ lần nhập tệp «a.xlsx»; không có đơn vị nào được thêm."]
    batch.refresh_from_db()
    assert batch.status == "cancelled"


def test_a_failed_background_check_is_explained(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values()])
    ImportRow.objects.filter(batch=batch).delete()
    job = job_create(owner=cast.department, kind="units_import_check", params={})
    Job.objects.filter(pk=job.pk).update(status="failed", message="Tệp có hơn 3 dòng.")
    ImportBatch.objects.filter(pk=batch.pk).update(status="failed", job=job)
    client.force_login(cast.department)
    body = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert "Tệp có hơn 3 dòng." in body
    assert "Không đọc được tệp này; không có đơn vị nào được thêm." in body


def test_the_upload_page_lists_my_recent_imports(client, cast) -> None:
    batch = make_batch(cast.department, [unit_values()])
    client.force_login(cast.department)
    response = client.get(reverse("registry:import_upload"))
    assert response.context["batches"] == [batch]
    assert "<td>Chờ xác nhận</td>" in response.content.decode()
    assert reverse("registry:import_preview", args=[batch.pk]) in response.content.decode()


def test_a_vietnamese_file_is_read_the_same_when_the_ui_is_in_english(
    client, cast, settings
) -> None:
    client.force_login(cast.department)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = [
        unit_values(name="Trường Mầm non Hoa Sen", kind="Trường mầm non"),
        unit_values(name="Bệnh viện Thanh Nhàn", kind="Hospital"),
    ]
    post_file(client, xlsx_bytes(rows))
    batch = ImportBatch.objects.get()
    assert (batch.total_rows, batch.valid_rows) == (2, 2)
    assert [r.cleaned["kind"] for r in batch.rows.order_by("line")] == ["mam_non", "benh_vien"]
