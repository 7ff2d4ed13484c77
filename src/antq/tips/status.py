"""Choice lists and the state machine of hotline tips."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Trang web")
    SMS = "sms", _("Tin nhắn SMS")
    PHONE = "phone", _("Điện thoại")
    API = "api", _("Ứng dụng đối tác (API)")
    OPEN311 = "open311", _("Open311")
    DIRECT = "direct", _("Trực tiếp")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Khẩn")
    NORMAL = "normal", _("Bình thường")


class TipStatus(models.TextChoices):
    NEW = "new", _("Mới")
    RECEIVED = "received", _("Đã tiếp nhận")
    VERIFYING = "verifying", _("Đang xác minh")
    HANDLED = "handled", _("Đã xử lý")
    TRANSFERRED = "transferred", _("Chuyển cơ quan khác")
    UNFOUNDED = "unfounded", _("Không có cơ sở")
    DUPLICATE = "duplicate", _("Trùng")
    SPAM = "spam", _("Tin rác")


OPEN_STATUSES = frozenset({TipStatus.NEW, TipStatus.RECEIVED, TipStatus.VERIFYING})
CLOSED_STATUSES = frozenset(set(TipStatus) - OPEN_STATUSES)

# Which status may follow which. A closed tip can be reopened for verification (new facts),
# except a merged duplicate, which lives on in the tip it was merged into.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    TipStatus.NEW: frozenset(
        {
            TipStatus.RECEIVED,
            TipStatus.VERIFYING,
            TipStatus.TRANSFERRED,
            TipStatus.UNFOUNDED,
            TipStatus.DUPLICATE,
            TipStatus.SPAM,
        }
    ),
    TipStatus.RECEIVED: frozenset(
        {
            TipStatus.VERIFYING,
            TipStatus.HANDLED,
            TipStatus.TRANSFERRED,
            TipStatus.UNFOUNDED,
            TipStatus.DUPLICATE,
            TipStatus.SPAM,
        }
    ),
    TipStatus.VERIFYING: frozenset(
        {
            TipStatus.HANDLED,
            TipStatus.TRANSFERRED,
            TipStatus.UNFOUNDED,
            TipStatus.DUPLICATE,
        }
    ),
    TipStatus.HANDLED: frozenset({TipStatus.VERIFYING}),
    TipStatus.TRANSFERRED: frozenset({TipStatus.VERIFYING}),
    TipStatus.UNFOUNDED: frozenset({TipStatus.VERIFYING}),
    TipStatus.SPAM: frozenset({TipStatus.RECEIVED}),
    TipStatus.DUPLICATE: frozenset(),
}

# What the tipster sees: internal distinctions (spam, duplicate) are not his business.
PUBLIC_STATUS: dict[str, str] = {
    TipStatus.NEW: "new",
    TipStatus.RECEIVED: "received",
    TipStatus.VERIFYING: "verifying",
    TipStatus.HANDLED: "closed",
    TipStatus.TRANSFERRED: "closed",
    TipStatus.UNFOUNDED: "closed",
    TipStatus.DUPLICATE: "closed",
    TipStatus.SPAM: "closed",
}


class Outcome(models.TextChoices):
    """What a handled tip led to; the annual report counts these."""

    NONE = "", _("Chưa có kết quả")
    CRIME_DETECTED = "crime_detected", _("Phát hiện tội phạm")
    SUSPECT_ARRESTED = "suspect_arrested", _("Bắt giữ đối tượng")
    CAUGHT_IN_ACT = "caught_in_act", _("Bắt quả tang")
    WANTED_SURRENDERED = "wanted_surrendered", _("Vận động đối tượng truy nã ra đầu thú")
    WEAPONS_SEIZED = "weapons_seized", _("Thu giữ vũ khí, vật liệu nổ")
    ADMIN_PENALTY = "admin_penalty", _("Xử phạt vi phạm hành chính")
    PREVENTED = "prevented", _("Ngăn chặn, phòng ngừa kịp thời")
    TRANSFERRED = "transferred", _("Chuyển cơ quan có thẩm quyền")
    NOT_CONFIRMED = "not_confirmed", _("Xác minh không có vi phạm")


class Sender(models.TextChoices):
    TIPSTER = "tipster", _("Người báo tin")
    OFFICER = "officer", _("Cán bộ xử lý")
