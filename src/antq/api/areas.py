"""``/areas``: the administrative areas the caller may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from antq.api.pagination import cursor_page
from antq.api.schemas import ID_MAX, AreaDetailOut, AreaListParams, AreaPage, error_responses
from antq.registry import selectors

router = Router(tags=["Địa bàn"])


@router.get(
    "",
    response={200: AreaPage, **error_responses(401, 422)},
    operation_id="areas_list",
    summary="Danh sách địa bàn",
    description=(
        "Tỉnh, thành phố; xã, phường, đặc khu; khu dân cư trong phạm vi của người gọi, sắp "
        "theo cây (mã cha trước mã con). Phân trang bằng con trỏ như danh sách đơn vị."
    ),
)
def areas_list(request: HttpRequest, params: Query[AreaListParams]) -> Any:
    areas = selectors.area_list_for(request.user, q=params.q).select_related("parent")
    if params.level:
        areas = areas.filter(level=params.level)
    if params.parent is not None:
        areas = areas.filter(parent_id=params.parent)
    items, next_cursor = cursor_page(areas, key="path", cursor=params.cursor, limit=params.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/{area_id}",
    response={200: AreaDetailOut, **error_responses(401, 404, 422)},
    operation_id="areas_get",
    summary="Chi tiết một địa bàn",
    description=(
        "Kèm địa bàn cấp trên (chỉ tên và mã) và các tên cũ trước sáp nhập. Địa bàn ngoài "
        "phạm vi trả 404."
    ),
)
def areas_get(request: HttpRequest, area_id: int = Path(..., ge=1, le=ID_MAX)) -> Any:
    return selectors.area_get_for(request.user, area_id)
