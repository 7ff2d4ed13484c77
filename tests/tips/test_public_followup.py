from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from antq.core.models import AuditEntry
from antq.tips import services
from antq.tips.models import Tip, TipMessage
from antq.tips.services import Receipt
from tests.factories import receive_tip

LOOKUP = "/tra-cuu/"
REPLY = "/tra-cuu/tra-loi/"
WRONG = "Mã tin báo hoặc mật khẩu tra cứu không đúng."


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def receipt(cast: Any) -> Receipt:
    return receive_tip(
        category="ma-tuy",
        text="Có người bán ma tuý ở ngõ 12 phố Hàng Bạc",
        ward=cast.ward_a,
        anonymous=False,
        reporter_name="Trần Văn Bình",
        reporter_phone="0912345678",
    )


def _look(client: Any, code: str, passphrase: str) -> Any:
    return client.post(LOOKUP, {"code": code, "passphrase": passphrase})


def test_the_lookup_form_is_private(client, cast) -> None:
    response = client.get(LOOKUP)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert set(response.cookies) == {"csrftoken"}


def test_the_tipster_sees_his_tip_and_the_officers_messages(client, cast, receipt) -> None:
    tip = receipt.tip
    services.tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.department)
    services.tip_note_add(tip=tip, body="Nghi vấn đối tượng Tư Lùn", actor=cast.department)
    services.tip_message_post(
        tip=tip, body="Bạn có nhớ biển số xe máy không?", actor=cast.ward_a_officer
    )
    response = _look(client, tip.code, receipt.passphrase or "")
    body = response.content.decode()
    assert response.status_code == 200
    assert tip.code in body
    assert "Ma túy" in body
    assert "Đã tiếp nhận" in body
    assert "Bạn có nhớ biển số xe máy không?" in body
    assert timezone.localtime(tip.received_at).strftime("%d/%m/%Y") in body
    for secret in (
        "Tư Lùn",  # internal note
        cast.ward_a_officer.get_full_name(),  # assignee
        cast.department.get_full_name(),
        "Trần Văn Bình",  # the identity he left is not shown back
        "912345678",
    ):
        assert secret not in body, secret
    assert response["Cache-Control"] == "no-store"
    assert "sessionid" not in response.cookies
    message = TipMessage.objects.get()
    assert message.read_at is not None


def test_the_code_and_passphrase_may_be_typed_loosely(client, cast, receipt) -> None:
    code = receipt.tip.code.replace("-", "").lower()
    passphrase = "  " + (receipt.passphrase or "").upper().replace(" ", " - ") + " "
    response = _look(client, code, passphrase)
    assert response.context["tip"] == receipt.tip


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("new", "Mới tiếp nhận"),
        ("received", "Đã tiếp nhận"),
        ("verifying", "Đang xác minh"),
        ("unfounded", "Đã kết thúc xử lý"),
        ("spam", "Đã kết thúc xử lý"),
        ("duplicate", "Đã kết thúc xử lý"),
    ],
)
def test_the_tipster_sees_only_the_public_status(client, cast, receipt, status, label) -> None:
    Tip.objects.filter(pk=receipt.tip.pk).update(status=status)
    response = _look(client, receipt.tip.code, receipt.passphrase or "")
    assert response.context["status_label"] == label
    body = response.content.decode()
    assert label in body
    assert "Tin rác" not in body and "Không có cơ sở" not in body


def test_a_merged_tip_shows_the_progress_of_the_tip_it_was_merged_into(client, cast) -> None:
    main = receive_tip(ward=cast.ward_a).tip
    duplicate = receive_tip(ward=cast.ward_a, text="Cũng sự việc đó, người khác báo")
    services.tip_transition(tip=main, to="verifying", actor=cast.department)
    services.tip_merge(duplicate=duplicate.tip, into=main, actor=cast.department)
    response = _look(client, duplicate.tip.code, duplicate.passphrase or "")
    assert response.context["status_label"] == "Đang xác minh"
    assert main.code not in response.content.decode()


@pytest.mark.parametrize("wrong", ["code", "passphrase"])
def test_a_wrong_code_or_passphrase_gets_one_and_the_same_answer(
    client, cast, receipt, wrong
) -> None:
    code = "ZZZZZ-ZZZZZ" if wrong == "code" else receipt.tip.code
    passphrase = "sai mat khau" if wrong == "passphrase" else receipt.passphrase or ""
    response = _look(client, code, passphrase)
    body = response.content.decode()
    assert response.status_code == 200
    assert WRONG in body
    assert "tip" not in response.context
    assert receipt.tip.text not in body


@override_settings(TIP_LOOKUP_PER_HOUR=3)
def test_guessing_is_stopped_after_a_few_wrong_passphrases(client, cast, receipt) -> None:
    statuses = [_look(client, receipt.tip.code, f"doan {n}").status_code for n in range(3)]
    assert statuses == [200, 200, 200]
    # Even the right passphrase waits: the guesser cannot tell when he found it.
    response = _look(client, receipt.tip.code, receipt.passphrase or "")
    assert response.status_code == 429
    assert "quá nhiều yêu cầu" in response.content.decode()
    assert (
        client.post(REPLY, {"code": receipt.tip.code, "passphrase": "x", "body": "y"}).status_code
        == 429
    )


@override_settings(TIP_LOOKUP_PER_HOUR=3)
def test_coming_back_with_the_right_passphrase_does_not_count(client, cast, receipt) -> None:
    statuses = [
        _look(client, receipt.tip.code, receipt.passphrase or "").status_code for _ in range(6)
    ]
    assert statuses == [200] * 6


def _reply(client: Any, receipt: Receipt, body: str, passphrase: str | None = None) -> Any:
    return client.post(
        REPLY,
        {
            "code": receipt.tip.code,
            "passphrase": receipt.passphrase if passphrase is None else passphrase,
            "body": body,
        },
    )


def test_the_tipster_replies_to_the_officer(client, cast, receipt) -> None:
    services.tip_message_post(tip=receipt.tip, body="Xe màu gì?", actor=cast.ward_a_officer)
    page = _look(client, receipt.tip.code, receipt.passphrase or "").content.decode()
    assert f'name="passphrase" value="{receipt.passphrase}"' in page  # sent again, not stored
    response = _reply(client, receipt, "Xe Wave màu đỏ, biển 29")
    assert response.status_code == 200
    message = TipMessage.objects.get(sender="tipster")
    assert (message.tip, message.body, message.author) == (
        receipt.tip,
        "Xe Wave màu đỏ, biển 29",
        None,
    )
    entry = AuditEntry.objects.filter(action="message").latest("id")
    assert entry.actor_id is None
    body = response.content.decode()
    assert "Xe Wave màu đỏ, biển 29" in body
    assert "Đã gửi tin nhắn của bạn đến cán bộ xử lý." in body
    assert response["Cache-Control"] == "no-store"
    assert "sessionid" not in response.cookies


def test_a_reply_sent_twice_is_posted_once(client, cast, receipt) -> None:
    _reply(client, receipt, "Xe Wave màu đỏ")
    _reply(client, receipt, "Xe  Wave màu đỏ ")
    assert TipMessage.objects.filter(sender="tipster").count() == 1


def test_a_reply_with_a_wrong_passphrase_posts_nothing(client, cast, receipt) -> None:
    response = _reply(client, receipt, "Tin nhắn giả mạo", passphrase="sai mat khau")
    assert WRONG in response.content.decode()
    assert TipMessage.objects.count() == 0
    assert AuditEntry.objects.filter(action="message").count() == 0


def test_an_empty_reply_is_explained(client, cast, receipt) -> None:
    response = _reply(client, receipt, "   ")
    assert response.context["reply_form"].errors["body"] == ["Hãy nhập nội dung tin nhắn."]
    assert TipMessage.objects.count() == 0


def test_the_reply_address_only_accepts_post(client, cast) -> None:
    response = client.get(REPLY)
    assert response.status_code == 405
    assert response["Cache-Control"] == "no-store"
