"""The export of the officer's tip list: exactly the visible, filtered tips, never who
reported them."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from antq.core.models import Job
from antq.tips.models import Tip, TipCategory
from antq.tips.services import tip_assign, tip_transition
from antq.tips.status import Outcome, TipStatus
from tests.factories import make_tip, receive_tip
from tests.registry.test_importing import read_sheet

URL = "/tin-bao/xuat/"
HEADERS = [
    "Mã tin báo",
    "Ngày tiếp nhận",
    "Kênh tiếp nhận",
    "Loại tin báo",
    "Mức độ",
    "Xã, phường",
    "Địa điểm",
    "Đơn vị liên quan",
    "Nội dung",
    "Trạng thái",
    "Kết quả",
    "Hạn xác minh",
    "Cán bộ xử lý",
]


def export(client: Any, **params: Any) -> list[list[Any]]:
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="tin-bao-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    return read_sheet(response.content)


def codes(sheet: list[list[Any]]) -> list[str]:
    return sorted(row[0] for row in sheet[1:])


@pytest.fixture
def tips(cast: Any) -> dict[str, Tip]:
    return {
        "a": make_tip(ward=cast.ward_a, text="Trộm xe máy trước cổng chợ Hàng Bè"),
        "b": make_tip(ward=cast.ward_b, text="Đánh nhau ở quán nước đầu phố Hàng Bông"),
        "x": make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x, text="Học sinh bị bắt nạt"),
    }


def test_the_url_is_the_export() -> None:
    assert reverse("tipmanage:tip_export") == URL


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("admin", ["a", "b", "x"]),
        ("department", ["a", "b", "x"]),
        ("leader", ["a", "b", "x"]),
        ("ward_a_officer", ["a", "x"]),
        ("ward_b_officer", ["b"]),
        ("unit_x_officer", ["x"]),
        ("unit_y_officer", []),
    ],
)
def test_the_export_contains_only_the_tips_the_user_may_see(
    client: Any, cast: Any, tips: dict[str, Tip], role: str, visible: list[str]
) -> None:
    client.force_login(cast.by_name(role))
    assert codes(export(client)) == sorted(tips[k].code for k in visible)


def test_a_ward_officer_cannot_export_another_ward_by_asking_for_it(
    client: Any, cast: Any, tips: dict[str, Tip]
) -> None:
    client.force_login(cast.ward_a_officer)
    assert codes(export(client, ward=cast.ward_b.pk)) == sorted([tips["a"].code, tips["x"].code])


def test_the_export_applies_the_filters_of_the_inbox(
    client: Any, cast: Any, tips: dict[str, Tip]
) -> None:
    tip_transition(tip=tips["b"], to=TipStatus.VERIFYING, actor=cast.department)
    phone = make_tip(ward=cast.ward_a, channel="phone", urgency="urgent")
    Tip.objects.filter(pk=tips["a"].pk).update(received_at=timezone.now() - dt.timedelta(days=40))
    client.force_login(cast.department)
    category = TipCategory.objects.get(code="bao-luc-hoc-duong")
    today = timezone.localdate()
    assert codes(export(client, status="verifying")) == [tips["b"].code]
    assert codes(export(client, category=category.pk)) == [tips["x"].code]
    assert codes(export(client, channel="phone")) == [phone.code]
    assert codes(export(client, urgency="urgent")) == [phone.code]
    assert codes(export(client, ward=cast.ward_b.pk)) == [tips["b"].code]
    old = today - dt.timedelta(days=40)
    assert codes(export(client, date_from=f"{old:%Y-%m-%d}", date_to=f"{old:%Y-%m-%d}")) == [
        tips["a"].code
    ]
    assert tips["a"].code not in codes(export(client, date_from=f"{today:%Y-%m-%d}"))


def test_the_boxes_of_the_inbox_apply_too(client: Any, cast: Any, tips: dict[str, Tip]) -> None:
    tip_assign(tip=tips["a"], assignee=cast.ward_a_officer, actor=cast.department)
    Tip.objects.filter(pk=tips["x"].pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(cast.ward_a_officer)
    assert codes(export(client, box="mine")) == [tips["a"].code]
    assert codes(export(client, box="overdue")) == [tips["x"].code]
    assert codes(export(client, box="unassigned")) == [tips["x"].code]


def test_the_search_of_the_inbox_applies_without_accents(
    client: Any, cast: Any, tips: dict[str, Tip]
) -> None:
    client.force_login(cast.department)
    assert codes(export(client, q="danh nhau hang bong")) == [tips["b"].code]


def test_a_row_holds_the_columns_of_the_list_in_words(client: Any, cast: Any) -> None:
    tip = make_tip(
        category="vi-pham-don-vi",
        unit=cast.unit_x,
        place="Khoa Cấp cứu",
        text="Có người thu tiền giữ xe trái phép",
        channel="phone",
    )
    tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.department)
    tip_transition(
        tip=tip,
        to=TipStatus.HANDLED,
        actor=cast.department,
        reason="Đã xử phạt",
        outcome=Outcome.ADMIN_PENALTY,
    )
    tip.refresh_from_db()
    client.force_login(cast.department)
    sheet = export(client)
    assert sheet[0] == HEADERS
    received = timezone.localtime(tip.received_at).replace(tzinfo=None, microsecond=0)
    assert sheet[1] == [
        tip.code,
        received,
        "Điện thoại",
        "Vi phạm tại cơ quan, doanh nghiệp, bệnh viện, trường học",
        "Bình thường",
        "Phường Hoàn Kiếm",
        "Khoa Cấp cứu",
        "Bệnh viện Hữu Nghị Việt Đức",
        "Có người thu tiền giữ xe trái phép",
        "Đã xử lý",
        "Xử phạt vi phạm hành chính",
        dt.datetime.combine(tip.deadline, dt.time.min),
        cast.ward_a_officer.full_name,
    ]


def test_the_export_never_contains_who_reported_the_tip(client: Any, cast: Any) -> None:
    receipt = receive_tip(
        ward=cast.ward_a,
        anonymous=False,
        reporter_name="Nguyễn Thị Tố Giác",
        reporter_phone="0987 654 321",
        reply_to="+84911222333",
        channel="sms",
    )
    client.force_login(cast.department)
    with CaptureQueriesContext(connection) as queries:
        sheet = export(client)
    cells = " ".join(str(v) for row in sheet for v in row)
    assert receipt.passphrase
    for secret in ("Tố Giác", "987654321", "987 654 321", "911222333", receipt.passphrase):
        assert secret not in cells
    # The identity columns are not even read from the database.
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for column in ("reporter_name_enc", "reporter_phone_enc", "reply_to_enc", "passphrase"):
        assert column not in read
    csv_text = client.get(URL, {"format": "csv"}).content.decode("utf-8-sig")
    for secret in ("Tố Giác", "987654321", "911222333", receipt.passphrase):
        assert secret not in csv_text


def test_the_export_neutralises_formulas(client: Any, cast: Any) -> None:
    make_tip(
        ward=cast.ward_a,
        text='=HYPERLINK("http://evil.example","Bấm vào đây")',
        place="+1+cmd|' /C calc'!A0",
    )
    client.force_login(cast.department)
    row = export(client)[1]
    assert row[8] == '\'=HYPERLINK("http://evil.example","Bấm vào đây")'
    assert row[6] == "'+1+cmd|' /C calc'!A0"
    text = client.get(URL, {"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "'+1+cmd" in text


def test_the_csv_is_utf8_with_a_byte_order_mark_for_excel(
    client: Any, cast: Any, tips: dict[str, Tip]
) -> None:
    client.force_login(cast.ward_b_officer)
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    assert response.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    tip = tips["b"]
    received = timezone.localtime(tip.received_at)
    assert rows[0] == HEADERS
    assert rows[1] == [
        tip.code,
        f"{received:%d/%m/%Y %H:%M}",
        "Trang web",
        "Khác",
        "Bình thường",
        "Phường Cửa Nam",
        "",
        "",
        "Đánh nhau ở quán nước đầu phố Hàng Bông",
        "Mới",
        "",
        f"{tip.deadline:%d/%m/%Y}",
        "",
    ]
    assert len(rows) == 2


def test_a_large_export_is_written_by_the_worker(
    client: Any,
    cast: Any,
    tips: dict[str, Tip],
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BACKGROUND_THRESHOLD_ROWS = 1
    settings.VAR_DIR = tmp_path
    client.force_login(cast.ward_a_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, {"format": "csv", "q": "", "status": "new"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job", args=[job.pk])
    assert (job.kind, job.owner, job.status, job.total, job.message) == (
        "tips_export",
        cast.ward_a_officer,
        "done",
        2,
        "Đã xuất 2 tin báo.",
    )
    assert job.params == {
        "filters": {
            "box": "",
            "category": None,
            "ward": None,
            "status": "new",
            "channel": "",
            "urgency": "",
            "date_from": None,
            "date_to": None,
        },
        "q": "",
        "format": "csv",
    }
    assert job.result_name.startswith("tin-bao-") and job.result_name.endswith(".csv")
    download = client.get(reverse("core:job_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert sorted(r[0] for r in rows[1:]) == sorted([tips["a"].code, tips["x"].code])
    # The file is the owner's alone.
    client.force_login(cast.ward_b_officer)
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def test_a_large_xlsx_export_keeps_the_dates_of_the_filter(
    client: Any,
    cast: Any,
    tips: dict[str, Tip],
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BACKGROUND_THRESHOLD_ROWS = 1
    settings.VAR_DIR = tmp_path
    Tip.objects.filter(pk=tips["b"].pk).update(received_at=timezone.now() - dt.timedelta(days=9))
    since = timezone.localdate() - dt.timedelta(days=2)
    client.force_login(cast.department)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(URL, {"date_from": f"{since:%Y-%m-%d}"})
    job = Job.objects.get()
    assert job.params["filters"]["date_from"] == since.isoformat()
    download = client.get(reverse("core:job_download", args=[job.pk]))
    sheet = read_sheet(b"".join(download.streaming_content))
    assert codes(sheet) == sorted([tips["a"].code, tips["x"].code])
