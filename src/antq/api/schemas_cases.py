"""Request and response bodies of ``/cases``: complaint and denunciation cases, read-only.

No schema here has a field for the denunciator's identity: the filer is ``filer_display``
(the pseudonym of a denunciation), and ``SealedIdentity`` is never read by the API.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy
from ninja import Field, Schema

from antq.api.schemas import ID_MAX, AreaRef, PageParams
from antq.api.tips import OfficerRef, UnitRef
from antq.cases import services
from antq.cases.models import Case, CaseDeadline, CaseEvent, Law
from antq.cases.status import (
    OPEN_STATUSES,
    CaseChannel,
    CaseKind,
    CaseStatus,
    Complexity,
    Stage,
)
from antq.core.choices import choice_label


class CaseStatusFilter(models.TextChoices):
    """A status, or one of the two views of the register: still open, or overdue."""

    OPEN = "open", gettext_lazy("Đang giải quyết")
    OVERDUE = "overdue", gettext_lazy("Quá hạn")
    RECEIVED = CaseStatus.RECEIVED.value, CaseStatus.RECEIVED.label
    INITIAL = CaseStatus.INITIAL.value, CaseStatus.INITIAL.label
    ACCEPTED = CaseStatus.ACCEPTED.value, CaseStatus.ACCEPTED.label
    REJECTED = CaseStatus.REJECTED.value, CaseStatus.REJECTED.label
    TRANSFERRED = CaseStatus.TRANSFERRED.value, CaseStatus.TRANSFERRED.label
    VERIFYING = CaseStatus.VERIFYING.value, CaseStatus.VERIFYING.label
    SUSPENDED = CaseStatus.SUSPENDED.value, CaseStatus.SUSPENDED.label
    EXTENDED = CaseStatus.EXTENDED.value, CaseStatus.EXTENDED.label
    CONCLUDED = CaseStatus.CONCLUDED.value, CaseStatus.CONCLUDED.label
    HANDLED = CaseStatus.HANDLED.value, CaseStatus.HANDLED.label
    PUBLISHED = CaseStatus.PUBLISHED.value, CaseStatus.PUBLISHED.label
    CLOSED = CaseStatus.CLOSED.value, CaseStatus.CLOSED.label
    WITHDRAWN = CaseStatus.WITHDRAWN.value, CaseStatus.WITHDRAWN.label
    TERMINATED = CaseStatus.TERMINATED.value, CaseStatus.TERMINATED.label


class CaseListParams(PageParams):
    kind: CaseKind | None = Field(None, description="Loại vụ việc.")
    status: CaseStatusFilter | None = Field(
        None,
        description=(
            "Trạng thái; hoặc `open`: chưa kết thúc, `overdue`: chưa kết thúc và đã quá hạn "
            "gần nhất."
        ),
    )
    ward: int | None = Field(None, ge=1, le=ID_MAX, description="Id xã, phường.")
    year: int | None = Field(None, ge=2000, le=2100, description="Năm nhận đơn.")


class OverdueParams(PageParams):
    stage: Stage | None = Field(None, description="Giai đoạn của thời hạn.")
    kind: CaseKind | None = Field(None, description="Loại vụ việc.")
    ward: int | None = Field(None, ge=1, le=ID_MAX, description="Id xã, phường.")


class CaseOut(Schema):
    id: int
    code: str = Field(description="Số hồ sơ.")
    kind: CaseKind
    kind_label: str
    status: CaseStatus
    status_label: str
    subject: str = Field(description="Trích yếu.")
    filer_display: str = Field(
        description=(
            "Người gửi đơn; với tố cáo là bí danh (“Người tố cáo TC2026-000012”). Danh tính "
            "người tố cáo không bao giờ có trong API."
        )
    )
    sealed: bool = Field(description="Tố cáo: danh tính người tố cáo được bảo mật.")
    respondent: str = Field(description="Người, cơ quan bị khiếu nại, tố cáo.")
    channel: CaseChannel
    channel_label: str
    received_on: dt.date
    complexity: Complexity
    complexity_label: str
    remote_area: bool
    ward: AreaRef
    unit: UnitRef | None
    handler: OfficerRef | None
    extensions: int = Field(description="Số lần đã gia hạn giải quyết.")
    accepted_on: dt.date | None
    concluded_on: dt.date | None
    closed_on: dt.date | None
    next_due_on: dt.date | None = Field(description="Hạn gần nhất chưa hoàn thành.")
    overdue: bool = Field(description="Chưa kết thúc và hạn gần nhất đã qua.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: Case) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_channel_label(obj: Case) -> str:
        return str(obj.get_channel_display())

    @staticmethod
    def resolve_complexity_label(obj: Case) -> str:
        return str(obj.get_complexity_display())

    @staticmethod
    def resolve_overdue(obj: Case) -> bool:
        return (
            obj.status in OPEN_STATUSES
            and obj.next_due_on is not None
            and obj.next_due_on < services.today()
        )


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(description="Con trỏ của trang sau; null ở trang cuối.")


class DeadlineOut(Schema):
    stage: Stage
    stage_label: str
    starts_on: dt.date = Field(description="Ngày bắt đầu tính.")
    due_on: dt.date | None = Field(description="Hạn; null khi vụ việc đang tạm đình chỉ.")
    met_on: dt.date | None = Field(description="Ngày hoàn thành; null nếu chưa.")
    law: Law = Field(description="Văn bản quy định thời hạn.")
    law_label: str
    article: str = Field(description="Điều, khoản.")

    @staticmethod
    def resolve_stage_label(obj: CaseDeadline) -> str:
        return choice_label(Stage, obj.stage)

    @staticmethod
    def resolve_law(obj: CaseDeadline) -> str:
        return obj.rule.law

    @staticmethod
    def resolve_law_label(obj: CaseDeadline) -> str:
        return obj.rule.get_law_display()

    @staticmethod
    def resolve_article(obj: CaseDeadline) -> str:
        return obj.rule.article


class EventOut(Schema):
    on: dt.date = Field(description="Ngày thực hiện.")
    at: dt.datetime = Field(description="Thời điểm ghi nhận.")
    from_status: CaseStatus | None = Field(description="Trạng thái trước; null khi tiếp nhận.")
    to_status: CaseStatus
    to_status_label: str
    basis: str = Field(description="Căn cứ pháp lý của bước.")
    reason: str
    actor_name: str = Field(description="Cán bộ thực hiện.")

    @staticmethod
    def resolve_from_status(obj: CaseEvent) -> str | None:
        return obj.from_status or None

    @staticmethod
    def resolve_to_status_label(obj: CaseEvent) -> str:
        return choice_label(CaseStatus, obj.to_status)


class CaseDetailOut(CaseOut):
    content: str = Field(description="Nội dung đơn.")
    conclusion: str = Field(description="Kết luận, quyết định giải quyết.")
    deadlines: list[DeadlineOut] = Field(description="Các thời hạn luật định, theo ngày bắt đầu.")
    events: list[EventOut] = Field(description="Lịch sử trạng thái, cũ nhất trước.")

    @staticmethod
    def resolve_deadlines(obj: Case) -> list[CaseDeadline]:
        return list(obj.deadlines.select_related("rule").order_by("starts_on", "id"))

    @staticmethod
    def resolve_events(obj: Case) -> list[CaseEvent]:
        return list(obj.events.order_by("at", "id"))


class CaseRef(Schema):
    id: int
    code: str
    kind: CaseKind
    kind_label: str
    status: CaseStatus
    status_label: str
    subject: str
    ward: AreaRef
    unit: UnitRef | None
    handler: OfficerRef | None

    @staticmethod
    def resolve_kind_label(obj: Case) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return obj.get_status_display()


class OverdueOut(DeadlineOut):
    id: int = Field(description="Id của thời hạn.")
    due_on: dt.date = Field(description="Hạn (đã qua).")
    days_late: int = Field(description="Số ngày đã quá hạn (tính đến hôm nay).")
    case: CaseRef

    @staticmethod
    def resolve_days_late(obj: CaseDeadline) -> int:
        assert obj.due_on is not None  # the overdue list holds deadlines with a day only
        return (services.today() - obj.due_on).days


class OverduePage(Schema):
    items: list[OverdueOut]
    next_cursor: str | None = Field(description="Con trỏ của trang sau; null ở trang cuối.")
