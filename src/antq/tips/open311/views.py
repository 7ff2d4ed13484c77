"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at ``/open311/v2/``.

Services are the active tip categories. A partner application files a request with its API
key (``POST requests.json``, form-encoded as the specification defines it) and lists only the
requests it filed. Anyone holding a request id may read its status, but only the filing
partner's key shows the description, the address and the position; nobody ever gets the
tipster's identity. Differences from the specification, documented in docs/api.md:

- ``media_url`` is ignored: ANTQ makes no outbound requests (a fetched URL would tell a third
  party that a tip exists, and could reach internal hosts). Attachments come through the
  JSON API or the public form.
- ``attribute[...]``, ``address_id``, ``device_id``, ``account_id`` and ``jurisdiction_id``
  are ignored (one jurisdiction, no attributes).
- A missing or unknown ``api_key`` is a 401 (the specification says 403).
- An ``Idempotency-Key`` header makes a POST safe to retry: the same key returns the first
  request (200) instead of filing a second one.
- Each parameter has a length limit (``PARAM_LIMITS``; ``address_string`` 300 characters, as
  the tip's place) and a list at most ``MAX_REQUESTS`` items; a NUL character is a 400.
- ``service_notice`` of a new request carries the tip code and the one-time passphrase the
  citizen needs to follow his tip and talk with the officer on the public lookup page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from antq.core import ratelimit
from antq.core.phones import InvalidPhone, normalize_phone
from antq.registry.models import AdministrativeArea
from antq.registry.selectors import ward_resolve
from antq.textvn import fold, nfc, squash_spaces
from antq.tips import codes, services
from antq.tips.models import Partner, Tip, TipCategory
from antq.tips.open311 import xml
from antq.tips.status import CLOSED_STATUSES, OPEN_STATUSES, PUBLIC_STATUS, Channel
from antq.tips.views_channels import CATEGORY_KEYWORDS, ward_in_text

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this interface last changed (service discovery's "changeset").
CHANGESET = "2026-11-26T00:00:00Z"
MAX_REQUESTS = 1000  # per answer, as the specification says
DEFAULT_DAYS = 90  # without start_date/end_date, the last 90 days
MAX_IDEMPOTENCY_KEY = 100
# Per client address and hour (counted under a daily-rotating keyed hash, never stored). A
# partner's server files its users' tips from one address: the limit is generous, it only
# stops floods and the guessing of request ids.
GETS_PER_HOUR = 1200
POSTS_PER_HOUR = 300
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

PUBLIC_STATUS_NOTES = {
    "new": gettext_lazy("Đã nhận tin báo, đang chờ tiếp nhận."),
    "received": gettext_lazy("Cơ quan Công an đã tiếp nhận tin báo."),
    "verifying": gettext_lazy("Cơ quan Công an đang xác minh tin báo."),
    "closed": gettext_lazy("Đã kết thúc xử lý tin báo."),
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under ``root`` (the JSON answer has no root element)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode()
    else:
        body = xml.document(root, data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    response = respond(fmt, "errors", [{"code": status, "description": description}], status)
    response["Cache-Control"] = "no-store"
    return response


View = Callable[..., HttpResponse]


def open311_view(*methods: str) -> Callable[[View], View]:
    """CSRF-exempt (partners authenticate by key), answers errors in the requested format."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error(fmt, 405, _("Phương thức HTTP không được hỗ trợ."))
                response["Allow"] = ", ".join(methods)
                return response
            writing = request.method == "POST"
            bucket, limit = (
                ("open311_post", POSTS_PER_HOUR) if writing else ("open311_get", GETS_PER_HOUR)
            )
            if not ratelimit.hit(request, bucket, limit):
                response = error(
                    fmt,
                    429,
                    _("Quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau ít phút."),
                )
                response["Retry-After"] = str(ratelimit.HOUR - int(time.time()) % ratelimit.HOUR)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return error(fmt, exc.status, exc.description)

        return csrf_exempt(wrapper)

    return decorate


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# The longest value each parameter may have; the longest comma-separated list of ids or codes.
PARAM_LIMITS = {
    "api_key": 200,
    "service_code": 2000,
    "service_request_id": 20_000,
    "status": 20,
    "start_date": 64,
    "end_date": 64,
    "lat": 64,
    "long": 64,
    "address_string": 300,
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
}
MAX_LIST_ITEMS = MAX_REQUESTS


def _param(params: Any, name: str) -> str:
    """A parameter, stripped; a 400 if it is too long or holds a NUL (which PostgreSQL
    refuses in any text it compares)."""
    value = str(params.get(name, "")).strip()
    if "\x00" in value:
        raise Open311Error(400, _("%(name)s chứa ký tự không hợp lệ.") % {"name": name})
    limit = PARAM_LIMITS[name]
    if len(value) > limit:
        raise Open311Error(
            400,
            _("%(name)s dài quá %(limit)s ký tự.") % {"name": name, "limit": limit},
        )
    return value


def _csv(params: Any, name: str) -> list[str]:
    items = [item.strip() for item in _param(params, name).split(",") if item.strip()]
    if len(items) > MAX_LIST_ITEMS:
        raise Open311Error(
            400,
            _("%(name)s có nhiều hơn %(limit)s giá trị.") % {"name": name, "limit": MAX_LIST_ITEMS},
        )
    return items


def _partner(params: Any) -> Partner | None:
    """The partner holding ``api_key``; None without a key; 401 for a wrong or revoked key."""
    key = _param(params, "api_key")
    if not key:
        return None
    partner = services.partner_authenticate(key)
    if partner is None:
        raise Open311Error(401, _("Thiếu hoặc sai api_key của ứng dụng đối tác."))
    return partner


def _partner_required(params: Any) -> Partner:
    partner = _partner(params)
    if partner is None:
        raise Open311Error(401, _("Thiếu hoặc sai api_key của ứng dụng đối tác."))
    return partner


# --- services ------------------------------------------------------------------------------


def _keywords(code: str) -> str:
    phrases = next((p for c, p in CATEGORY_KEYWORDS if c == code), ())
    return ", ".join(phrases)


def _service(category: TipCategory) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": _keywords(category.code),
        "group": _("An ninh, trật tự"),
    }


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:services_json")).removesuffix(
        "services.json"
    )
    data = {
        "changeset": CHANGESET,
        "contact": settings.ANTQ_DEPARTMENT_NAME,
        "key_service": _(
            "Khoá api_key do quản trị viên ANTQ cấp cho ứng dụng đối tác (Tin báo → Ứng dụng "
            "đối tác)."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    categories = TipCategory.objects.filter(is_active=True).order_by("sort_order", "name")
    return respond(fmt, "services", [_service(c) for c in categories])


def _category(code: str) -> TipCategory | None:
    # Codes are slugs: anything else (a NUL from the URL included) names no category.
    if not SLUG.fullmatch(code):
        return None
    return TipCategory.objects.filter(code=code, is_active=True).first()


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    category = _category(service_code)
    if category is None:
        raise Open311Error(404, _("Không có loại tin báo với mã service_code này."))
    return respond(fmt, "service_definition", {"service_code": category.code, "attributes": []})


# --- service requests ----------------------------------------------------------------------


def _agency(tip: Tip) -> str:
    if tip.ward is not None:
        return _("Công an %(ward)s") % {"ward": tip.ward.name}
    return settings.ANTQ_DEPARTMENT_NAME


def _coordinate(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def request_data(tip: Tip, *, full: bool) -> dict[str, Any]:
    """One service request; ``full`` only for the partner that filed it."""
    status = "open" if tip.status in OPEN_STATUSES else "closed"
    if not full:
        return {
            "service_request_id": tip.code,
            "status": status,
            "service_code": tip.category.code,
            "requested_datetime": _iso(tip.received_at),
            "updated_datetime": _iso(tip.updated_at),
        }
    address = tip.place
    if tip.ward is not None and fold(tip.ward.name) not in fold(address):
        address = ", ".join(filter(None, [address, tip.ward.name]))
    return {
        "service_request_id": tip.code,
        "status": status,
        "status_notes": str(PUBLIC_STATUS_NOTES[PUBLIC_STATUS[tip.status]]),
        "service_name": tip.category.name,
        "service_code": tip.category.code,
        "description": tip.text,
        "agency_responsible": _agency(tip),
        "service_notice": None,
        "requested_datetime": _iso(tip.received_at),
        "updated_datetime": _iso(tip.updated_at),
        "expected_datetime": None,
        "address": address,
        "address_id": None,
        "zipcode": None,
        "lat": _coordinate(tip.latitude),
        "long": _coordinate(tip.longitude),
        "media_url": None,
    }


def _date(params: Any, name: str) -> dt.datetime | None:
    """An ISO 8601 time (local time without an offset), in UTC."""
    value = _param(params, name)
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(
            400,
            _("%(name)s phải theo định dạng ISO 8601, ví dụ 2026-03-01T00:00:00+07:00.")
            % {"name": name},
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        # Year 1 at +14:00 or year 9999 at -14:00 has no UTC time: it is before the
        # earliest or after the latest time there is, which filters the same.
        edge = dt.datetime.min if parsed.year == 1 else dt.datetime.max
        return edge.replace(tzinfo=dt.UTC)


def _days_before(moment: dt.datetime, days: int) -> dt.datetime:
    try:
        return moment - dt.timedelta(days=days)
    except OverflowError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)


def _filtered(qs: QuerySet[Tip], params: Any) -> QuerySet[Tip]:
    """The GET requests filters; service_request_id, when given, overrides all others."""
    ids = _csv(params, "service_request_id")
    if ids:
        return qs.filter(code__in={codes.normalize_code(i) for i in ids} - {""})
    service_codes = _csv(params, "service_code")
    if service_codes:
        qs = qs.filter(category__code__in=set(service_codes))
    statuses = set(_csv(params, "status"))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status chỉ nhận open hoặc closed."))
    if statuses == {"open"}:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        qs = qs.filter(status__in=CLOSED_STATUSES)
    start = _date(params, "start_date")
    end = _date(params, "end_date")
    if start is None:
        start = _days_before(end or timezone.now(), DEFAULT_DAYS)
    if end is not None and start > end:
        raise Open311Error(400, _("start_date phải trước end_date."))
    qs = qs.filter(received_at__gte=start)
    if end is not None:
        qs = qs.filter(received_at__lte=end)
    return qs


def _coordinates(lat: str, long: str) -> tuple[Decimal | None, Decimal | None]:
    if not lat and not long:
        return None, None
    try:
        latitude, longitude = Decimal(lat), Decimal(long)
    except InvalidOperation:
        latitude = longitude = Decimal("NaN")
    if not (
        latitude.is_finite()
        and longitude.is_finite()
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    ):
        raise Open311Error(400, _("lat và long phải là toạ độ WGS84 hợp lệ."))
    step = Decimal("0.000001")  # the precision stored (about 10 cm)
    return latitude.quantize(step), longitude.quantize(step)


def ward_for_address(address: str) -> AdministrativeArea | None:
    """The ward an address names: the whole text ("Phường Hoàn Kiếm", "Hàng Bạc, Quận Hoàn
    Kiếm"), else one of its comma-separated parts from the end, else a ward named inside it."""
    found = ward_resolve(address)
    if len(found) == 1:
        return found[0]
    for part in reversed([p.strip() for p in address.split(",") if p.strip()]):
        found = ward_resolve(part)
        if len(found) == 1:
            return found[0]
    return ward_in_text(address)


def _identity(params: Any) -> tuple[bool, str, str]:
    """(anonymous, name, phone): the citizen is named only if the client sent who he is."""
    first = squash_spaces(nfc(_param(params, "first_name")))
    last = squash_spaces(nfc(_param(params, "last_name")))
    email = _param(params, "email")
    try:
        phone = normalize_phone(_param(params, "phone"))
    except InvalidPhone:
        raise Open311Error(
            400, _("Số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678).")
        ) from None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email không hợp lệ.")) from None
    # Vietnamese order: family name (last_name) first. The tip has no e-mail field: the
    # address is kept with the name so the officer who may see the identity can write back.
    name = " ".join(filter(None, [last, first]))
    if email:
        name = f"{name} <{email}>" if name else email
    anonymous = not (name or phone)
    return anonymous, name, phone


def _notice(receipt: services.Receipt) -> str:
    if receipt.passphrase is None:
        return _("Tin báo này đã được tiếp nhận trước đó với mã %(code)s.") % {
            "code": receipt.tip.code
        }
    return _(
        "Đã tiếp nhận tin báo. Người báo tin tra cứu kết quả và trao đổi với cán bộ trên trang "
        "tra cứu tin báo bằng mã %(code)s và cụm mật khẩu: %(passphrase)s (chỉ hiển thị một "
        "lần, không thể cấp lại)."
    ) % {"code": receipt.tip.code, "passphrase": receipt.passphrase}


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    partner = _partner_required(params)
    code = _param(params, "service_code")
    if not code:
        raise Open311Error(400, _("Thiếu service_code."))
    category = _category(code)
    if category is None:
        raise Open311Error(400, _("Không có loại tin báo với mã service_code này."))
    # Limited before the ward is looked up in it: the lookup's LIKE patterns are built from
    # the address, and SQLite refuses a pattern of 50,000 characters.
    address = squash_spaces(nfc(_param(params, "address_string")))
    latitude, longitude = _coordinates(_param(params, "lat"), _param(params, "long"))
    if not address and latitude is None:
        raise Open311Error(400, _("Cần address_string hoặc lat và long."))
    anonymous, name, phone = _identity(params)
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise Open311Error(400, _("Idempotency-Key dài quá 100 ký tự hoặc không hợp lệ."))
    try:
        receipt = services.tip_receive(
            channel=Channel.OPEN311,
            category=category,
            text=params.get("description", ""),
            ward=ward_for_address(address) if address else None,
            place=address,
            latitude=latitude,
            longitude=longitude,
            anonymous=anonymous,
            reporter_name=name,
            reporter_phone=phone,
            partner=partner,
            idempotency_key=f"open311:{partner.pk}:{key}" if key else "",
        )
    except ValidationError as exc:
        raise Open311Error(400, " ".join(exc.messages)) from None
    data = [
        {
            "service_request_id": receipt.tip.code,
            "service_notice": _notice(receipt),
            "account_id": None,
        }
    ]
    response = respond(fmt, "service_requests", data, status=201 if receipt.created else 200)
    response["Cache-Control"] = "no-store"
    return response


@open311_view("GET", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    partner = _partner_required(request.GET)
    tips = _filtered(
        Tip.objects.filter(partner=partner).select_related("category", "ward"), request.GET
    )
    tips = tips.order_by("-received_at", "-id")[:MAX_REQUESTS]
    response = respond(fmt, "service_requests", [request_data(t, full=True) for t in tips])
    response["Cache-Control"] = "no-store"
    return response


@open311_view("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    partner = _partner(request.GET)
    code = codes.normalize_code(service_request_id)
    # Only requests filed by partner applications: a citizen's web or SMS tip is followed
    # with its passphrase on the public lookup page, never by its code alone.
    tip = (
        Tip.objects.filter(code=code, partner__isnull=False)
        .select_related("category", "ward")
        .first()
        if code
        else None
    )
    if tip is None:
        raise Open311Error(404, _("Không tìm thấy yêu cầu với mã này."))
    full = partner is not None and tip.partner_id == partner.pk
    response = respond(fmt, "service_requests", [request_data(tip, full=full)])
    response["Cache-Control"] = "no-store"
    return response
