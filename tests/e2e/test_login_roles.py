"""Each role logs in through the real form and sees exactly its own part of the registry."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.conftest import Cast
from tests.e2e.conftest import login, logout

pytestmark = pytest.mark.e2e

X = "Bệnh viện Hữu Nghị Việt Đức"
Y = "Trường THPT Trần Phú"

# user, sees unit X, sees unit Y, "Thêm đơn vị" and "Nhập từ Excel", "Người dùng".
# The administrator may manage the registry too (permissions.can_manage_registry).
EXPECTED = [
    ("department", True, True, True, False),
    ("ward_a_officer", True, False, False, False),
    ("unit_x_officer", True, False, False, False),
    ("leader", True, True, False, False),
    ("admin", True, True, True, True),
]


def test_each_role_sees_exactly_its_units_and_menu(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    nav = page.locator("#nav")
    results = page.locator("#unit-results")
    for name, sees_x, sees_y, manages, manages_users in EXPECTED:
        login(page, live_server, cast.by_name(name).username)
        page.goto(live_server.url + "/don-vi/")
        expect(page.get_by_role("heading", name="Đơn vị", exact=True)).to_be_visible()
        for unit_name, sees in ((X, sees_x), (Y, sees_y)):
            link = results.get_by_role("link", name=unit_name)
            expect(link, f"{name}: {unit_name}").to_have_count(int(sees))
        add = page.get_by_role("link", name="+ Thêm đơn vị")
        expect(add, f"{name}: Thêm đơn vị").to_have_count(int(manages))
        imports = nav.get_by_role("link", name="Nhập từ Excel")
        expect(imports, f"{name}: Nhập từ Excel").to_have_count(int(manages))
        users = nav.get_by_role("link", name="Người dùng")
        expect(users, f"{name}: Người dùng").to_have_count(int(manages_users))
        logout(page)


def test_a_ward_officer_gets_the_vietnamese_404_for_another_wards_unit(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.ward_a_officer.username)
    response = page.goto(f"{live_server.url}/don-vi/{cast.unit_y.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
    expect(page.get_by_text(Y)).to_have_count(0)


def test_the_stylesheet_and_htmx_load_from_the_live_server(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    # The page fixture fails the test on any static 404 or script error; this checks that
    # both files were actually applied.
    login(page, live_server, cast.department.username)
    assert page.evaluate("typeof window.htmx") == "object"
    topbar_background = page.locator("header.topbar").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert topbar_background not in ("rgba(0, 0, 0, 0)", "transparent")
