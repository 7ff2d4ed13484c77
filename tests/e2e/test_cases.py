"""Complaint and denunciation cases in the browser: a unit's security officer registers a
complaint, sees its legal deadline, moves it through to a conclusion; the department sees
the city's overdue cases on the board."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from antq.cases import services
from antq.cases.models import Case
from antq.cases.status import CaseStatus
from tests.conftest import Cast
from tests.e2e.conftest import login, logout

pytestmark = pytest.mark.e2e


def _step(page: Page, to: str, *, on: str, reason: str = "", conclusion: str = "") -> None:
    page.locator("#id_move_to").select_option(value=to)
    page.locator("#id_move_on").fill(on)
    if reason:
        page.locator("#id_move_reason").fill(reason)
    if conclusion:
        page.locator("#id_move_conclusion").fill(conclusion)
    page.get_by_role("button", name="Thực hiện").click()


def test_a_unit_officer_registers_a_complaint_and_takes_it_to_its_conclusion(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.unit_x_officer.username)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Khiếu nại, tố cáo"
    ).click()
    expect(page.get_by_text("Chưa có vụ việc khiếu nại, tố cáo nào")).to_be_visible()
    page.get_by_role("link", name="Đăng ký vụ việc", exact=True).click()

    page.locator("#id_kind").select_option(label="Khiếu nại lần đầu")
    page.locator("#id_subject").fill("Khiếu nại quyết định chấm dứt hợp đồng lao động")
    page.locator("#id_content").fill(
        "Bà Lê Thị C khiếu nại quyết định chấm dứt hợp đồng của bệnh viện."
    )
    page.locator("#id_channel").select_option(label="Trực tiếp tại nơi tiếp công dân")
    page.locator("#id_received_on").fill("2026-11-02")
    page.locator("#id_filer_name").fill("Lê Thị C")
    page.get_by_role("button", name="Đăng ký vụ việc").click()

    case = Case.objects.get()
    # Received Monday 02/11/2026: thụ lý within 10 working days (Luật Khiếu nại Điều 27).
    expect(page.locator(".messages")).to_contain_text(f"Đã đăng ký vụ việc {case.code}")
    expect(page.locator(".messages")).to_contain_text("16/11/2026")
    expect(page.locator("#thoi-han")).to_contain_text("Điều 27")

    _step(page, "initial", on="2026-11-03")
    expect(page.locator("h1 .badge")).to_have_text("Xử lý ban đầu")
    expect(page.locator("#id_move_to option[value=accepted]")).to_contain_text("Điều 27")
    _step(page, "accepted", on="2026-11-05")
    expect(page.locator("h1 .badge")).to_have_text("Đã thụ lý")
    # Thụ lý 05/11/2026 + 30 days (Luật Khiếu nại Điều 28) = 05/12/2026, a Saturday: the
    # period ends on Monday 07/12/2026 (BLDS 2015 Điều 148 khoản 5).
    expect(page.locator("#thoi-han")).to_contain_text("07/12/2026")

    _step(page, "verifying", on="2026-11-06")
    expect(page.locator("h1 .badge")).to_have_text("Xác minh")

    _step(page, "concluded", on="2026-11-20")  # without its text: refused, nothing changes
    expect(page.locator("#chuyen-buoc .errorlist")).to_contain_text("Hãy ghi nội dung kết luận")
    expect(page.locator("h1 .badge")).to_have_text("Xác minh")
    _step(
        page,
        "concluded",
        on="2026-11-20",
        conclusion="Khiếu nại đúng một phần; bệnh viện xem xét lại quyết định.",
    )
    expect(page.locator("h1 .badge")).to_have_text("Kết luận, quyết định")
    expect(page.locator("#dien-bien")).to_contain_text("Luật Khiếu nại Điều 31")
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED
    assert case.deadlines.get(stage="resolution").met_on == dt.date(2026, 11, 20)


def test_the_department_sees_the_overdue_board(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    late = services.case_register(
        actor=cast.department,
        kind="denunciation",
        subject="Tố cáo cán bộ nhận tiền",
        content="Nội dung tố cáo",
        channel="post",
        received_on=dt.date(2026, 9, 1),
        unit=cast.unit_y,
        sealed=services.SealedInput(name="Người Tố Cáo Thật"),
    )
    on_time = services.case_register(
        actor=cast.department,
        kind="petition",
        subject="Kiến nghị về an ninh trật tự",
        content="Nội dung kiến nghị",
        channel="direct",
        received_on=dt.date.today(),
        unit=cast.unit_x,
        filer_name="Phạm Văn D",
    )
    login(page, live_server, cast.department.username)
    page.goto(live_server.url + "/khieu-nai-to-cao/qua-han/")
    expect(page.get_by_role("link", name=late.code)).to_be_visible()
    expect(page.get_by_role("link", name=on_time.code)).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Người Tố Cáo Thật")
    logout(page)

    login(page, live_server, cast.ward_a_officer.username)  # unit Y is in ward B
    page.goto(live_server.url + "/khieu-nai-to-cao/qua-han/")
    expect(page.get_by_role("link", name=late.code)).to_have_count(0)


def test_the_department_registers_a_denunciation_for_a_unit_found_by_name(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.department.username)
    page.goto(live_server.url + "/khieu-nai-to-cao/moi/")
    page.locator("#id_kind").select_option(value="denunciation")
    page.locator("#id_subject").fill("Tố cáo trưởng khoa nhận tiền của người bệnh")
    page.locator("#id_content").fill("Người tố cáo trình bày trưởng khoa nhận tiền để xếp lịch mổ.")
    page.locator("#id_channel").select_option(value="post")
    page.locator("#id_received_on").fill("2026-11-16")
    page.locator("#id_ward").select_option(value=str(cast.ward_b.pk))
    page.locator("#id_unit_q").fill(cast.unit_y.name[:10])
    expect(page.locator("#id_unit option", has_text=cast.unit_y.name)).to_have_count(1)
    page.locator("#id_unit").select_option(value=str(cast.unit_y.pk))
    page.locator("#id_sealed_name").fill("Đặng Thị Giấu Tên")
    page.get_by_role("button", name="Đăng ký vụ việc").click()

    case = Case.objects.get()
    expect(page.locator("h1")).to_contain_text(case.code)
    assert case.unit == cast.unit_y
    expect(page.locator("main")).to_contain_text(case.filer_label)
    expect(page.locator("main")).not_to_contain_text("Đặng Thị Giấu Tên")
