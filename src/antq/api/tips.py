"""``/tips`` and ``/tip-categories``: hotline tips for officers' tools and partner apps.

Officers (token or session) list, read and handle the tips of their scope exactly as in the
inbox. A partner application files tips with its own key in ``X-Partner-Key`` and gets back
the tip code and the tipster's one-time passphrase to hand to its user. No answer ever holds
the tipster's identity, the SMS reply number, the passphrase digest or the search text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.security import APIKeyHeader
from pydantic import ConfigDict

from antq.accounts import permissions
from antq.accounts.models import User
from antq.api.base import SessionAuth, TokenAuth, TokenHeaderAuth
from antq.api.errors import ApiError
from antq.api.pagination import decode_cursor, encode_cursor
from antq.api.schemas import (
    ID_MAX,
    AreaRef,
    Moment,
    PageParams,
    RequiredText,
    Text,
    error_responses,
)
from antq.core.phones import InvalidPhone, normalize_phone
from antq.registry import selectors as registry_selectors
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import AreaLevel
from antq.tips import selectors, services
from antq.tips.models import Partner, Tip, TipCategory, TipMessage
from antq.tips.services import MAX_MESSAGE, MAX_TEXT
from antq.tips.status import PUBLIC_STATUS, Channel, Outcome, Sender, TipStatus, Urgency

router = Router(tags=["Tin báo"])
categories_router = Router(tags=["Tin báo"])

MAX_IDEMPOTENCY_KEY = 100


class PartnerKeyAuth(APIKeyHeader):
    """``X-Partner-Key``: the key of a partner application (filing tips only)."""

    param_name = "X-Partner-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Partner | None:
        return services.partner_authenticate(key or "")


# --- schemas -----------------------------------------------------------------------------


class TipBox(models.TextChoices):
    """The inbox views (``selectors.Box``)."""

    MINE = selectors.Box.MINE, gettext_lazy("Tin của tôi")
    UNASSIGNED = selectors.Box.UNASSIGNED, gettext_lazy("Chưa phân công")
    DUE_SOON = selectors.Box.DUE_SOON, gettext_lazy("Sắp quá hạn")
    OVERDUE = selectors.Box.OVERDUE, gettext_lazy("Quá hạn")


class TipCategoryOut(Schema):
    id: int
    code: str = Field(description="Mã ổn định của loại tin báo (dùng khi gửi tin).")
    name: str
    description: str
    default_urgency: Urgency


class TipCategoryList(Schema):
    items: list[TipCategoryOut]


class CategoryRef(Schema):
    id: int
    code: str
    name: str


class UnitRef(Schema):
    id: int
    name: str


class OfficerRef(Schema):
    id: int
    full_name: str


class TipOut(Schema):
    id: int
    code: str = Field(description="Mã tin báo (người báo tin dùng để tra cứu).")
    channel: Channel
    channel_label: str
    category: CategoryRef
    urgency: Urgency
    status: TipStatus
    status_label: str
    outcome: Outcome
    is_complex: bool
    text: str = Field(description="Nội dung như khi nhận (không bao giờ bị sửa).")
    text_restored: str = Field(
        description="Nội dung đã được thêm dấu tự động khi tin được gõ không dấu (thường là "
        "SMS); có thể chưa đúng, đối chiếu với trường text. Rỗng nếu không cần thêm dấu."
    )
    place: str
    occurred_at: dt.datetime | None
    ward: AreaRef | None
    unit: UnitRef | None
    unit_notified: bool = Field(description="Tin cũng được chuyển cho cán bộ ANTT của đơn vị.")
    latitude: float | None
    longitude: float | None
    assignee: OfficerRef | None
    anonymous: bool = Field(
        description="Người báo tin ẩn danh. Danh tính (nếu có) không bao giờ có trong API."
    )
    partner: str | None = Field(description="Tên ứng dụng đối tác đã gửi tin (nếu có).")
    merged_into: str | None = Field(description="Mã tin báo chính nếu tin này trùng.")
    deadline: dt.date | None = Field(description="Hạn xác minh (BLTTHS Điều 147).")
    received_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_channel_label(obj: Tip) -> str:
        return str(obj.get_channel_display())

    @staticmethod
    def resolve_status_label(obj: Tip) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_latitude(obj: Tip) -> float | None:
        return float(obj.latitude) if obj.latitude is not None else None

    @staticmethod
    def resolve_longitude(obj: Tip) -> float | None:
        return float(obj.longitude) if obj.longitude is not None else None

    @staticmethod
    def resolve_partner(obj: Tip) -> str | None:
        return obj.partner.name if obj.partner is not None else None

    @staticmethod
    def resolve_merged_into(obj: Tip) -> str | None:
        return obj.merged_into.code if obj.merged_into is not None else None


class TipPage(Schema):
    items: list[TipOut]
    next_cursor: str | None = Field(description="Con trỏ của trang sau; null ở trang cuối.")


class TipListParams(PageParams):
    box: TipBox | None = Field(None, description="Hộp tin: mine, unassigned, due_soon, overdue.")
    status: TipStatus | None = Field(None, description="Trạng thái.")
    category: Text | None = Field(None, max_length=40, description="Mã loại tin báo.")
    ward: int | None = Field(None, ge=1, le=ID_MAX, description="Id xã, phường.")
    channel: Channel | None = Field(None, description="Kênh tiếp nhận.")
    urgency: Urgency | None = Field(None, description="Mức độ.")


class TipIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "description": (
                "Tin báo mới. Mặc định ẩn danh; khi `anonymous` là false cần `reporter_name` "
                "hoặc `reporter_phone` (chỉ cán bộ được phép mới xem được, có ghi nhật ký)."
            )
        },
    )

    category: Text = Field(max_length=40, description="Mã loại tin báo (xem /tip-categories).")
    text: RequiredText = Field(max_length=MAX_TEXT, description="Nội dung sự việc.")
    place: Text = Field("", max_length=300, description="Địa điểm (số nhà, ngõ, phố...).")
    occurred_at: Moment | None = Field(
        None, description="Thời điểm xảy ra (không ghi múi giờ: giờ Việt Nam)."
    )
    ward: int | None = Field(None, ge=1, le=ID_MAX, description="Id xã, phường nơi xảy ra.")
    unit: int | None = Field(
        None, ge=1, le=ID_MAX, description="Id đơn vị liên quan (chỉ cán bộ, trong phạm vi)."
    )
    urgency: Urgency | None = Field(None, description="Mặc định theo loại tin báo.")
    anonymous: bool = True
    reporter_name: Text = Field("", max_length=200)
    reporter_phone: Text = Field("", max_length=40)
    latitude: Decimal | None = Field(None, ge=-90, le=90, description="Vĩ độ WGS84.")
    longitude: Decimal | None = Field(None, ge=-180, le=180, description="Kinh độ WGS84.")


class TipReceiptOut(Schema):
    id: int | None = Field(description="Id của tin (chỉ trả cho cán bộ; null với đối tác).")
    code: str = Field(description="Mã tin báo.")
    passphrase: str | None = Field(
        description=(
            "Cụm mật khẩu của người báo tin: chỉ có trong lần trả lời 201, không lưu ở đâu để "
            "xem lại (null khi gửi lại cùng Idempotency-Key)."
        )
    )
    status: str = Field(description="Trạng thái người báo tin thấy: new, received, ...")
    received_at: dt.datetime
    created: bool = Field(description="false nếu đây là tin đã nhận trước đó (gửi lại).")


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: TipStatus = Field(description="Trạng thái mới.")
    reason: Text = Field("", max_length=2000, description="Bắt buộc khi kết thúc hoặc mở lại.")
    outcome: Outcome | None = Field(None, description="Kết quả xử lý (thống kê).")


class AssignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assignee: int | None = Field(
        ge=1, le=ID_MAX, description="Id cán bộ xử lý; null để thu hồi phân công."
    )


class MessageOut(Schema):
    id: int
    sender: Sender
    sender_label: str
    author: OfficerRef | None = Field(description="Cán bộ đã viết (null với người báo tin).")
    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_sender_label(obj: TipMessage) -> str:
        return str(obj.get_sender_display())


class MessageList(Schema):
    items: list[MessageOut]


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: RequiredText = Field(max_length=MAX_MESSAGE, description="Tin nhắn gửi người báo tin.")


# --- helpers -----------------------------------------------------------------------------


def _invalid(field: str, message: str, kind: str = "invalid") -> ApiError:
    return ApiError(
        422,
        "invalid",
        _("Dữ liệu gửi lên không hợp lệ."),
        errors=[{"field": field, "message": message, "type": kind}],
    )


def _page(qs: QuerySet[Tip], cursor: str | None, limit: int) -> tuple[list[Tip], str | None]:
    """Newest first, keyset on (received_at, id) — the order of the inbox and its index."""
    qs = qs.order_by("-received_at", "-id")
    if cursor:
        value, last_id = decode_cursor(cursor)
        try:
            at = parse_datetime(value)
            # A time without a UTC equivalent (year 1 at +14:00) cannot be compared in SQL.
            if at is not None:
                at.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            at = None
        if at is None or timezone.is_naive(at):
            raise ApiError(
                422,
                "invalid_cursor",
                _("Con trỏ phân trang (cursor) không hợp lệ. Hãy tải lại từ trang đầu."),
            )
        qs = qs.filter(Q(received_at__lt=at) | Q(received_at=at, id__lt=last_id))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.received_at.isoformat(), last.pk)


def _detail(qs: QuerySet[Tip]) -> QuerySet[Tip]:
    return qs.select_related("category", "ward", "unit", "assignee", "partner", "merged_into")


def _category(code: str) -> TipCategory:
    category = TipCategory.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise _invalid("category", _("Loại tin báo không tồn tại hoặc không còn dùng."))
    return category


def _ward(ward_id: int) -> AdministrativeArea:
    ward = AdministrativeArea.objects.filter(pk=ward_id, level=AreaLevel.WARD).first()
    if ward is None:
        raise _invalid("ward", _("Xã, phường không tồn tại."))
    return ward


def _unit(user: Any, unit_id: int) -> Unit:
    unit = registry_selectors.unit_list_for(user).filter(pk=unit_id).first()
    if unit is None:
        raise _invalid("unit", _("Đơn vị không tồn tại hoặc nằm ngoài phạm vi của bạn."))
    return unit


def _six_places(value: Decimal | None) -> Decimal | None:
    return value.quantize(Decimal("0.000001")) if value is not None else None


# --- operations --------------------------------------------------------------------------


@categories_router.get(
    "",
    auth=None,
    response={200: TipCategoryList},
    operation_id="tip_categories_list",
    summary="Các loại tin báo",
    description=(
        "Các loại tin báo đang dùng, theo thứ tự hiển thị. Không cần xác thực. `code` là giá "
        "trị gửi trong trường `category` khi gửi tin báo."
    ),
)
def tip_categories_list(request: HttpRequest) -> Any:
    categories = TipCategory.objects.filter(is_active=True).order_by("sort_order", "name")
    return {"items": list(categories)}


@router.get(
    "",
    response={200: TipPage, **error_responses(401, 422)},
    operation_id="tips_list",
    summary="Danh sách tin báo",
    description=(
        "Tin báo trong phạm vi của người gọi, mới nhất trước, như hộp tin trên web. Lọc theo "
        "`box` (mine: của tôi, unassigned: chưa phân công, due_soon: sắp quá hạn, overdue: "
        "quá hạn), `status`, `category` (mã), `ward` (id), `channel`, `urgency`. Phân trang "
        "bằng con trỏ `next_cursor`. Không bao giờ có danh tính người báo tin."
    ),
)
def tips_list(request: HttpRequest, params: Query[TipListParams]) -> Any:
    category_id = None
    if params.category:
        found = TipCategory.objects.filter(code=params.category).values_list("pk", flat=True)
        category_id = found.first()
        if category_id is None:
            raise _invalid("category", _("Loại tin báo không tồn tại."))
    filters = selectors.TipFilters(
        box=params.box or selectors.Box.ALL,
        category=category_id,
        ward=params.ward,
        status=params.status or "",
        channel=params.channel or "",
        urgency=params.urgency or "",
    )
    tips = _detail(selectors.tip_list_for(request.user, filters))
    items, next_cursor = _page(tips, params.cursor, params.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/{tip_id}",
    response={200: TipOut, **error_responses(401, 404, 422)},
    operation_id="tips_get",
    summary="Chi tiết một tin báo",
    description="Tin báo ngoài phạm vi của người gọi trả 404, như tin không tồn tại.",
)
def tips_get(request: HttpRequest, tip_id: int = Path(..., ge=1, le=ID_MAX)) -> Any:
    return selectors.tip_get_for(request.user, tip_id)


@router.post(
    "",
    auth=[PartnerKeyAuth(), TokenAuth(), TokenHeaderAuth(), SessionAuth()],
    response={201: TipReceiptOut, 200: TipReceiptOut, **error_responses(400, 401, 403, 422)},
    operation_id="tips_create",
    summary="Gửi tin báo",
    description=(
        "Ứng dụng đối tác gửi tin bằng khoá của mình trong header `X-Partner-Key`; cán bộ "
        "(quản trị, phòng Xây dựng phong trào, Công an xã, phường) nhập tin bằng token hoặc "
        "phiên đăng nhập. Trả 201 với mã tin báo và cụm mật khẩu của người báo tin — cụm mật "
        "khẩu chỉ trả một lần, hãy chuyển ngay cho người báo tin. Gửi header "
        "`Idempotency-Key` để gửi lại an toàn: cùng khoá trả 200 với chính tin đã nhận "
        "(không có cụm mật khẩu), không tạo tin thứ hai."
    ),
)
def tips_create(request: HttpRequest, payload: TipIn) -> Any:
    caller = request.auth  # type: ignore[attr-defined]
    partner = caller if isinstance(caller, Partner) else None
    actor = None if partner is not None else request.user
    if partner is None and not permissions.can_take_calls(actor):
        raise PermissionDenied(_("Vai trò của bạn không được nhập tin báo."))
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise _invalid("Idempotency-Key", _("Idempotency-Key dài quá 100 ký tự hoặc không hợp lệ."))
    if partner is not None and payload.unit is not None:
        raise _invalid("unit", _("Ứng dụng đối tác không chọn đơn vị; hãy mô tả trong nội dung."))
    if not payload.anonymous and payload.reporter_phone.strip():
        try:
            normalize_phone(payload.reporter_phone)
        except InvalidPhone:
            raise _invalid(
                "reporter_phone", _("Số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678).")
            ) from None
    who = f"partner{partner.pk}" if partner is not None else f"user{actor.pk}"  # type: ignore[union-attr]
    receipt = services.tip_receive(
        channel=Channel.API,
        category=_category(payload.category),
        text=payload.text,
        ward=_ward(payload.ward) if payload.ward is not None else None,
        place=payload.place,
        occurred_at=payload.occurred_at,
        unit=_unit(actor, payload.unit) if payload.unit is not None else None,
        anonymous=payload.anonymous,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        urgency=payload.urgency,
        latitude=_six_places(payload.latitude),
        longitude=_six_places(payload.longitude),
        partner=partner,
        idempotency_key=f"api:{who}:{key}" if key else "",
        actor=actor,
    )
    tip = receipt.tip
    answer = {
        "id": tip.pk if partner is None else None,
        "code": tip.code,
        "passphrase": receipt.passphrase,
        "status": PUBLIC_STATUS[tip.status],
        "received_at": tip.received_at,
        "created": receipt.created,
    }
    return Status(201 if receipt.created else 200, answer)


@router.post(
    "/{tip_id}/transition",
    response={200: TipOut, **error_responses(400, 401, 403, 404, 422)},
    operation_id="tips_transition",
    summary="Chuyển trạng thái tin báo",
    description=(
        "Chỉ cán bộ xử lý được tin (phòng Xây dựng phong trào, Công an xã, phường của địa "
        "bàn) — người chỉ được xem trả 403. Chuyển trạng thái không hợp lệ, hoặc kết thúc / "
        "mở lại không ghi lý do, trả 422. Mỗi lần chuyển được ghi nhật ký."
    ),
)
def tips_transition(
    request: HttpRequest, payload: TransitionIn, tip_id: int = Path(..., ge=1, le=ID_MAX)
) -> Any:
    tip = selectors.tip_get_for(request.user, tip_id)
    services.tip_transition(
        tip=tip,
        to=payload.to,
        actor=request.user,
        reason=payload.reason,
        outcome=payload.outcome,
    )
    return selectors.tip_get_for(request.user, tip.pk)


@router.post(
    "/{tip_id}/assign",
    response={200: TipOut, **error_responses(400, 401, 403, 404, 422)},
    operation_id="tips_assign",
    summary="Phân công cán bộ xử lý",
    description=(
        "Giao tin cho một cán bộ phụ trách địa bàn của tin (`assignee`: id), hoặc thu hồi "
        "(`null`). Tin mới được phân công chuyển sang “đã tiếp nhận”."
    ),
)
def tips_assign(
    request: HttpRequest, payload: AssignIn, tip_id: int = Path(..., ge=1, le=ID_MAX)
) -> Any:
    tip = selectors.tip_get_for(request.user, tip_id)
    assignee = None
    if payload.assignee is not None:
        assignee = User.objects.filter(pk=payload.assignee, is_active=True).first()
        # The same answer for an unknown user and one who may not handle the tip: the API
        # does not tell who exists outside the caller's reach.
        if assignee is None or not permissions.can_handle_tip(assignee, tip):
            if not permissions.can_handle_tip(request.user, tip):
                raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với tin báo."))
            raise _invalid(
                "assignee", _("Cán bộ không tồn tại hoặc không phụ trách địa bàn của tin báo.")
            )
    services.tip_assign(tip=tip, assignee=assignee, actor=request.user)
    return selectors.tip_get_for(request.user, tip.pk)


@router.get(
    "/{tip_id}/messages",
    response={200: MessageList, **error_responses(401, 404, 422)},
    operation_id="tips_messages_list",
    summary="Tin nhắn với người báo tin",
    description=(
        "Cuộc trao đổi với người báo tin, cũ nhất trước (ghi chú nội bộ không có ở đây). "
        "Đọc qua API không đánh dấu đã đọc."
    ),
)
def tips_messages_list(request: HttpRequest, tip_id: int = Path(..., ge=1, le=ID_MAX)) -> Any:
    tip = selectors.tip_get_for(request.user, tip_id)
    return {"items": list(tip.messages.select_related("author").order_by("created_at", "id"))}


@router.post(
    "/{tip_id}/messages",
    response={201: MessageOut, **error_responses(400, 401, 403, 404, 422)},
    operation_id="tips_messages_create",
    summary="Nhắn người báo tin",
    description=(
        "Tin nhắn của cán bộ xử lý gửi người báo tin; người báo tin đọc trên trang tra cứu "
        "(và qua SMS nếu tin đến bằng SMS). Người chỉ được xem trả 403."
    ),
)
def tips_messages_create(
    request: HttpRequest, payload: MessageIn, tip_id: int = Path(..., ge=1, le=ID_MAX)
) -> Any:
    tip = selectors.tip_get_for(request.user, tip_id)
    message = services.tip_message_post(tip=tip, body=payload.body, actor=request.user)
    return Status(201, message)
