"""Choice lists and the state machine of complaint and denunciation cases.

Every allowed move carries its legal basis (shown in the form and written to the trail);
moves not listed here are refused with a message naming both states.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    COMPLAINT_FIRST = "complaint_1", _("Khiếu nại lần đầu")
    COMPLAINT_SECOND = "complaint_2", _("Khiếu nại lần hai")
    DENUNCIATION = "denunciation", _("Tố cáo")
    PETITION = "petition", _("Kiến nghị, phản ánh")
    INTERNAL = "internal", _("Mâu thuẫn nội bộ")


COMPLAINT_KINDS = frozenset({CaseKind.COMPLAINT_FIRST, CaseKind.COMPLAINT_SECOND})


class Complexity(models.TextChoices):
    NORMAL = "normal", _("Bình thường")
    COMPLEX = "complex", _("Phức tạp")
    VERY_COMPLEX = "very_complex", _("Đặc biệt phức tạp")


class CaseChannel(models.TextChoices):
    DIRECT = "direct", _("Trực tiếp tại nơi tiếp công dân")
    POST = "post", _("Qua bưu chính")
    ONLINE = "online", _("Trực tuyến, thư điện tử")
    TRANSFERRED = "transferred", _("Cơ quan khác chuyển đến")
    TIP = "tip", _("Từ tin báo")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Tiếp nhận")
    INITIAL = "initial", _("Xử lý ban đầu")
    ACCEPTED = "accepted", _("Đã thụ lý")
    REJECTED = "rejected", _("Không thụ lý")
    TRANSFERRED = "transferred", _("Chuyển đơn")
    VERIFYING = "verifying", _("Xác minh")
    SUSPENDED = "suspended", _("Tạm đình chỉ")
    EXTENDED = "extended", _("Gia hạn")
    CONCLUDED = "concluded", _("Kết luận, quyết định")
    HANDLED = "handled", _("Xử lý kết luận")
    PUBLISHED = "published", _("Công khai")
    CLOSED = "closed", _("Đóng")
    WITHDRAWN = "withdrawn", _("Rút đơn")
    TERMINATED = "terminated", _("Đình chỉ")


FINAL_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED})
OPEN_STATUSES = frozenset(set(CaseStatus) - FINAL_STATUSES)


class Stage(models.TextChoices):
    """The legal deadlines a case can run against."""

    ACCEPTANCE = "acceptance", _("Thụ lý (xử lý ban đầu)")
    TRANSFER = "transfer", _("Chuyển đơn")
    NOTICE = "notice", _("Thông báo thụ lý")
    RESOLUTION = "resolution", _("Giải quyết")
    PUBLICATION = "publication", _("Công khai kết luận")


class DayCount(models.TextChoices):
    WORKING = "working", _("Ngày làm việc")
    CALENDAR = "calendar", _("Ngày theo lịch")


@dataclass(frozen=True)
class Move:
    to: str
    basis: str | Promise
    reason_required: bool = False


# What may follow what, with the article that allows it. The laws name the denunciation
# articles; a complaint cites its own law where it differs (see ``basis_for``).
MOVES: dict[str, tuple[Move, ...]] = {
    CaseStatus.RECEIVED: (
        Move(
            CaseStatus.INITIAL,
            _("Phân loại, xử lý đơn (Thông tư 05/2021/TT-TTCP; Luật Tố cáo Điều 24)"),
        ),
        Move(CaseStatus.WITHDRAWN, _("Rút đơn (Luật Khiếu nại Điều 10)"), True),
    ),
    CaseStatus.INITIAL: (
        Move(CaseStatus.ACCEPTED, _("Thụ lý (Luật Khiếu nại Điều 27, Luật Tố cáo Điều 29)")),
        Move(
            CaseStatus.REJECTED,
            _("Không thụ lý (Luật Khiếu nại Điều 11, Luật Tố cáo Điều 29 khoản 2)"),
            True,
        ),
        Move(CaseStatus.TRANSFERRED, _("Chuyển đơn (Luật Tố cáo Điều 24 khoản 3)"), True),
        Move(CaseStatus.WITHDRAWN, _("Rút đơn (Luật Khiếu nại Điều 10)"), True),
    ),
    CaseStatus.ACCEPTED: (
        Move(
            CaseStatus.VERIFYING,
            _("Xác minh nội dung (Luật Khiếu nại Điều 29, Luật Tố cáo Điều 31)"),
        ),
        Move(
            CaseStatus.WITHDRAWN, _("Rút đơn (Luật Khiếu nại Điều 10, Luật Tố cáo Điều 33)"), True
        ),
    ),
    CaseStatus.VERIFYING: (
        Move(CaseStatus.SUSPENDED, _("Tạm đình chỉ (Luật Tố cáo Điều 34)"), True),
        Move(CaseStatus.EXTENDED, _("Gia hạn giải quyết (Luật Tố cáo Điều 30)"), True),
        Move(
            CaseStatus.CONCLUDED,
            _("Kết luận, quyết định giải quyết (Luật Khiếu nại Điều 31, Luật Tố cáo Điều 35)"),
        ),
        Move(
            CaseStatus.WITHDRAWN, _("Rút đơn (Luật Khiếu nại Điều 10, Luật Tố cáo Điều 33)"), True
        ),
        Move(CaseStatus.TERMINATED, _("Đình chỉ giải quyết (Luật Tố cáo Điều 34)"), True),
    ),
    CaseStatus.SUSPENDED: (
        Move(
            CaseStatus.VERIFYING,
            _("Tiếp tục giải quyết khi lý do tạm đình chỉ không còn (Luật Tố cáo Điều 34)"),
            True,
        ),
        Move(CaseStatus.TERMINATED, _("Đình chỉ giải quyết (Luật Tố cáo Điều 34)"), True),
    ),
    CaseStatus.EXTENDED: (
        Move(CaseStatus.SUSPENDED, _("Tạm đình chỉ (Luật Tố cáo Điều 34)"), True),
        Move(
            CaseStatus.EXTENDED,
            _("Gia hạn lần hai, vụ việc đặc biệt phức tạp (Luật Tố cáo Điều 30)"),
            True,
        ),
        Move(
            CaseStatus.CONCLUDED,
            _("Kết luận, quyết định giải quyết (Luật Khiếu nại Điều 31, Luật Tố cáo Điều 35)"),
        ),
        Move(CaseStatus.WITHDRAWN, _("Rút đơn (Luật Tố cáo Điều 33)"), True),
        Move(CaseStatus.TERMINATED, _("Đình chỉ giải quyết (Luật Tố cáo Điều 34)"), True),
    ),
    CaseStatus.CONCLUDED: (
        Move(
            CaseStatus.HANDLED,
            _("Xử lý kết luận (Luật Tố cáo Điều 36), thi hành quyết định giải quyết"),
        ),
    ),
    CaseStatus.HANDLED: (
        Move(
            CaseStatus.PUBLISHED,
            _("Công khai kết luận, quyết định (Luật Tố cáo Điều 40)"),
        ),
        Move(CaseStatus.CLOSED, _("Kết thúc, lưu hồ sơ")),
    ),
    CaseStatus.PUBLISHED: (Move(CaseStatus.CLOSED, _("Kết thúc, lưu hồ sơ")),),
    CaseStatus.REJECTED: (Move(CaseStatus.CLOSED, _("Kết thúc, lưu hồ sơ")),),
    CaseStatus.TRANSFERRED: (Move(CaseStatus.CLOSED, _("Kết thúc, lưu hồ sơ")),),
    CaseStatus.CLOSED: (),
    CaseStatus.WITHDRAWN: (),
    CaseStatus.TERMINATED: (),
}


def moves_from(status: str) -> tuple[Move, ...]:
    return MOVES.get(status, ())


def move_to(status: str, to: str) -> Move | None:
    return next((m for m in moves_from(status) if m.to == to), None)


class DocumentType(models.TextChoices):
    """Notices and decisions issued during a case (forms of TT 07/2013 and NĐ 31/2019),
    laid out in the administrative style of NĐ 30/2020."""

    ACCEPT_NOTICE = "accept_notice", _("Thông báo thụ lý")
    REJECT_NOTICE = "reject_notice", _("Thông báo không thụ lý")
    TRANSFER_NOTICE = "transfer_notice", _("Phiếu chuyển đơn")
    EXTENSION_DECISION = "extension_decision", _("Quyết định gia hạn giải quyết")
    SUSPENSION_DECISION = "suspension_decision", _("Quyết định tạm đình chỉ")
    TERMINATION_DECISION = "termination_decision", _("Quyết định đình chỉ")
    CONCLUSION = "conclusion", _("Kết luận nội dung tố cáo")
    COMPLAINT_DECISION = "complaint_decision", _("Quyết định giải quyết khiếu nại")
