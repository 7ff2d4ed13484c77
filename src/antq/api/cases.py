"""``/cases``: complaint and denunciation cases, read-only, within the caller's scope.

For dashboards and partner tools that follow the legal deadlines. Nothing here writes; the
case file is handled in the web UI. No answer ever holds a denunciator's identity: the
sealed identity is not read, and the filer is shown by ``filer_display`` (the pseudonym).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from antq.accounts import scoping
from antq.api.errors import ApiError
from antq.api.pagination import decode_cursor, encode_cursor
from antq.api.schemas import ID_MAX, error_responses
from antq.api.schemas_cases import (
    CaseDetailOut,
    CaseListParams,
    CasePage,
    CaseStatusFilter,
    OverduePage,
    OverdueParams,
)
from antq.cases import selectors, services
from antq.cases.models import Case
from antq.cases.status import OPEN_STATUSES

router = Router(tags=["Khiếu nại, tố cáo"])

M = TypeVar("M", bound=Model)


def _date_page(
    qs: QuerySet[M], *, key: str, cursor: str | None, limit: int, newest_first: bool
) -> tuple[list[M], str | None]:
    """One page of ``qs`` in ``(key, id)`` order on a date column, and the next cursor.

    ``pagination.cursor_page`` keys on text and ascends; the register reads newest first
    and both lists key on a date, parsed here so a forged cursor is a 422, not a 500.
    """
    qs = qs.order_by(f"-{key}", "-id") if newest_first else qs.order_by(key, "id")
    if cursor:
        value, last_id = decode_cursor(cursor)
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ApiError(
                422,
                "invalid_cursor",
                _("Con trỏ phân trang (cursor) không hợp lệ. Hãy tải lại từ trang đầu."),
            ) from None
        after = "lt" if newest_first else "gt"
        qs = qs.filter(Q(**{f"{key}__{after}": day}) | Q(**{key: day, f"id__{after}": last_id}))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(getattr(last, key).isoformat(), last.pk)


def _cases(user: Any) -> QuerySet[Case]:
    return scoping.cases_for(user).select_related("ward", "unit", "handler")


@router.get(
    "",
    response={200: CasePage, **error_responses(401, 422)},
    operation_id="cases_list",
    summary="Danh sách vụ việc khiếu nại, tố cáo",
    description=(
        "Vụ việc trong phạm vi của người gọi, mới nhận trước (ngày nhận đơn rồi id), như sổ "
        "vụ việc trên web. Lọc theo `kind`, `status` (một trạng thái; `open`: chưa kết thúc; "
        "`overdue`: chưa kết thúc và hạn gần nhất đã qua), `ward` (id), `year` (năm nhận "
        "đơn). Phân trang bằng con trỏ `next_cursor`. Với tố cáo, người gửi đơn chỉ hiện "
        "bằng bí danh (`filer_display`); danh tính người tố cáo không bao giờ có trong API."
    ),
)
def cases_list(request: HttpRequest, params: Query[CaseListParams]) -> Any:
    qs = _cases(request.user)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.status == CaseStatusFilter.OPEN:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif params.status == CaseStatusFilter.OVERDUE:
        qs = qs.filter(status__in=OPEN_STATUSES, next_due_on__lt=services.today())
    elif params.status:
        qs = qs.filter(status=params.status)
    if params.ward is not None:
        qs = qs.filter(ward_id=params.ward)
    if params.year is not None:
        qs = qs.filter(
            received_on__gte=dt.date(params.year, 1, 1),
            received_on__lte=dt.date(params.year, 12, 31),
        )
    items, next_cursor = _date_page(
        qs, key="received_on", cursor=params.cursor, limit=params.limit, newest_first=True
    )
    return {"items": items, "next_cursor": next_cursor}


# Declared before "/{case_id}" so that "overdue" is never read as an id.
@router.get(
    "/overdue",
    response={200: OverduePage, **error_responses(401, 422)},
    operation_id="cases_overdue",
    summary="Thời hạn quá hạn",
    description=(
        "Các thời hạn luật định chưa hoàn thành mà hạn (`due_on`) đã qua, của các vụ việc "
        "trong phạm vi của người gọi, quá hạn lâu nhất trước (hạn rồi id) — như bảng quá hạn "
        "trên web. Lọc theo `stage`, `kind`, `ward` (id). Phân trang bằng con trỏ "
        "`next_cursor`. Thời hạn của vụ việc đang tạm đình chỉ (không có hạn) không có ở đây."
    ),
)
def cases_overdue(request: HttpRequest, params: Query[OverdueParams]) -> Any:
    deadlines = selectors.overdue_for(
        request.user,
        today=services.today(),
        stage=params.stage,
        kind=params.kind,
        ward_id=params.ward,
    ).select_related("rule")
    items, next_cursor = _date_page(
        deadlines, key="due_on", cursor=params.cursor, limit=params.limit, newest_first=False
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/{case_id}",
    response={200: CaseDetailOut, **error_responses(401, 404, 422)},
    operation_id="cases_get",
    summary="Chi tiết một vụ việc",
    description=(
        "Vụ việc với các thời hạn luật định (giai đoạn, ngày bắt đầu, hạn, ngày hoàn thành, "
        "văn bản và điều khoản) và lịch sử trạng thái kèm căn cứ. Vụ việc ngoài phạm vi của "
        "người gọi trả 404, như vụ việc không tồn tại."
    ),
)
def cases_get(request: HttpRequest, case_id: int = Path(..., ge=1, le=ID_MAX)) -> Any:
    return get_object_or_404(_cases(request.user), pk=case_id)
