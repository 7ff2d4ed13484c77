"""``/units``: list, read, create and update units, always within the caller's scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from antq.accounts import permissions
from antq.api.errors import ApiError
from antq.api.pagination import cursor_page
from antq.api.schemas import (
    ID_MAX,
    UnitIn,
    UnitListParams,
    UnitOut,
    UnitPage,
    UnitPatch,
    error_responses,
)
from antq.registry import selectors, services
from antq.registry.models import AdministrativeArea

router = Router(tags=["Đơn vị"])


def _visible_ward(user: Any, ward_id: int) -> AdministrativeArea:
    """The ward with this id if the user may see it; otherwise a 422 on ``ward``."""
    ward = selectors.ward_list_for(user).filter(pk=ward_id).first()
    if ward is None:
        message = _("Xã, phường không tồn tại hoặc nằm ngoài phạm vi của bạn.")
        raise ApiError(
            422,
            "invalid",
            _("Dữ liệu gửi lên không hợp lệ."),
            errors=[{"field": "ward", "message": message, "type": "invalid_ward"}],
        )
    return ward


@router.get(
    "",
    response={200: UnitPage, **error_responses(401, 422)},
    operation_id="units_list",
    summary="Danh sách đơn vị",
    description=(
        "Các đơn vị trong phạm vi của người gọi, sắp theo tên (không dấu) rồi id. "
        "Phân trang bằng con trỏ: gửi lại `next_cursor` trong tham số `cursor` để lấy trang "
        "sau; `next_cursor` là null ở trang cuối. Con trỏ sai trả 422 `invalid_cursor`."
    ),
)
def units_list(request: HttpRequest, params: Query[UnitListParams]) -> Any:
    filters = selectors.UnitFilters(
        q=params.q,
        block=params.block or "",
        kind=params.kind or "",
        ward=params.ward,
        status=params.status or "",
    )
    units = selectors.unit_list_for(request.user, filters)
    items, next_cursor = cursor_page(
        units, key="name_folded", cursor=params.cursor, limit=params.limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/{unit_id}",
    response={200: UnitOut, **error_responses(401, 404, 422)},
    operation_id="units_get",
    summary="Chi tiết một đơn vị",
    description="Đơn vị ngoài phạm vi của người gọi trả 404, như đơn vị không tồn tại.",
)
def units_get(request: HttpRequest, unit_id: int = Path(..., ge=1, le=ID_MAX)) -> Any:
    return selectors.unit_get_for(request.user, unit_id)


@router.post(
    "",
    response={201: UnitOut, **error_responses(400, 401, 403, 422)},
    operation_id="units_create",
    summary="Thêm đơn vị",
    description=(
        "Chỉ quản trị và cán bộ phòng Xây dựng phong trào (403 `forbidden` với vai trò khác). "
        "`ward` là id một xã, phường trong phạm vi. Số điện thoại được chuẩn hoá về +84; "
        "số sai, mã số thuế trùng hoặc trường thiếu trả 422 với lỗi từng trường."
    ),
)
def units_create(request: HttpRequest, payload: UnitIn) -> Any:
    if not permissions.can_manage_registry(request.user):
        raise PermissionDenied(_("Chỉ cán bộ phòng Xây dựng phong trào được thêm đơn vị."))
    data = payload.model_dump(mode="json")
    data["ward"] = _visible_ward(request.user, data["ward"])
    unit = services.unit_create(actor=request.user, data=data)
    return Status(201, unit)


@router.patch(
    "/{unit_id}",
    response={200: UnitOut, **error_responses(400, 401, 403, 404, 422)},
    operation_id="units_update",
    summary="Sửa đơn vị",
    description=(
        "Chỉ các trường gửi lên được thay đổi; mỗi thay đổi được ghi nhật ký. "
        "Cán bộ ANTT của đơn vị chỉ được sửa các trường tự khai (địa chỉ, số người, điện "
        "thoại, thư điện tử, cán bộ phụ trách ANTT, thủ trưởng, ghi chú); gửi trường khác "
        "trả 403 `forbidden_field` và không thay đổi gì. Người chỉ được xem trả 403 `forbidden`."
    ),
)
def units_update(
    request: HttpRequest, payload: UnitPatch, unit_id: int = Path(..., ge=1, le=ID_MAX)
) -> Any:
    unit = selectors.unit_get_for(request.user, unit_id)
    if not permissions.can_edit_unit(request.user, unit):
        raise PermissionDenied(_("Bạn chỉ được xem, không được sửa đơn vị này."))
    data = payload.model_dump(mode="json", exclude_unset=True)
    editable = permissions.unit_editable_fields(request.user, unit)
    refused = sorted(set(data) - set(editable)) if editable is not None else []
    if refused:
        raise ApiError(
            403,
            "forbidden_field",
            _("Bạn không được sửa các trường: %(fields)s.") % {"fields": ", ".join(refused)},
            errors=[
                {
                    "field": name,
                    "message": _("Chỉ cán bộ phòng Xây dựng phong trào được sửa trường này."),
                    "type": "forbidden_field",
                }
                for name in refused
            ],
        )
    if "ward" in data:
        data["ward"] = _visible_ward(request.user, data["ward"])
    return services.unit_update(actor=request.user, unit=unit, data=data)
