"""The language switch in the header, and the unit list on a 375 px phone screen."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.conftest import Cast
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

SCREENSHOT = Path(tempfile.gettempdir()) / "e2e-375.png"


def test_the_header_switches_the_language_to_english_and_back(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.department.username)
    page.goto(live_server.url + "/don-vi/?block=y_te")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "vi")
    switch = page.locator("header form.lang")

    switch.get_by_role("button", name="EN", exact=True).click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Units")).to_be_visible()
    expect(page.get_by_role("link", name="Audit trail")).to_be_visible()
    # The switch returns to the same page, filters included.
    expect(page).to_have_url(live_server.url + "/don-vi/?block=y_te")
    page.goto(live_server.url + "/dia-ban/")
    expect(html).to_have_attribute("lang", "en")

    switch.get_by_role("button", name="VI", exact=True).click()
    expect(html).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Xã, phường")).to_be_visible()
    expect(page).to_have_url(live_server.url + "/dia-ban/")


def test_the_unit_list_fits_a_375_px_phone_and_the_menu_opens(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, live_server, cast.department.username)
    page.goto(live_server.url + "/don-vi/")
    expect(page.locator("#unit-results table")).to_be_visible()

    # Wide tables scroll inside .table-wrap; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    page.screenshot(path=SCREENSHOT, full_page=True)

    toggle = page.get_by_role("button", name="Trình đơn")
    nav = page.locator("#nav")
    expect(toggle).to_be_visible()
    expect(nav).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Nhập từ Excel")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1

    nav.get_by_role("link", name="Địa bàn").click()
    expect(page).to_have_url(live_server.url + "/dia-ban/")
