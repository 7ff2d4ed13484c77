"""Editing a unit in the browser: save with a flash and a history row, refuse a bad phone,
and a unit's own officer only sees the fields he may change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from antq.core.models import AuditEntry
from antq.registry.models import Unit
from tests.conftest import Cast
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_the_department_edits_a_unit_and_sees_the_change_in_its_history(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.department.username)
    page.goto(f"{live_server.url}/don-vi/{cast.unit_x.pk}/")
    expect(page.get_by_text("Chưa có thay đổi nào được ghi.")).to_be_visible()
    page.get_by_role("link", name="Sửa", exact=True).click()

    page.locator("#id_phone").fill("0912 345 678")
    page.locator("#id_headcount").fill("350")
    page.get_by_role("button", name="Lưu").click()

    expect(page).to_have_url(f"{live_server.url}/don-vi/{cast.unit_x.pk}/")
    expect(page.locator(".messages")).to_have_text("Đã lưu thay đổi.")
    expect(page.locator("dl.props dd").filter(has_text="0912 345 678")).to_have_count(1)
    history = page.locator("table.diff tbody tr")
    expect(history).to_have_count(1)
    # The trail keeps the stored (+84) form; either spelling of the number is acceptable here.
    expect(history).to_contain_text(re.compile(r"Điện thoại: — → (\+84912345678|0912 345 678)"))
    expect(history).to_contain_text("Số cán bộ, nhân viên: — → 350")
    expect(history).to_contain_text(cast.department.get_full_name())

    unit = Unit.objects.get(pk=cast.unit_x.pk)
    assert (unit.phone, unit.headcount) == ("+84912345678", 350)
    assert AuditEntry.objects.filter(action="update").count() == 1


def test_a_bad_phone_number_is_refused_in_vietnamese_and_nothing_is_saved(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    audit_before = AuditEntry.objects.count()
    login(page, live_server, cast.department.username)
    page.goto(f"{live_server.url}/don-vi/{cast.unit_x.pk}/sua/")

    page.locator("#id_phone").fill("12345")
    page.locator("#id_headcount").fill("350")
    page.get_by_role("button", name="Lưu").click()

    expect(page.locator(".errorlist")).to_have_text(
        "Số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678)."
    )
    expect(page.locator("#id_phone")).to_have_value("12345")
    expect(page.locator(".messages")).to_have_count(0)
    unit = Unit.objects.get(pk=cast.unit_x.pk)
    assert (unit.phone, unit.headcount) == ("", None)
    assert AuditEntry.objects.count() == audit_before


def test_a_unit_officer_edits_only_the_contact_fields_of_his_unit(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.unit_x_officer.username)
    page.goto(f"{live_server.url}/don-vi/{cast.unit_x.pk}/sua/")

    expect(page.locator("#id_phone")).to_be_visible()
    for field in ("name", "kind", "ward", "code", "status"):
        expect(page.locator(f"[name={field}]"), field).to_have_count(0)

    page.locator("#id_security_contact_name").fill("Nguyễn Văn An")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".messages")).to_have_text("Đã lưu thay đổi.")
    unit = Unit.objects.get(pk=cast.unit_x.pk)
    assert (unit.security_contact_name, unit.name) == ("Nguyễn Văn An", cast.unit_x.name)
