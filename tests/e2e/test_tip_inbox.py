"""The officer's inbox in the browser: only his ward's tips; he takes one, verifies it,
writes to the tipster, notes, merges a duplicate; bulk assignment; search without accents."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, Page, expect
from pytest_django.live_server_helper import LiveServer

from antq.accounts.roles import Role
from antq.tips.models import Tip
from antq.tips.status import Sender, TipStatus
from tests.conftest import Cast
from tests.e2e.conftest import login
from tests.factories import make_tip, make_user

pytestmark = pytest.mark.e2e

INBOX = "/tin-bao/"
FIGHT = "Nhóm thanh niên đánh nhau trước cổng chợ Hàng Da, có người bị thương"
FIGHT_AGAIN = "Có nhóm thanh niên đánh nhau trước cổng chợ Hàng Da, một người bị thương nặng"


def test_a_ward_officer_takes_a_tip_of_his_ward_through_to_merging_its_duplicate(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    officer = cast.ward_a_officer
    tip = make_tip(category="gay-roi", ward=cast.ward_a, text=FIGHT)
    duplicate = make_tip(category="gay-roi", ward=cast.ward_a, text=FIGHT_AGAIN)
    elsewhere = make_tip(ward=cast.ward_b, text="Xe máy bị lấy trộm trước nhà số 5 phố Cửa Nam")

    login(page, live_server, officer.username)
    page.goto(live_server.url + INBOX)
    results = page.locator("#tip-results")
    row = results.locator("tbody tr").filter(has=page.get_by_role("link", name=tip.code))
    expect(row).to_have_count(1)
    expect(row.locator(".badge", has_text="Mới")).to_have_count(1)
    expect(row).to_contain_text("Chưa phân công")
    expect(results.get_by_role("link", name=elsewhere.code)).to_have_count(0)
    expect(results.locator("tbody tr")).to_have_count(2)

    row.get_by_role("link", name=tip.code).click()
    expect(page).to_have_url(f"{live_server.url}/tin-bao/{tip.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Tin báo {tip.code}")

    page.get_by_role("button", name="Nhận xử lý").click()
    expect(page.locator(".messages")).to_have_text(f"Bạn đã nhận xử lý tin báo {tip.code}.")
    handling = page.locator("aside dl.props").first
    expect(handling).to_contain_text(officer.get_full_name())
    expect(page.get_by_role("button", name="Nhận xử lý")).to_have_count(0)

    page.locator("#id_transition_status").select_option(label="Đang xác minh")
    page.get_by_role("button", name="Chuyển", exact=True).click()
    expect(page.locator(".messages")).to_have_text("Đã chuyển tin báo sang “Đang xác minh”.")
    expect(page.locator("h1 .badge")).to_have_text("Đang xác minh")

    reply = "Cảm ơn anh/chị. Công an phường đã cử tổ công tác đến chợ Hàng Da."
    page.locator("#id_message_body").fill(reply)
    page.get_by_role("button", name="Gửi tin nhắn").click()
    expect(page.locator(".messages")).to_have_text(
        "Đã gửi tin nhắn; người báo tin xem được khi tra cứu bằng mã tin báo."
    )
    dialogue = page.locator("#trao-doi .dialogue li")
    expect(dialogue).to_have_count(1)
    expect(dialogue).to_contain_text(reply)
    expect(dialogue).to_contain_text(officer.get_full_name())

    note = "Camera của chợ có ghi hình; đã đề nghị ban quản lý chợ trích xuất."
    page.locator("#id_note_body").fill(note)
    page.get_by_role("button", name="Thêm ghi chú").click()
    expect(page.locator(".messages")).to_have_text("Đã thêm ghi chú nội bộ.")
    expect(page.locator("#ghi-chu .notes li")).to_have_count(1)
    expect(page.locator("#ghi-chu .notes li")).to_contain_text(note)
    expect(page.locator("#trao-doi")).not_to_contain_text(note)

    likely = page.locator("#tin-trung li")
    expect(likely).to_have_count(1)
    expect(likely).to_contain_text(duplicate.code)
    confirmations: list[str] = []

    def accept(dialog: Dialog) -> None:
        confirmations.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    likely.get_by_role("button", name=f"Gộp {duplicate.code} vào tin này").click()
    expect(page.locator(".messages")).to_have_text(
        f"Đã gộp tin báo {duplicate.code} vào tin báo {tip.code}."
    )
    assert confirmations == [f"Đánh dấu tin {duplicate.code} là trùng và gộp vào tin này?"]
    expect(page).to_have_url(f"{live_server.url}/tin-bao/{tip.pk}/")
    expect(page.locator("#tin-trung")).to_have_count(0)
    merged = page.locator("section", has_text="Các tin trùng đã gộp vào tin này")
    merged.get_by_role("link", name=duplicate.code).click()
    expect(page.locator("h1 .badge")).to_have_text("Trùng")
    expect(page.locator(".msg-warning")).to_contain_text(tip.code)

    tip = Tip.objects.get(pk=tip.pk)
    assert (tip.assignee, tip.status, tip.merged_into) == (officer, TipStatus.VERIFYING, None)
    assert [(m.sender, m.author, m.body) for m in tip.messages.all()] == [
        (Sender.OFFICER, officer, reply)
    ]
    assert [(n.author, n.body) for n in tip.notes.all()] == [(officer, note)]
    duplicate = Tip.objects.get(pk=duplicate.pk)
    assert (duplicate.status, duplicate.merged_into) == (TipStatus.DUPLICATE, tip)
    assert duplicate.closed_at is not None
    elsewhere = Tip.objects.get(pk=elsewhere.pk)
    assert (elsewhere.status, elsewhere.assignee) == (TipStatus.NEW, None)


def test_a_ward_officer_assigns_the_checked_tips_to_a_colleague(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    colleague = make_user(Role.WARD_OFFICER, full_name="Lê Văn Cường", areas=[cast.ward_a])
    first = make_tip(ward=cast.ward_a, text="Người lạ đi thăm dò các nhà trên phố Hàng Bạc")
    second = make_tip(ward=cast.ward_a, text="Tiếng cãi nhau và đập phá trong quán karaoke")
    left = make_tip(ward=cast.ward_a, text="Xe tải đỗ chắn lối thoát hiểm của chung cư")

    login(page, live_server, cast.ward_a_officer.username)
    page.goto(live_server.url + INBOX)
    for tip in (first, second):
        page.get_by_role("checkbox", name=f"Chọn tin {tip.code}").check()
    page.locator("#id_bulk_assignee").select_option(
        label="Lê Văn Cường — Cán bộ Công an xã, phường, đặc khu"
    )
    page.get_by_role("button", name="Phân công", exact=True).click()

    expect(page.locator(".messages")).to_have_text("Đã phân công 2 tin báo cho Lê Văn Cường.")
    for tip, shown in ((first, "Lê Văn Cường"), (second, "Lê Văn Cường"), (left, "Chưa phân công")):
        row = page.locator("#tip-results tbody tr").filter(
            has=page.get_by_role("link", name=tip.code)
        )
        expect(row.locator("td").nth(7)).to_have_text(shown)
    assignees = dict(Tip.objects.values_list("pk", "assignee"))
    assert assignees == {first.pk: colleague.pk, second.pk: colleague.pk, left.pk: None}


def test_typing_without_diacritics_finds_the_tip_live_and_marks_the_match(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    found = make_tip(
        ward=cast.ward_a, text="Có người gọi điện giả danh công an để lừa đảo chuyển tiền"
    )
    other = make_tip(ward=cast.ward_a, text="Xe máy dựng trước cổng chợ Hàng Da bị mất trộm")

    login(page, live_server, cast.ward_a_officer.username)
    page.goto(live_server.url + INBOX)
    rows = page.locator("#tip-results tbody tr")
    expect(rows).to_have_count(2)
    # A full page load would drop this marker; the htmx swap keeps it.
    page.evaluate("window.__sameDocument = true")

    page.locator("#id_q").press_sequentially("lua dao")

    expect(rows).to_have_count(1)
    expect(rows.get_by_role("link", name=found.code)).to_have_count(1)
    expect(page.get_by_role("link", name=other.code)).to_have_count(0)
    expect(rows.locator(".snippet mark")).to_have_text(["lừa", "đảo"])
    expect(rows.locator(".snippet")).to_have_text(
        "Có người gọi điện giả danh công an để lừa đảo chuyển tiền"
    )
    expect(page).to_have_url(re.compile(r"/tin-bao/\?(.+&)?q=lua(\+|%20)dao(&|$)"))
    assert page.evaluate("window.__sameDocument") is True
