"""``antq cases-scan``: the daily deadline scan from the command line."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from antq.cases import services
from antq.cases.models import Case, DeadlineAlert
from antq.core.models import Notification

D = dt.date


def register(cast: Any) -> Case:
    """Received Monday 05/01/2026: to be accepted by Monday 19/01/2026 (10 working days)."""
    return services.case_register(
        actor=cast.department,
        kind="complaint_1",
        subject="Khiếu nại quyết định xử phạt",
        content="Nội dung khiếu nại",
        channel="direct",
        received_on=D(2026, 1, 5),
        ward_id=cast.ward_a.pk,
    )


def scan(*args: str) -> str:
    out = StringIO()
    call_command("cases-scan", *args, stdout=out)
    return out.getvalue()


def test_an_overdue_case_is_alerted_once(cast: Any) -> None:
    case = register(cast)
    output = scan("--on", "2026-02-02")
    assert "Quét thời hạn ngày 02/02/2026:" in output
    assert "Cảnh báo quá hạn: 1 thời hạn" in output
    assert "Nhắc trước 1 ngày làm việc: 0 thời hạn" in output
    assert "Nhắc trước 5 ngày làm việc: 0 thời hạn" in output
    assert "Đã gửi 2 thông báo tới cán bộ." in output
    alerts = Notification.objects.order_by("user__username")
    assert [(n.user.username, n.urgent) for n in alerts] == [("ca_a", True), ("phongxdpt", True)]
    assert alerts[0].title == f"Quá hạn thụ lý (xử lý ban đầu): {case.code}"
    assert alerts[0].url == reverse("cases:case_detail", args=[case.pk])

    again = scan("--on", "2026-02-02")
    assert "Cảnh báo quá hạn: 0 thời hạn" in again
    assert "Đã gửi 0 thông báo tới cán bộ." in again
    assert Notification.objects.count() == 2


def test_a_reminder_comes_before_the_deadline(cast: Any) -> None:
    register(cast)
    # Five working days before Monday 19/01/2026 is Monday 12/01/2026.
    output = scan("--on", "12/01/2026")
    assert "Nhắc trước 5 ngày làm việc: 1 thời hạn" in output
    assert "Cảnh báo quá hạn: 0 thời hạn" in output
    [reminder] = Notification.objects.all()
    assert (reminder.user, reminder.urgent) == (cast.department, False)
    assert reminder.title.startswith("Sắp đến hạn")


def test_enqueue_hands_the_scan_to_the_worker(cast: Any) -> None:
    register(cast)
    output = scan("--on", "2026-02-02", "--enqueue")
    assert "Đã giao việc quét thời hạn 02/02/2026 cho tiến trình nền" in output
    # The test settings run tasks at once (the immediate backend).
    assert DeadlineAlert.objects.filter(level="overdue").count() == 1
    assert Notification.objects.count() == 2


@pytest.mark.parametrize("bad", ["2026-13-01", "hôm qua", "31/02/2026"])
def test_a_bad_date_is_refused_in_vietnamese(cast: Any, bad: str) -> None:
    register(cast)
    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        scan("--on", bad)
    assert not Notification.objects.exists()
