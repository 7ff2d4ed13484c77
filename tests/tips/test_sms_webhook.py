"""``POST /webhooks/sms/``: the SMS gateway files tips, signed and idempotent."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from antq.core.crypto import decrypt
from antq.core.models import AuditEntry, OutboxMessage, OutboxStatus
from antq.tips.models import Tip, TipCategory
from antq.tips.views_channels import category_in_text, ward_in_text

URL = "/webhooks/sms/"
SECRET = "bi-mat-cong-sms-thu-nghiem"
PHONE = "0912345678"
TEXT = "co nguoi ban ma tuy o ngo 12 phuong hoan kiem"


@pytest.fixture(autouse=True)
def _gateway_secret(settings) -> None:
    settings.ANTQ_SMS_WEBHOOK_SECRET = SECRET


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_sms(client, data, *, form: bool = False, signature: str | None = None, raw=None):
    if raw is not None:
        body, content_type = raw, "application/json"
    elif form:
        body, content_type = urlencode(data).encode(), "application/x-www-form-urlencoded"
    else:
        body, content_type = json.dumps(data).encode(), "application/json"
    headers = {"X-Signature": sign(body) if signature is None else signature}
    return client.generic("POST", URL, body, content_type=content_type, headers=headers)


def sms(**changes):
    return {"id": "gw-1001", "from": PHONE, "text": TEXT, **changes}


def test_a_signed_sms_files_a_tip_and_answers_its_code(client, cast) -> None:
    response = post_sms(client, sms(received_at="2026-03-01T08:15:00+07:00"))
    tip = Tip.objects.get()
    assert response.status_code == 201
    assert response.json() == {"code": tip.code, "created": True}
    assert response["Cache-Control"] == "no-store"
    assert (tip.channel, tip.category.code, tip.ward) == ("sms", "ma-tuy", cast.ward_a)
    assert tip.text == TEXT
    assert tip.anonymous is True
    assert (tip.reporter_name_enc, tip.reporter_phone_enc) == ("", "")
    assert decrypt(tip.reply_to_enc) == "+84912345678"
    assert tip.idempotency_key == "sms:gw-1001"
    assert AuditEntry.objects.get().actor is None


def test_a_form_encoded_sms_is_accepted_too(client, cast) -> None:
    response = post_sms(client, sms(text="Bi trom xe may o P. Cua Nam"), form=True)
    tip = Tip.objects.get()
    assert response.status_code == 201
    assert response.json()["code"] == tip.code
    assert (tip.category.code, tip.ward) == ("trom-cap", cast.ward_b)


def test_a_numeric_gateway_id_is_accepted(client, cast) -> None:
    assert post_sms(client, sms(id=987654)).status_code == 201
    assert Tip.objects.get().idempotency_key == "sms:987654"


def test_a_retry_with_the_same_id_returns_the_same_code_and_files_nothing_more(
    client, cast
) -> None:
    first = post_sms(client, sms())
    again = post_sms(client, sms(text="noi dung khac"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"code": first.json()["code"], "created": False}
    assert Tip.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    assert AuditEntry.objects.count() == 1


def test_another_message_id_files_another_tip(client, cast) -> None:
    post_sms(client, sms())
    assert post_sms(client, sms(id="gw-1002")).status_code == 201
    assert Tip.objects.count() == 2


def test_a_text_without_a_known_category_or_ward_goes_to_khac_without_ward(client, cast) -> None:
    assert post_sms(client, sms(text="co nguoi la dung truoc cong nhieu dem")).status_code == 201
    tip = Tip.objects.get()
    assert (tip.category.code, tip.ward) == ("khac", None)


def test_an_inactive_category_falls_back_to_khac(client, cast) -> None:
    TipCategory.objects.filter(code="ma-tuy").update(is_active=False)
    post_sms(client, sms())
    assert Tip.objects.get().category.code == "khac"


def test_without_a_configured_secret_it_answers_503_and_files_nothing(
    client, cast, settings
) -> None:
    settings.ANTQ_SMS_WEBHOOK_SECRET = ""
    response = post_sms(client, sms(), signature=sign(json.dumps(sms()).encode(), ""))
    assert response.status_code == 503
    assert response.json() == {
        "code": "not_configured",
        "message": "Máy chủ chưa được cấu hình khoá bí mật của cổng SMS.",
    }
    assert Tip.objects.count() == 0


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        sign(json.dumps(sms()).encode(), "khoa-sai"),
        sign(json.dumps(sms(id="gw-khac")).encode()),  # signed another body
        "sha256=chữ-ký-có-dấu",
    ],
)
def test_a_bad_signature_is_refused_with_401_and_files_nothing(client, cast, signature) -> None:
    response = post_sms(client, sms(), signature=signature)
    assert response.status_code == 401
    assert response.json() == {
        "code": "bad_signature",
        "message": "Chữ ký (X-Signature) không hợp lệ.",
    }
    assert Tip.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "raw", "message"),
    [
        (sms(id=""), None, "Thiếu mã tin nhắn của cổng SMS (id)."),
        ({"from": PHONE, "text": TEXT}, None, "Thiếu mã tin nhắn của cổng SMS (id)."),
        (sms(id=True), None, "Thiếu mã tin nhắn của cổng SMS (id)."),
        (sms(id="x" * 101), None, "Mã tin nhắn (id) không hợp lệ."),
        (sms(id="gw\n1"), None, "Mã tin nhắn (id) không hợp lệ."),
        (sms(**{"from": "12345"}), None, "Số điện thoại người gửi (from) không hợp lệ."),
        (sms(**{"from": None}), None, "Số điện thoại người gửi (from) không hợp lệ."),
        (sms(text="   "), None, "Tin nhắn không có nội dung (text)."),
        (sms(text=["ma tuy"]), None, "Tin nhắn không có nội dung (text)."),
        (sms(received_at="hom qua"), None, "Thời điểm nhận (received_at) phải theo ISO 8601."),
        (None, b"{not json", "Nội dung không phải JSON hợp lệ."),
        (None, b"\xff\xfe", "Nội dung không phải JSON hợp lệ."),
        (None, b'["gw-1", "0912345678"]', "Nội dung phải là một đối tượng JSON."),
        (sms(text="x" * 5001), None, "Nội dung dài quá 5.000 ký tự."),
    ],
)
def test_a_bad_payload_is_refused_with_400_and_files_nothing(
    client, cast, data, raw, message
) -> None:
    response = post_sms(client, data, raw=raw)
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": message}
    assert Tip.objects.count() == 0


def test_get_is_not_allowed(client, db) -> None:
    assert client.get(URL).status_code == 405


def test_the_sender_number_appears_nowhere_but_encrypted(
    client, cast, caplog, django_capture_on_commit_callbacks
) -> None:
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_sms(client, sms())
    assert response.status_code == 201
    message = OutboxMessage.objects.get()
    # The receipt went out: the outbox keeps no copy of the number, the tip an encrypted one.
    assert (message.status, message.recipient_enc) == (OutboxStatus.SENT, "")
    assert decrypt(Tip.objects.get().reply_to_enc) == "+84912345678"
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    for form in (PHONE, "+84912345678", "84912345678", "912345678"):
        assert form not in dump.getvalue()
        assert form not in response.content.decode()
        assert form not in caplog.text


# --- reading the text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("co nguoi ban ma tuy o ngo 12", "ma-tuy"),
        ("Có người bán MA TÚY", "ma-tuy"),
        ("bi trom xe may o cho", "trom-cap"),
        ("Kẻ cướp giật điện thoại", "trom-cap"),
        ("lua dao chiem doat tien qua mang", "lua-dao"),
        ("dam chay lon o kho hang", "chay-no"),
        ("nghe tieng no rat to", "chay-no"),
        ("hoc sinh danh nhau truoc cong truong", "bao-luc-hoc-duong"),
        ("mot nhom thanh nien danh nhau", "gay-roi"),
        ("thanh nien dua xe trai phep", "gay-roi"),
        # Words that fold to a keyword's look-alike are not keywords.
        ("thay nguoi chay qua duong", None),  # chạy: to run
        ("no tien khong tra", None),  # nợ: debt
        ("dot lua suoi", None),  # lửa: fire
        ("co nguoi giat do thue", None),  # giặt: to wash
        ("tromso", None),  # not a whole word
        ("", None),
    ],
)
def test_the_category_is_read_from_text_without_diacritics(text, code) -> None:
    assert category_in_text(text) == code


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        (TEXT, "ward_a"),
        ("Có trộm ở Phường Hoàn Kiếm.", "ward_a"),
        ("P.Cua Nam co trom", "ward_b"),
        ("o phuong hang bac cu co nguoi la", "ward_a"),  # a former ward, now in Hoàn Kiếm
        ("tu phuong hoan kiem sang phuong cua nam", None),  # two wards: the officer decides
        ("o gan nha toi", None),
        ("nha toi o xa lam", None),  # "xa": far, not a commune
        ("phuong khong co that", None),
    ],
)
def test_the_ward_is_read_from_text_when_the_sms_names_it(cast, text, ward) -> None:
    expected = getattr(cast, ward) if ward else None
    assert ward_in_text(text) == expected
