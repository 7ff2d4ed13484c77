"""Browsing the unit list: htmx live search without diacritics, filters kept in the URL."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.conftest import Cast
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

X = "Bệnh viện Hữu Nghị Việt Đức"
Y = "Trường THPT Trần Phú"


def test_the_live_search_finds_units_typed_without_diacritics_and_keeps_filters_on_reload(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.department.username)
    page.goto(live_server.url + "/don-vi/")
    results = page.locator("#unit-results")
    expect(results).to_contain_text(X)
    expect(results).to_contain_text(Y)

    # Typing updates only the results (htmx), without submitting the form.
    page.locator("#id_q").press_sequentially("benh vien")
    expect(results).not_to_contain_text(Y)
    expect(results.get_by_role("link", name=X)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/don-vi/\?(.*&)?q=benh(\+|%20)vien"))

    page.reload()
    expect(page.locator("#id_q")).to_have_value("benh vien")
    expect(results.get_by_role("link", name=X)).to_be_visible()
    expect(results).not_to_contain_text(Y)

    page.locator("#id_q").fill("")
    expect(results).to_contain_text(Y)
    page.locator("#id_block").select_option(label="Trường học, cơ sở giáo dục")
    expect(results).not_to_contain_text(X)
    expect(results.get_by_role("link", name=Y)).to_be_visible()
    expect(page).to_have_url(re.compile(r"block=giao_duc"))

    page.reload()
    expect(page.locator("#id_block")).to_have_value("giao_duc")
    expect(results.get_by_role("link", name=Y)).to_be_visible()
    expect(results).not_to_contain_text(X)


def test_a_search_without_matches_says_so_in_vietnamese(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.ward_a_officer.username)
    page.goto(live_server.url + "/don-vi/")
    # Unit Y exists, but lies outside ward A: the search must not reveal it.
    page.locator("#id_q").press_sequentially("tran phu")
    results = page.locator("#unit-results")
    expect(results).to_contain_text("Không có đơn vị nào phù hợp với điều kiện tìm kiếm.")
    expect(results.get_by_role("link", name="Bỏ mọi điều kiện lọc")).to_be_visible()
