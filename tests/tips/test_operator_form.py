"""The hotline operator's form: a phoned-in tip, keyboard only, the caller's anonymity kept."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from antq.core.crypto import decrypt
from antq.core.models import AuditEntry
from antq.tips.models import Tip, TipCategory
from antq.tips.services import tip_authenticate

URL = "/tin-bao/goi-den/"


def nonce_of(html: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def call(client: Any, **fields: Any) -> Any:
    """Open the form (for its nonce) and submit a call with ``fields``."""
    page = client.get(URL).content.decode()
    data = {
        "category": TipCategory.objects.get(code="ma-tuy").pk,
        "text": "Người gọi báo có nhóm thanh niên mua bán ma túy ở cuối ngõ 12 vào buổi tối",
        "ward": "",
        "place": "Cuối ngõ 12 phố Hàng Bạc",
        "urgency": "",
        "occurred_at": "",
        "anonymous": "on",
        "reporter_name": "",
        "reporter_phone": "",
        "nonce": nonce_of(page),
    }
    data.update(fields)
    return client.post(URL, {k: v for k, v in data.items() if v is not None})


def test_the_url_is_the_operator_form() -> None:
    assert reverse("tipmanage:operator_form") == URL


def test_the_form_starts_on_the_category_and_preselects_the_officers_only_ward(
    client: Any, cast: Any
) -> None:
    client.force_login(cast.ward_a_officer)
    html = client.get(URL).content.decode()
    assert re.search(r'<select name="category"[^>]*autofocus', html)
    assert f'<option value="{cast.ward_a.pk}" selected>Hoàn Kiếm (phường)</option>' in html
    # The fields come in the order the operator asks the caller.
    order = [
        html.index(f'name="{name}"')
        for name in ("category", "text", "ward", "place", "urgency", "occurred_at", "anonymous")
    ]
    assert order == sorted(order)
    assert re.search(r'<input type="checkbox" name="anonymous"[^>]*checked', html)


def test_a_ward_officer_sees_his_wards_first_and_may_pick_any_ward_of_the_city(
    client: Any, cast: Any
) -> None:
    client.force_login(cast.ward_a_officer)
    html = client.get(URL).content.decode()
    mine = html.index('<optgroup label="Địa bàn của bạn">')
    others = html.index('<optgroup label="Các xã, phường khác">')
    assert mine < html.index(">Hoàn Kiếm (phường)<") < others < html.index(">Cửa Nam (phường)<")


def test_wards_are_listed_by_name_so_that_typing_the_name_finds_them(
    client: Any, cast: Any
) -> None:
    client.force_login(cast.department)
    html = client.get(URL).content.decode()
    labels = re.findall(
        r'<option value="\d+"(?: selected)?>([^<]+ \((?:phường|xã)\))</option>', html
    )
    assert "Hoàn Kiếm (phường)" in labels
    assert any(label.endswith("(xã)") for label in labels)
    assert labels.index("Ba Đình (phường)") < labels.index("Cửa Nam (phường)")


def test_a_city_officer_gets_no_ward_preselected(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    html = client.get(URL).content.decode()
    assert "optgroup" not in html
    assert re.search(r'<option value="" selected>— Chưa xác định —</option>', html)


def test_the_page_has_no_inline_script(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    html = client.get(URL).content.decode()
    assert '<script src="/static/antq/tip-operator.js" defer></script>' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []


def test_an_anonymous_call_becomes_a_phone_tip_and_the_form_is_empty_again(
    client: Any, cast: Any
) -> None:
    client.force_login(cast.ward_a_officer)
    first_nonce = nonce_of(client.get(URL).content.decode())
    response = call(client, ward=cast.ward_a.pk, urgency="urgent", nonce=first_nonce)
    tip = Tip.objects.get()
    assert response.status_code == 200
    assert (tip.channel, tip.category.code, tip.ward, tip.urgency, tip.anonymous) == (
        "phone",
        "ma-tuy",
        cast.ward_a,
        "urgent",
        True,
    )
    assert (tip.place, tip.reporter_name_enc, tip.reporter_phone_enc) == (
        "Cuối ngõ 12 phố Hàng Bạc",
        "",
        "",
    )
    assert tip.idempotency_key == f"phone:{cast.ward_a_officer.pk}:{first_nonce}"
    entry = AuditEntry.objects.get(object_type="tips.tip")
    assert (entry.action, entry.actor) == ("receive", cast.ward_a_officer)
    html = response.content.decode()
    code = re.search(r'data-testid="tip-code">([^<]+)<', html)
    passphrase = re.search(r'data-testid="tip-passphrase">([^<]+)<', html)
    assert code is not None and passphrase is not None
    assert code.group(1) == tip.code
    assert tip_authenticate(tip.code, passphrase.group(1)) == tip
    assert f'href="{reverse("tips:tip_detail", args=[tip.pk])}"' in html
    assert "no-store" in response["Cache-Control"]
    # A new, empty form with a fresh nonce for the next call.
    assert nonce_of(html) != first_nonce
    assert 'value="Cuối ngõ 12 phố Hàng Bạc"' not in html
    assert "mua bán ma túy ở cuối ngõ 12" not in html


def test_the_category_decides_the_urgency_unless_the_operator_sets_it(
    client: Any, cast: Any
) -> None:
    client.force_login(cast.department)
    call(client, category=TipCategory.objects.get(code="chay-no").pk)
    assert Tip.objects.get().urgency == "urgent"


def test_the_name_and_phone_are_kept_only_when_the_caller_gives_up_anonymity(
    client: Any, cast: Any
) -> None:
    client.force_login(cast.department)
    call(client, anonymous=None, reporter_name="Trần Văn Bình", reporter_phone="0912 345 678")
    tip = Tip.objects.get()
    assert tip.anonymous is False
    assert (decrypt(tip.reporter_name_enc), decrypt(tip.reporter_phone_enc)) == (
        "Trần Văn Bình",
        "+84912345678",
    )


def test_a_name_typed_before_the_box_was_ticked_again_is_not_kept(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    call(client, anonymous="on", reporter_name="Trần Văn Bình", reporter_phone="0912345678")
    tip = Tip.objects.get()
    assert (tip.anonymous, tip.reporter_name_enc, tip.reporter_phone_enc) == (True, "", "")


def test_a_caller_who_is_not_anonymous_leaves_a_name_or_a_phone(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    response = call(client, anonymous=None)
    assert response.status_code == 200
    assert "Hãy ghi tên hoặc số điện thoại của người gọi, hoặc đánh dấu ẩn danh." in (
        response.content.decode()
    )
    assert Tip.objects.count() == 0


def test_a_bad_phone_number_is_refused_in_vietnamese(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    response = call(client, anonymous=None, reporter_name="Bình", reporter_phone="12ab")
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert Tip.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="tips.tip").count() == 0


def test_a_time_of_the_events_in_the_future_is_refused(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    later = timezone.localtime() + dt.timedelta(days=1)
    response = call(client, occurred_at=f"{later:%Y-%m-%dT%H:%M}")
    assert "Thời điểm xảy ra không thể ở tương lai." in response.content.decode()
    assert Tip.objects.count() == 0


def test_the_time_of_the_events_is_read_in_local_time(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    call(client, occurred_at="2025-03-08T21:15")
    occurred = Tip.objects.get().occurred_at
    assert occurred is not None
    assert timezone.localtime(occurred).strftime("%d/%m/%Y %H:%M") == "08/03/2025 21:15"


def test_a_form_sent_twice_records_the_call_once(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    nonce = nonce_of(client.get(URL).content.decode())
    call(client, nonce=nonce)
    again = call(client, nonce=nonce)
    tip = Tip.objects.get()
    html = again.content.decode()
    assert f"Cuộc gọi này đã được ghi nhận trước đó: tin báo {tip.code}" in html
    assert "tip-passphrase" not in html


def test_a_forged_nonce_is_refused(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    response = call(client, nonce="x")
    assert response.status_code == 200
    assert Tip.objects.count() == 0


def test_a_call_about_another_ward_is_routed_there_without_a_link_for_the_officer(
    client: Any, cast: Any
) -> None:
    client.force_login(cast.ward_a_officer)
    response = call(client, ward=cast.ward_b.pk)
    tip = Tip.objects.get()
    html = response.content.decode()
    assert tip.ward == cast.ward_b
    assert reverse("tips:tip_detail", args=[tip.pk]) not in html
    assert "Tin báo đã được chuyển tới Công an xã, phường nơi xảy ra vụ việc." in html


def test_a_retired_category_cannot_be_chosen(client: Any, cast: Any) -> None:
    category = TipCategory.objects.get(code="ma-tuy")
    category.is_active = False
    category.save()
    client.force_login(cast.department)
    response = call(client, category=category.pk)
    assert 'class="errorlist' in response.content.decode()
    assert Tip.objects.count() == 0


@pytest.mark.parametrize("role", ["leader", "unit_x_officer", "unit_x_head"])
def test_roles_that_do_not_take_calls_get_403_and_nothing_is_created(
    client: Any, cast: Any, role: str
) -> None:
    client.force_login(cast.by_name(role))
    assert client.get(URL).status_code == 403
    response = client.post(
        URL,
        {
            "category": TipCategory.objects.get(code="khac").pk,
            "text": "Nội dung",
            "anonymous": "on",
            "nonce": "a" * 24,
        },
    )
    assert response.status_code == 403
    assert Tip.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="tips.tip").count() == 0


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Any, cast: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/")
