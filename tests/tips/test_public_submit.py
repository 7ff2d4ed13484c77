from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from PIL import ExifTags, Image

from antq.core.crypto import decrypt
from antq.core.models import AuditEntry
from antq.registry.models import Unit
from antq.registry.status import UnitKind, UnitStatus
from antq.tips import services
from antq.tips.models import Bulletin, Tip, TipAttachment, TipCategory
from tests.factories import make_unit
from tests.tips.test_attachments import jpeg_with_gps

URL = "/gui-tin-bao/"
NONCE = "nonce-for-the-test-0001"
ADDRESS = "203.0.113.77"
AGENT = "DistinctiveAgent/9.9 (PhoneOfTheTipster)"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _data(cast: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "nonce": NONCE,
        "category": TipCategory.objects.get(code="ma-tuy").pk,
        "text": "Có người bán ma tuý ở ngõ 12, thường vào buổi tối.",
        "occurred_date": "",
        "occurred_time": "",
        "ward": cast.ward_a.pk,
        "place": "Ngõ 12 phố Hàng Bạc",
        "unit_q": "",
        "unit": "",
        "anonymous": "yes",
        "reporter_name": "",
        "reporter_phone": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _post(client: Any, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(URL, data, REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT, **extra)


def test_the_form_page_is_private_and_sets_no_cookie_but_csrf(client, cast) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert set(response.cookies) == {"csrftoken"}


def test_the_form_offers_active_categories_and_the_wards_of_the_province(client, cast) -> None:
    TipCategory.objects.filter(code="chay-no").update(is_active=False)
    body = client.get(URL).content.decode()
    assert "Ma túy" in body
    assert TipCategory.objects.get(code="chay-no").name not in body
    assert '<optgroup label="Phường">' in body and '<optgroup label="Xã">' in body
    assert f'<option value="{cast.ward_a.pk}">Phường Hoàn Kiếm</option>' in body
    assert re.search(r'name="nonce" value="[A-Za-z0-9_-]{24}"', body)


def test_the_form_shows_the_latest_published_bulletins_only(client, cast) -> None:
    now = timezone.now()
    Bulletin.objects.create(
        title="Giả danh công an gọi điện",
        slug="gia-danh",
        summary="Cảnh giác",
        body="x",
        is_published=True,
        published_at=now,
    )
    Bulletin.objects.create(title="Bản nháp chưa đăng", slug="nhap", summary="x", body="x")
    body = client.get(URL).content.decode()
    assert "Giả danh công an gọi điện" in body
    assert "Bản nháp chưa đăng" not in body


def test_the_pages_load_nothing_from_another_origin(client, cast) -> None:
    body = client.get(URL).content.decode()
    assert re.findall(r'(?:src|href|action)="(?:https?:)?//', body) == []
    assert re.findall(r"url\((?:https?:)?//", body) == []


def test_an_anonymous_tip_is_received_and_the_code_and_passphrase_are_shown_once(
    client, cast
) -> None:
    response = _post(client, _data(cast))
    assert response.status_code == 200
    tip = Tip.objects.get()
    assert tip.channel == "web"
    assert tip.idempotency_key == f"web:{NONCE}"
    assert tip.anonymous is True
    assert (tip.reporter_name_enc, tip.reporter_phone_enc) == ("", "")
    assert tip.ward == cast.ward_a
    assert tip.place == "Ngõ 12 phố Hàng Bạc"
    assert tip.occurred_at is None
    passphrase = response.context["passphrase"]
    assert services.tip_authenticate(tip.code, passphrase) == tip
    body = response.content.decode()
    assert tip.code in body and passphrase in body
    assert "Mật khẩu chỉ hiển thị một lần" in body
    assert "không ai — kể cả cán bộ công an — có thể xem lại hay cấp lại" in body
    assert "data-print" in body
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert "sessionid" not in response.cookies


def test_a_double_submit_creates_one_tip_and_never_shows_the_passphrase_again(client, cast) -> None:
    first = _post(client, _data(cast))
    second = _post(client, _data(cast, text="Gửi lại lần nữa vì mạng chậm quá"))
    tip = Tip.objects.get()
    assert first.context["created"] is True
    assert second.context["created"] is False
    assert second.context["passphrase"] is None
    body = second.content.decode()
    assert tip.code in body
    assert first.context["passphrase"] not in body
    assert "đã hiển thị ở lần gửi đầu tiên" in body


def test_a_named_tipster_leaves_an_encrypted_name_and_a_normalised_phone(client, cast) -> None:
    _post(
        client,
        _data(
            cast, anonymous="no", reporter_name="  Trần  Văn Bình ", reporter_phone="0912 345 678"
        ),
    )
    tip = Tip.objects.get()
    assert tip.anonymous is False
    assert decrypt(tip.reporter_name_enc) == "Trần Văn Bình"
    assert decrypt(tip.reporter_phone_enc) == "+84912345678"
    assert "Bình" not in tip.reporter_name_enc


def test_a_name_typed_before_choosing_anonymous_is_dropped(client, cast) -> None:
    _post(client, _data(cast, anonymous="yes", reporter_name="Trần Văn Bình", reporter_phone="x"))
    tip = Tip.objects.get()
    assert tip.anonymous is True
    assert (tip.reporter_name_enc, tip.reporter_phone_enc) == ("", "")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": ""}, "category", "Hãy chọn loại tin báo."),
        ({"text": ""}, "text", "Hãy mô tả sự việc."),
        ({"text": "ngắn"}, "text", "Hãy mô tả rõ hơn (ít nhất 10 ký tự)."),
        ({"occurred_date": "01/01/2999"}, "occurred_date", "Ngày xảy ra không thể ở tương lai."),
        ({"occurred_time": "10:00"}, "occurred_date", "Hãy chọn cả ngày xảy ra."),
        ({"occurred_date": "31/02/2026"}, "occurred_date", "Ngày không hợp lệ (ngày/tháng/năm)."),
        ({"ward": "999999"}, "ward", "Hãy chọn một xã, phường trong danh sách."),
        (
            {"anonymous": "no"},
            "reporter_name",
            "Hãy để lại tên hoặc số điện thoại, hoặc chọn gửi ẩn danh.",
        ),
        (
            {"anonymous": "no", "reporter_phone": "12345"},
            "reporter_phone",
            "Số điện thoại không hợp lệ (ví dụ: 0912 345 678).",
        ),
        ({"nonce": "short"}, "nonce", "Biểu mẫu không hợp lệ; hãy tải lại trang và gửi lại."),
    ],
)
def test_a_mistake_is_explained_in_vietnamese_next_to_the_field_and_nothing_is_filed(
    client, cast, changes, field, message
) -> None:
    response = _post(client, _data(cast, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert Tip.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_time_later_today_is_in_the_future(client, cast) -> None:
    now = timezone.localtime()
    if now.hour == 23:
        pytest.skip("no later hour today")
    later = now.replace(hour=23, minute=59)
    response = _post(
        client,
        _data(cast, occurred_date=later.strftime("%Y-%m-%d"), occurred_time="23:59"),
    )
    assert response.context["form"].errors["occurred_time"] == ["Giờ xảy ra không thể ở tương lai."]
    assert Tip.objects.count() == 0


def test_the_date_and_time_are_read_in_vietnam_time(client, cast) -> None:
    _post(client, _data(cast, occurred_date="2026-01-15", occurred_time="21:30"))
    tip = Tip.objects.get()
    assert timezone.localtime(tip.occurred_at).strftime("%d/%m/%Y %H:%M") == "15/01/2026 21:30"


def test_a_tip_about_a_unit_of_the_chosen_ward_is_routed_to_it(client, cast) -> None:
    _post(
        client,
        _data(
            cast,
            category=TipCategory.objects.get(code="bao-luc-hoc-duong").pk,
            unit=cast.unit_x.pk,
        ),
    )
    tip = Tip.objects.get()
    assert tip.unit == cast.unit_x
    assert tip.ward == cast.ward_a


@pytest.mark.parametrize("case", ["other_ward", "closed"])
def test_a_unit_outside_the_ward_or_closed_is_refused(client, cast, case) -> None:
    unit = cast.unit_y
    if case == "closed":
        unit = make_unit(area=cast.ward_a, status=UnitStatus.CLOSED, name="Công ty đã giải thể")
    response = _post(client, _data(cast, unit=unit.pk))
    expected = {
        "other_ward": "Đơn vị này không thuộc xã, phường đã chọn.",
        "closed": "Hãy chọn đơn vị trong danh sách.",
    }[case]
    assert response.context["form"].errors["unit"] == [expected]
    assert Tip.objects.count() == 0


def test_a_photo_is_stored_without_its_gps_position(client, cast) -> None:
    photo = SimpleUploadedFile("IMG_0042.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = _post(client, {**_data(cast), "attachments": [photo]})
    assert response.status_code == 200
    attachment = TipAttachment.objects.get()
    assert attachment.tip == Tip.objects.get()
    assert (attachment.name, attachment.content_type, attachment.extension) == (
        "IMG_0042.jpg",
        "image/jpeg",
        ".jpg",
    )
    stored = attachment.file.read()
    assert b"Exif" not in stored and b"iPhone" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "IMG_0042" not in attachment.file.name
    assert "Đã nhận 1 tệp đính kèm." in response.content.decode()


def test_a_web_page_renamed_to_jpg_is_refused_and_nothing_is_filed(client, cast) -> None:
    fake = SimpleUploadedFile("anh.jpg", b"<html><script>x</script></html>", "image/jpeg")
    response = _post(client, {**_data(cast), "attachments": [fake]})
    errors = response.context["form"].errors["attachments"]
    assert len(errors) == 1 and errors[0].startswith("“anh.jpg”: Chỉ nhận ảnh")
    assert Tip.objects.count() == 0
    assert TipAttachment.objects.count() == 0


@override_settings(TIP_SUBMIT_PER_HOUR=2)
def test_too_many_submissions_are_answered_429_in_vietnamese(client, cast) -> None:
    statuses = [
        _post(client, _data(cast, nonce=f"nonce-for-the-test-{n:04d}")).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert Tip.objects.count() == 2
    response = _post(client, _data(cast, nonce="nonce-for-the-test-0009"))
    assert response.status_code == 429
    assert "quá nhiều yêu cầu" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    other = client.post(
        URL, _data(cast, nonce="nonce-for-the-test-0010"), REMOTE_ADDR="198.51.100.2"
    )
    assert other.status_code == 200
    assert Tip.objects.count() == 3


def test_nothing_about_the_tipsters_device_is_logged_or_stored(client, cast, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    _post(client, _data(cast, text="Một tin báo từ thiết bị đặc biệt để kiểm tra"))
    _post(client, _data(cast, nonce="nonce-for-the-test-0002", text="ngắn"))  # an error page
    assert Tip.objects.count() == 1
    assert ADDRESS not in caplog.text and "DistinctiveAgent" not in caplog.text
    dump = io.StringIO()
    call_command("dumpdata", "tips", "core", stdout=dump)
    assert ADDRESS not in dump.getvalue()
    assert "DistinctiveAgent" not in dump.getvalue()
    assert NONCE in dump.getvalue()  # the dump does hold the tip: the check can fail


def test_the_unit_search_lists_active_units_of_the_ward_by_name_without_diacritics(
    client, cast
) -> None:
    make_unit(
        area=cast.ward_a,
        kind=UnitKind.HOSPITAL,
        name="Bệnh viện đã đóng cửa",
        status=UnitStatus.CLOSED,
    )
    make_unit(area=cast.ward_b, kind=UnitKind.HOSPITAL, name="Bệnh viện phường khác")
    response = client.get(
        "/gui-tin-bao/don-vi/",
        {"ward": cast.ward_a.pk, "unit_q": "benh vien"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert f'<option value="{cast.unit_x.pk}">{cast.unit_x.name}</option>' in body
    assert "đã đóng cửa" not in body and "phường khác" not in body
    assert response["Cache-Control"] == "no-store"


def test_the_unit_search_asks_for_a_ward_first(client, cast) -> None:
    body = client.get("/gui-tin-bao/don-vi/", {"unit_q": "benh"}).content.decode()
    assert "Chọn xã, phường trước" in body
    assert cast.unit_x.name not in body


def test_the_unit_search_is_rate_limited(client, cast, monkeypatch) -> None:
    monkeypatch.setattr("antq.tips.views_public.UNIT_SEARCH_PER_HOUR", 2)
    statuses = [
        client.get("/gui-tin-bao/don-vi/", {"ward": cast.ward_a.pk}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_without_javascript_the_unit_search_redisplays_the_form_and_files_nothing(
    client, cast
) -> None:
    response = _post(client, {**_data(cast, unit_q="huu nghi"), "action": "find_unit"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{cast.unit_x.pk}">{cast.unit_x.name}</option>' in body
    assert "Có người bán ma tuý ở ngõ 12" in body  # what was typed is kept
    assert 'class="errorlist"' not in body
    assert Tip.objects.count() == 0


def test_the_chosen_unit_stays_selected_when_the_form_comes_back_with_an_error(
    client, cast
) -> None:
    for n in range(25):  # all sorted before the chosen one: it is not among the first matches
        make_unit(area=cast.ward_a, name=f"Ban quản lý chợ số {n:02d}")
    response = _post(client, _data(cast, text="", unit=cast.unit_x.pk))
    body = response.content.decode()
    assert f'<option value="{cast.unit_x.pk}" selected>{cast.unit_x.name}</option>' in body


def test_a_retired_category_is_refused(client, cast) -> None:
    data = _data(cast)
    TipCategory.objects.filter(pk=data["category"]).update(is_active=False)
    response = _post(client, data)
    assert response.context["form"].errors["category"] == [
        "Loại tin báo này không còn được dùng; hãy chọn loại khác."
    ]
    assert Unit.objects.count() == 2 and Tip.objects.count() == 0


def test_a_form_without_a_valid_key_comes_back_with_a_fresh_one(client, cast) -> None:
    response = _post(client, _data(cast, nonce=""))
    body = response.content.decode()
    assert "Biểu mẫu không hợp lệ; hãy tải lại trang và gửi lại." in body
    assert re.search(r'name="nonce" value="[A-Za-z0-9_-]{24}"', body)
    assert Tip.objects.count() == 0


def test_a_browser_post_with_csrf_and_its_origin_header_is_accepted(cast) -> None:
    # Real browsers send "Origin" with a form post; under a "no-referrer" policy it would be
    # "null" and the CSRF check would refuse every tip. The policy keeps it truthful.
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(URL)
    assert page["Referrer-Policy"] == "same-origin"
    token = browser.cookies["csrftoken"].value
    data = {**_data(cast), "csrfmiddlewaretoken": token}
    refused = browser.post(URL, data, HTTP_ORIGIN="null")
    assert refused.status_code == 403
    response = browser.post(URL, data, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 200
    assert Tip.objects.count() == 1
