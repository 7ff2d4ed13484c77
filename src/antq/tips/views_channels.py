"""Tips arriving from machines: the SMS gateway's webhook.

The gateway signs each call with HMAC-SHA256 of the raw body (``X-Signature: sha256=<hex>``)
using ``ANTQ_SMS_WEBHOOK_SECRET`` and retries until it gets a 2xx answer; the gateway's message
id is the idempotency key, so a retry returns the first tip's code and never files a second
tip. The sender's number is handed to ``tip_receive`` as ``reply_to`` (stored encrypted, used
only for the receipt and the officer's replies) and is never logged or echoed back.

The text often comes without diacritics ("co nguoi ban ma tuy o ngo 12 phuong hoan kiem"):
the category and the ward are guessed from it here (``category_in_text``, ``ward_in_text``);
what cannot be guessed is left to the officers' triage ("Khác", no ward).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from antq.core.phones import InvalidPhone, normalize_phone
from antq.registry.models import AdministrativeArea
from antq.registry.selectors import ward_resolve
from antq.textvn import fold
from antq.tips import services
from antq.tips.models import TipCategory
from antq.tips.status import Channel

FALLBACK_CATEGORY = "khac"
MAX_MESSAGE_ID = 100

# Folded phrases that reveal a category, most specific category first (a school fight is
# "bạo lực học đường", not "gây rối"). Whole words only, and never a bare word that folds
# to something common: "chay" is also "chạy" (to run), "no" also "nợ" (debt) and "no"
# (full), "lua" also "lửa" (fire), "giat" also "giặt" (to wash).
CATEGORY_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bao-luc-hoc-duong", ("bao luc hoc duong", "bat nat", "hoc sinh danh nhau")),
    (
        "chay-no",
        (
            "chay no",
            "dam chay",
            "hoa hoan",
            "vu chay",
            "bi chay",
            "chay nha",
            "chay lon",
            "phat no",
            "vu no",
            "tieng no",
            "no binh gas",
            "thuoc no",
            "vat lieu no",
        ),
    ),
    ("ma-tuy", ("ma tuy", "matuy", "thuoc lac", "can sa", "heroin", "bay lac")),
    ("lua-dao", ("lua dao", "lua dao qua mang", "chiem doat", "gia danh", "mao danh")),
    ("trom-cap", ("trom", "an trom", "cuop", "cuop giat", "moc tui")),
    ("gay-roi", ("gay roi", "danh nhau", "dua xe", "hon chien", "tu tap")),
)

_NON_WORD = re.compile(r"[^0-9a-z]+")


def _words(text: str) -> list[str]:
    return _NON_WORD.sub(" ", fold(text)).split()


def category_in_text(text: str) -> str | None:
    """The code of the category the text is about, or None when nothing says it."""
    padded = f" {' '.join(_words(text))} "
    for code, phrases in CATEGORY_KEYWORDS:
        if any(f" {phrase} " in padded for phrase in phrases):
            return code
    return None


# Words that announce a ward name in free text, and the prefix ward_resolve knows them by.
_WARD_MARKERS = {"phuong": "phuong", "p": "phuong", "xa": "xa"}
_LONGEST_NAME = 4  # words after the marker; "Phường Nam Từ Liêm" needs three


def ward_in_text(text: str) -> AdministrativeArea | None:
    """The one ward of the province that the text names ("... phuong hoan kiem", "p. Hàng
    Bạc", "xã Sóc Sơn", "đặc khu ..."), current or former name; None if none or several."""
    words = _words(text)
    found: dict[int, AdministrativeArea] = {}
    for i, word in enumerate(words):
        if word in _WARD_MARKERS:
            prefix, start = _WARD_MARKERS[word], i + 1
        elif word == "dac" and words[i + 1 : i + 2] == ["khu"]:
            prefix, start = "dac khu", i + 2
        else:
            continue
        for n in range(_LONGEST_NAME, 0, -1):
            name = words[start : start + n]
            if len(name) < n:
                continue
            wards = ward_resolve(f"{prefix} {' '.join(name)}")
            if len(wards) == 1:
                found[wards[0].pk] = wards[0]
            if wards:
                break  # the longest name that matches decides, even when ambiguous
    return next(iter(found.values())) if len(found) == 1 else None


def category_for_text(text: str) -> TipCategory | None:
    """The active category the text points at, else "Khác", else the first active one."""
    active = TipCategory.objects.filter(is_active=True)
    code = category_in_text(text)
    for wanted in (code, FALLBACK_CATEGORY):
        if wanted and (category := active.filter(code=wanted).first()) is not None:
            return category
    return active.order_by("sort_order", "name").first()


# --- the webhook ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundSms:
    id: str
    sender: str  # +84…
    text: str


class BadPayload(ValueError):
    pass


def _answer(status: int, data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, code: str, message: str) -> JsonResponse:
    return _answer(status, {"code": code, "message": message})


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.strip().lower().encode(), expected.encode())


def _fields(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, ValueError):
            raise BadPayload(_("Nội dung không phải JSON hợp lệ.")) from None
        if not isinstance(data, dict):
            raise BadPayload(_("Nội dung phải là một đối tượng JSON."))
        return data
    return request.POST.dict()


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        # parse_datetime raises ValueError for a well-shaped impossible date (2026-13-45).
        return parse_datetime(value) is not None
    except ValueError:
        return False


def parse_sms(request: HttpRequest) -> InboundSms:
    """The message in a JSON or form-encoded body; BadPayload (Vietnamese) if unusable."""
    data = _fields(request)
    message_id = data.get("id")
    if isinstance(message_id, int) and not isinstance(message_id, bool):
        message_id = str(message_id)
    if not isinstance(message_id, str) or not message_id.strip():
        raise BadPayload(_("Thiếu mã tin nhắn của cổng SMS (id)."))
    if len(message_id) > MAX_MESSAGE_ID or not message_id.isprintable():
        raise BadPayload(_("Mã tin nhắn (id) không hợp lệ."))
    sender = data.get("from")
    try:
        phone = normalize_phone(sender) if isinstance(sender, str) else ""
    except InvalidPhone:
        phone = ""
    if not phone:
        raise BadPayload(_("Số điện thoại người gửi (from) không hợp lệ."))
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadPayload(_("Tin nhắn không có nội dung (text)."))
    if len(text) > services.MAX_TEXT:
        raise BadPayload(
            _("Nội dung dài quá %(limit)s ký tự.")
            % {"limit": f"{services.MAX_TEXT:,}".replace(",", ".")}
        )
    received_at = data.get("received_at")
    # Only checked: the legal time of receipt is when ANTQ got the tip, which the service
    # records; a malformed value still means the gateway is misconfigured.
    if received_at not in (None, "") and not _is_datetime(received_at):
        raise BadPayload(_("Thời điểm nhận (received_at) phải theo ISO 8601."))
    return InboundSms(id=message_id.strip(), sender=phone, text=text)


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> JsonResponse:
    secret = settings.ANTQ_SMS_WEBHOOK_SECRET
    if not secret:
        return _error(
            503, "not_configured", _("Máy chủ chưa được cấu hình khoá bí mật của cổng SMS.")
        )
    if not signature_ok(secret, request.body, request.headers.get("X-Signature", "")):
        return _error(401, "bad_signature", _("Chữ ký (X-Signature) không hợp lệ."))
    try:
        sms = parse_sms(request)
    except BadPayload as exc:
        return _error(400, "invalid", str(exc))
    category = category_for_text(sms.text)
    if category is None:
        return _error(503, "no_category", _("Chưa có loại tin báo nào đang dùng."))
    try:
        receipt = services.tip_receive(
            channel=Channel.SMS,
            category=category,
            text=sms.text,
            ward=ward_in_text(sms.text),
            reply_to=sms.sender,
            idempotency_key=f"sms:{sms.id}",
        )
    except ValidationError as exc:
        return _error(400, "invalid", " ".join(exc.messages))
    # tip_receive has committed: only now is the gateway told the tip exists.
    return _answer(
        201 if receipt.created else 200, {"code": receipt.tip.code, "created": receipt.created}
    )
