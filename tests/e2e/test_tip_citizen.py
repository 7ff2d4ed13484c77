"""The citizen's side of the hotline on a 375 px phone, without an account: file a tip with a
photo, keep the code and passphrase, come back, read the officer's reply and answer it; the
bulletins next to the form. No page asks another site for anything."""

from __future__ import annotations

import importlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from PIL import Image
from playwright.sync_api import Page, Request, Response, expect
from pytest_django.live_server_helper import LiveServer

from antq.tips import services
from antq.tips.models import Tip, TipAttachment, TipCategory, TipMessage
from antq.tips.services_bulletins import bulletin_create, bulletin_set_published
from antq.tips.status import Channel, Sender, TipStatus
from tests.conftest import Cast
from tests.factories import receive_tip

PHONE_WIDTH = 375
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser_context_args(
        viewport={"width": PHONE_WIDTH, "height": 740}, is_mobile=True, has_touch=True
    ),
]

SUBMIT = "/gui-tin-bao/"
LOOKUP = "/tra-cuu/"
REPLY = "/tra-cuu/tra-loi/"
GPS_INFO = 34853
WRONG = (
    "Mã tin báo hoặc mật khẩu tra cứu không đúng. Hãy kiểm tra lại (mật khẩu gõ không dấu, "
    "các từ cách nhau bởi dấu cách)."
)


@pytest.fixture(autouse=True)
def _reference_data(cast: Cast) -> None:
    """The categories and the deadline rule come from a data migration, which the flush
    after each live-server test empties: put them back."""
    if not TipCategory.objects.exists():
        importlib.import_module("antq.tips.migrations.0002_reference_data").load(apps, None)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def requests_seen(page: Page) -> Iterator[list[str]]:
    """Every URL the browser asked for, page loads, styles, scripts and htmx calls alike."""
    urls: list[str] = []

    def on_request(request: Request) -> None:
        urls.append(request.url)

    page.on("request", on_request)
    yield urls


def assert_same_origin(urls: list[str], live_server: LiveServer) -> None:
    assert urls, "the browser made no request at all"
    elsewhere = [url for url in urls if not url.startswith(live_server.url + "/")]
    assert elsewhere == []


def assert_fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH


def jpeg_with_gps() -> bytes:
    """A phone photo that says where it was taken."""
    exif = Image.Exif()
    exif[GPS_INFO] = {1: "N", 2: (21.0, 1.0, 42.0), 3: "E", 4: (105.0, 51.0, 12.0)}
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG", exif=exif)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as photo:
        # The test means something only if the photo really carries a position.
        assert photo.getexif().get_ifd(GPS_INFO)[2] == (21.0, 1.0, 42.0)
    return data


def post_response(page: Page, path: str, live_server: LiveServer) -> Any:
    url = live_server.url + path

    def matches(response: Response) -> bool:
        return response.url == url and response.request.method == "POST"

    return page.expect_response(matches)


def test_a_citizen_files_a_tip_on_a_phone_then_reads_the_officers_reply_and_answers(
    page: Page, live_server: LiveServer, cast: Cast, requests_seen: list[str]
) -> None:
    text = "Có người bán ma túy ở cuối ngõ 12, thường vào khoảng 21 giờ, đi xe máy màu đen."
    place = "Ngõ 12 phố Hàng Bạc"
    page.goto(live_server.url + SUBMIT)
    expect(page.get_by_role("heading", name="Gửi tin báo, tố giác tội phạm")).to_be_visible()

    page.get_by_text("Ma túy", exact=True).tap()
    expect(page.get_by_role("radio", name="Ma túy", exact=False)).to_be_checked()
    page.get_by_label("Sự việc xảy ra như thế nào?").fill(text)
    page.get_by_label("Xã, phường nơi xảy ra").select_option(label="Phường Hoàn Kiếm")
    # The unit list follows the ward (htmx): the ward's hospital is offered.
    expect(page.locator("#id_unit option")).to_have_text(
        ["— Không chọn đơn vị —", "Bệnh viện Hữu Nghị Việt Đức"]
    )
    page.get_by_label("Địa điểm cụ thể").fill(place)
    page.locator("#id_attachments").set_input_files(
        {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    )
    expect(page.get_by_role("radio", name="Gửi ẩn danh", exact=False)).to_be_checked()
    expect(page.get_by_label("Họ và tên")).to_be_hidden()
    assert_fits_the_phone(page)

    with post_response(page, SUBMIT, live_server) as answer:
        page.get_by_role("button", name="Gửi tin báo").tap()
    assert answer.value.status == 200
    assert answer.value.headers["cache-control"] == "no-store"
    expect(page.get_by_role("heading", name="Đã nhận tin báo của bạn")).to_be_visible()
    expect(page.get_by_text("Đã nhận 1 tệp đính kèm.")).to_be_visible()
    code = page.get_by_test_id("tip-code").inner_text().strip()
    passphrase = page.get_by_test_id("tip-passphrase").inner_text().strip()
    assert_fits_the_phone(page)

    tip = Tip.objects.get()
    assert tip.code == code
    assert services.tip_authenticate(code, passphrase) == tip
    assert (tip.channel, tip.status, tip.category.code, tip.ward, tip.unit) == (
        Channel.WEB,
        TipStatus.NEW,
        "ma-tuy",
        cast.ward_a,
        None,
    )
    assert (tip.text, tip.place) == (text, place)
    assert (tip.anonymous, tip.reporter_name_enc, tip.reporter_phone_enc) == (True, "", "")
    attachment = TipAttachment.objects.get()
    assert (attachment.tip, attachment.content_type) == (tip, "image/jpeg")
    with Image.open(attachment.file.path) as stored:
        assert dict(stored.getexif()) == {}
    # Nothing remembers the visitor: the CSRF token is the only cookie.
    assert {c["name"] for c in page.context.cookies()} == {"csrftoken"}

    # The ward officer takes the tip and asks a question.
    officer = cast.ward_a_officer
    services.tip_transition(tip=tip, to=TipStatus.RECEIVED, actor=officer)
    question = "Bạn có nhớ biển số xe máy màu đen không?"
    services.tip_message_post(tip=tip, body=question, actor=officer)

    page.get_by_role("link", name="Đến trang tra cứu").tap()
    expect(page).to_have_url(live_server.url + LOOKUP)
    assert_fits_the_phone(page)
    # Typed as the receipt shows them: the page does not promise looser forms.
    page.get_by_label("Mã tin báo").fill(code)
    page.get_by_label("Mật khẩu tra cứu").fill(passphrase)
    with post_response(page, LOOKUP, live_server) as answer:
        page.get_by_role("button", name="Xem tin báo").tap()
    assert answer.value.headers["cache-control"] == "no-store"
    expect(page.get_by_role("heading", name=f"Tin báo {code}")).to_be_visible()
    expect(page.get_by_test_id("public-status")).to_have_text("Đã tiếp nhận")
    thread = page.locator("ol.thread > li")
    expect(thread).to_have_count(1)
    expect(thread.first).to_have_class("from-officer")
    expect(thread.first).to_contain_text(question)
    expect(thread.first.get_by_text("Mới", exact=True)).to_be_visible()
    assert TipMessage.objects.get(sender=Sender.OFFICER).read_at is not None
    assert_fits_the_phone(page)

    answer_text = "Biển số 29B1-123.45, xe Wave màu đen, người lái đội mũ đỏ."
    page.get_by_label("Nhắn tin cho cán bộ").fill(answer_text)
    with post_response(page, REPLY, live_server) as answer:
        page.get_by_role("button", name="Gửi tin nhắn").tap()
    assert answer.value.headers["cache-control"] == "no-store"
    expect(page.get_by_role("status")).to_have_text("Đã gửi tin nhắn của bạn đến cán bộ xử lý.")
    expect(thread).to_have_count(2)
    expect(thread.nth(1)).to_have_class("from-tipster")
    expect(thread.nth(1)).to_contain_text(answer_text)
    expect(page.get_by_label("Nhắn tin cho cán bộ")).to_have_value("")
    reply = TipMessage.objects.get(sender=Sender.TIPSTER)
    assert (reply.tip, reply.body, reply.author) == (tip, answer_text, None)
    assert TipMessage.objects.count() == 2
    assert_fits_the_phone(page)

    assert {c["name"] for c in page.context.cookies()} == {"csrftoken"}
    assert_same_origin(requests_seen, live_server)


def test_a_second_tap_on_send_does_not_send_the_form_again(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    """On a slow network an impatient second tap would send the tip again, and the browser
    would show the answer to the second request: the tip already filed, without the
    passphrase that only the first answer carries."""
    page.goto(live_server.url + SUBMIT)
    prevented = page.evaluate(
        """() => {
            const form = document.querySelector("form[enctype]");
            return [1, 2].map(() => {
                const submit = new Event("submit", {bubbles: true, cancelable: true});
                form.dispatchEvent(submit);  // a synthetic event: nothing is really sent
                return submit.defaultPrevented;
            });
        }"""
    )
    assert prevented == [False, True]


def test_a_wrong_passphrase_gets_the_same_answer_as_a_code_that_does_not_exist(
    page: Page, live_server: LiveServer, cast: Cast, requests_seen: list[str]
) -> None:
    receipt = receive_tip(ward=cast.ward_a, text="Có người lạ đứng trước cổng trường nhiều đêm")
    code = receipt.tip.code
    answers: list[tuple[int, str]] = []
    for typed_code, typed_passphrase in (
        (code, "sai mat khau hoan toan"),
        ("ZZZZZ-ZZZZZ", "sai mat khau hoan toan"),
    ):
        page.goto(live_server.url + LOOKUP)
        page.get_by_label("Mã tin báo").fill(typed_code)
        page.get_by_label("Mật khẩu tra cứu").fill(typed_passphrase)
        with post_response(page, LOOKUP, live_server) as answer:
            page.get_by_role("button", name="Xem tin báo").tap()
        expect(page.get_by_role("alert")).to_have_text(WRONG)
        expect(page.get_by_role("heading", name="Tra cứu tin báo đã gửi")).to_be_visible()
        expect(page.get_by_text(receipt.tip.text)).to_have_count(0)
        expect(page.get_by_label("Mật khẩu tra cứu")).to_have_value("")
        assert_fits_the_phone(page)
        answers.append((answer.value.status, page.locator("main").inner_text()))

    # The existing code and the made-up one get one and the same page.
    assert answers[0] == answers[1]
    assert answers[0][0] == 200
    assert TipMessage.objects.count() == 0
    assert_same_origin(requests_seen, live_server)


def test_a_published_bulletin_shows_next_to_the_tip_form_and_in_the_atom_feed(
    page: Page, live_server: LiveServer, cast: Cast, requests_seen: list[str]
) -> None:
    title = "Cảnh giác cuộc gọi giả danh công an yêu cầu chuyển tiền"
    summary = "Công an không bao giờ yêu cầu chuyển tiền qua điện thoại."
    draft = bulletin_create(
        actor=cast.department,
        title=title,
        summary=summary,
        body="Kẻ gian gọi điện xưng là cán bộ công an, đe doạ người nghe.\n\nHãy gọi 113.",
        category=TipCategory.objects.get(code="lua-dao"),
    )
    bulletin = bulletin_set_published(actor=cast.department, bulletin=draft, published=True)
    bulletin_create(actor=cast.department, title="Bản nháp chưa đăng", summary="x", body="x")

    page.goto(live_server.url + SUBMIT)
    bulletins = page.locator("aside .bulletin-list > li")
    expect(bulletins).to_have_count(1)
    expect(bulletins.first).to_contain_text(summary)
    assert_fits_the_phone(page)
    feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    feed_url = live_server.url + (feed.get_attribute("href") or "")

    bulletins.first.get_by_role("link", name=title).tap()
    expect(page).to_have_url(f"{live_server.url}/canh-bao/{bulletin.slug}/")
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_text(summary)).to_be_visible()
    expect(page.get_by_text("Hãy gọi 113.")).to_be_visible()
    assert_fits_the_phone(page)

    page.get_by_role("link", name="Gửi tin báo").last.tap()
    expect(page).to_have_url(live_server.url + SUBMIT)

    response = page.request.get(feed_url)
    assert response.status == 200
    assert response.headers["content-type"].split(";")[0] == "application/atom+xml"
    atom = response.text()
    assert title in atom and "Bản nháp chưa đăng" not in atom
    assert_same_origin([*requests_seen, feed_url], live_server)
