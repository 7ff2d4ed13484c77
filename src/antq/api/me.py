"""``/me``: who the caller is."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from antq.api.schemas import MeOut, error_responses

router = Router(tags=["Tài khoản"])


@router.get(
    "",
    response={200: MeOut, **error_responses(401)},
    operation_id="me_get",
    summary="Người dùng hiện tại",
    description="Tài khoản đang gọi API: vai trò, đơn vị (nếu có) và mã các địa bàn phụ trách.",
)
def me_get(request: HttpRequest) -> Any:
    return request.user
