"""The hotline operator takes a call with the keyboard only: no mouse after the page loads."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from antq.core.crypto import decrypt
from antq.tips.models import Tip
from antq.tips.services import tip_authenticate
from antq.tips.status import Channel, TipStatus
from tests.conftest import Cast
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

OPERATOR_FORM = "/tin-bao/goi-den/"


def test_the_operator_records_an_anonymous_call_with_the_keyboard_only(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.department.username)
    page.goto(live_server.url + OPERATOR_FORM)
    started = time.monotonic()
    keyboard = page.keyboard

    expect(page.locator("#id_category")).to_be_focused()
    expect(page.locator("#id_anonymous")).to_be_checked()
    expect(page.locator("[data-caller-identity]")).to_be_hidden()
    keyboard.type("Lua")
    expect(page.locator("#id_category option:checked")).to_have_text(
        "Lừa đảo, tội phạm công nghệ cao"
    )
    keyboard.press("Tab")
    expect(page.locator("#id_text")).to_be_focused()
    text = "Có người gọi tự xưng công an, yêu cầu chuyển 50 triệu đồng vào tài khoản lạ"
    detail = "; số gọi đến 0868 123 456"
    keyboard.type(text)
    keyboard.press("Tab")
    expect(page.locator("#id_ward")).to_be_focused()
    keyboard.type("Hoan Kiem")
    expect(page.locator("#id_ward option:checked")).to_have_text("Hoàn Kiếm (phường)")
    keyboard.press("Tab")
    expect(page.locator("#id_place")).to_be_focused()
    keyboard.type("Số 12 phố Hàng Bạc")
    # The caller adds a detail: back to the text (Shift+Tab), then Ctrl+Enter saves from the
    # text area, where Enter alone would start a new line.
    keyboard.press("Shift+Tab")
    keyboard.press("Shift+Tab")
    expect(page.locator("#id_text")).to_be_focused()
    keyboard.press("End")
    keyboard.type(detail)
    keyboard.press("Control+Enter")

    expect(page.locator(".receipt h2")).to_contain_text("Đã ghi nhận tin báo")
    assert time.monotonic() - started < 20
    tip = Tip.objects.get()
    expect(page.locator(".receipt h2")).to_have_text(f"Đã ghi nhận tin báo {tip.code}")
    expect(page.get_by_test_id("tip-code")).to_have_text(tip.code)
    passphrase = page.get_by_test_id("tip-passphrase").inner_text()
    assert tip_authenticate(code=tip.code, passphrase=passphrase) == tip
    assert (tip.channel, tip.anonymous, tip.status) == (Channel.PHONE, True, TipStatus.NEW)
    assert (tip.category.code, tip.text, tip.ward, tip.place) == (
        "lua-dao",
        text + detail,
        cast.ward_a,
        "Số 12 phố Hàng Bạc",
    )
    assert (tip.reporter_name_enc, tip.reporter_phone_enc) == ("", "")
    # Ready for the next call: an empty form, the cursor on the category.
    expect(page.locator("#id_category")).to_be_focused()
    expect(page.locator("#id_text")).to_have_value("")


def test_a_caller_who_gives_his_name_is_recorded_by_tabbing_to_the_last_field(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    login(page, live_server, cast.ward_a_officer.username)
    page.goto(live_server.url + OPERATOR_FORM)
    keyboard = page.keyboard

    # A ward officer's own ward is already chosen.
    expect(page.locator("#id_ward option:checked")).to_have_text("Hoàn Kiếm (phường)")
    expect(page.locator("#id_category")).to_be_focused()
    keyboard.type("Ma")
    expect(page.locator("#id_category option:checked")).to_have_text("Ma túy")
    keyboard.press("Tab")
    keyboard.type("Có người bán ma túy ở cuối ngõ 12 mỗi tối")
    # On to the anonymity box, through the parts of the date and time of the event.
    for _ in range(12):
        keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_anonymous":
            break
    expect(page.locator("#id_anonymous")).to_be_focused()
    keyboard.press("Space")
    expect(page.locator("[data-caller-identity]")).to_be_visible()
    keyboard.press("Tab")
    expect(page.locator("#id_reporter_name")).to_be_focused()
    keyboard.type("Trần Văn Bình")
    keyboard.press("Tab")
    keyboard.type("0912 345 678")
    keyboard.press("Enter")

    expect(page.locator(".receipt h2")).to_contain_text("Đã ghi nhận tin báo")
    tip = Tip.objects.get()
    assert (tip.channel, tip.category.code, tip.ward, tip.anonymous) == (
        Channel.PHONE,
        "ma-tuy",
        cast.ward_a,
        False,
    )
    assert (decrypt(tip.reporter_name_enc), decrypt(tip.reporter_phone_enc)) == (
        "Trần Văn Bình",
        "+84912345678",
    )
    # The officer handles his own ward's tips: the receipt links to the tip.
    expect(page.get_by_role("link", name=f"Mở tin báo {tip.code} →")).to_have_attribute(
        "href", f"/tin-bao/{tip.pk}/"
    )
