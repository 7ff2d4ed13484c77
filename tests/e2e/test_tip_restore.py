"""The operator types a caller's words without diacritics, restores them with "Thêm dấu",
checks them, and can go back to what he typed with "Hoàn tác"."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from antq.textvn import fold
from antq.tips.models import Tip
from tests.conftest import Cast
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

OPERATOR_FORM = "/tin-bao/goi-den/"
TYPED = "Co nguoi ban ma tuy o cuoi ngo 12 moi toi"


def test_the_operator_restores_the_diacritics_of_what_he_typed_and_can_undo_it(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.ward_a_officer.username)
    page.goto(live_server.url + OPERATOR_FORM)
    page.locator("#id_category").select_option(label="Ma túy")
    text = page.locator("#id_text")
    text.fill(TYPED)

    page.get_by_role("button", name="Thêm dấu").click()
    panel = page.locator(".restore-panel")
    expect(panel).to_contain_text("Thêm dấu tự động — có thể chưa đúng, đối chiếu với bản gốc")
    expect(text).not_to_have_value(TYPED)
    restored = text.input_value()
    assert restored.startswith("Có người bán ma túy"), restored
    assert fold(restored) == fold(TYPED)  # the same words, with their marks
    expect(page.get_by_test_id("restore-preview")).to_have_text(restored)

    page.get_by_role("button", name="Hoàn tác").click()
    expect(text).to_have_value(TYPED)
    expect(panel).to_have_count(0)
    expect(text).to_be_focused()

    # From the keyboard: F2 in the text restores, Ctrl+Enter saves what he accepted.
    text.press("F2")
    expect(text).to_have_value(restored)
    text.press("Control+Enter")
    expect(page.locator(".receipt h2")).to_contain_text("Đã ghi nhận tin báo")
    tip = Tip.objects.get()
    assert (tip.category.code, tip.text, tip.text_restored) == ("ma-tuy", restored, "")


def test_without_javascript_thêm_dấu_posts_the_form_and_enter_still_saves(
    browser: Browser, browser_context_args: dict[str, Any], live_server: LiveServer, cast: Cast
) -> None:
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    login(page, live_server, cast.ward_a_officer.username)
    page.goto(live_server.url + OPERATOR_FORM)
    page.locator("#id_category").select_option(label="Ma túy")
    page.locator("#id_text").fill(TYPED)
    page.locator("#id_place").fill("Ngõ 12 Hàng Bạc")

    page.get_by_role("button", name="Thêm dấu").click()
    expect(page.locator(".restore-panel")).to_contain_text("Thêm dấu tự động")
    restored = page.locator("#id_text").input_value()
    assert restored != TYPED and fold(restored) == fold(TYPED)
    expect(page.locator("#id_place")).to_have_value("Ngõ 12 Hàng Bạc")
    assert Tip.objects.count() == 0

    page.get_by_role("button", name="Hoàn tác").click()
    expect(page.locator("#id_text")).to_have_value(TYPED)
    # Enter in a one-line field saves (the form's default button), never "Thêm dấu".
    page.locator("#id_place").press("Enter")
    expect(page.locator(".receipt h2")).to_contain_text("Đã ghi nhận tin báo")
    tip = Tip.objects.get()
    assert (tip.text, tip.place) == (TYPED, "Ngõ 12 Hàng Bạc")
    assert fold(tip.text_restored) == fold(TYPED)  # typed without marks: restored on intake
    context.close()
