"""The NinjaAPI instance, its authentication and its error format.

Errors are always ``{"code": "<stable_code>", "message": "<Vietnamese text>"}`` with optional
``"errors"`` (field errors: ``{"field", "message", "type"}``). See docs/api.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer
from ninja.utils import check_csrf

from antq.accounts.services import token_authenticate
from antq.api import areas, me, units
from antq.api.errors import ApiError
from antq.api.schemas import OWN_ERROR_TYPES


class TokenAuth(HttpBearer):
    """``Authorization: Bearer antq_...``: an API token created by an administrator."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class TokenHeaderAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = token_authenticate(key or "")
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's login session. Unsafe methods need the CSRF token (``X-CSRFToken``).

    Unlike ninja's ``django_auth``, a request without a logged-in session is a 401, not a
    CSRF 403: the CSRF check only guards requests that a session would authenticate.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(
                403,
                "csrf_failed",
                _(
                    "Thiếu hoặc sai mã CSRF. Với phiên đăng nhập trình duyệt, hãy gửi header "
                    "X-CSRFToken; ứng dụng tích hợp hãy dùng token API."
                ),
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if key else None


class Utf8JSONRenderer(JSONRenderer):
    """Vietnamese stays readable in curl output: UTF-8, not ``\\u1eef`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


class PrivateAPI(NinjaAPI):
    """Every answer is private — tips, units, a tipster's one-time passphrase: no browser or
    proxy may keep a copy (``Cache-Control: no-store``)."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        add_never_cache_headers(response)
        return response


api = PrivateAPI(
    title="ANTQ API",
    version="1.0.0",
    description=(
        "API của ANTQ. Xác thực bằng token API do quản trị cấp "
        "(`Authorization: Bearer antq_...` hoặc header `X-API-Key`) hoặc phiên đăng nhập "
        "trình duyệt (kèm `X-CSRFToken` cho POST/PATCH). Lỗi luôn có dạng "
        '`{"code": "...", "message": "...", "errors": [...]}`. Mọi dữ liệu chỉ trong phạm vi '
        "của người gọi; đối tượng ngoài phạm vi trả 404 như không tồn tại."
    ),
    auth=[TokenAuth(), TokenHeaderAuth(), SessionAuth()],
    renderer=Utf8JSONRenderer(),
    urls_namespace="api",
)


def error(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    extra = {"errors": exc.errors} if exc.errors is not None else {}
    return error(request, exc.status, exc.code, exc.message, **extra)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 404, "not_found", _("Không tìm thấy đối tượng."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 401, "unauthenticated", _("Cần đăng nhập hoặc token API hợp lệ."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or _("Bạn không có quyền thực hiện thao tác này.")
    return error(request, 403, "forbidden", message)


def _pydantic_message(e: dict[str, Any]) -> str:
    """Pydantic's English message for one error, in Vietnamese."""
    kind = e.get("type", "")
    ctx = e.get("ctx") or {}
    if kind in OWN_ERROR_TYPES:
        return str(e.get("msg", ""))
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return _("Không được để trống.")
    if kind == "enum":
        expected = str(ctx.get("expected", "")).replace(" or ", " hoặc ")
        return _("Giá trị không hợp lệ; chỉ nhận: %(expected)s.") % {"expected": expected}
    messages = {
        "missing": _("Thiếu trường bắt buộc."),
        "string_type": _("Phải là chuỗi ký tự."),
        "string_too_short": _("Phải có ít nhất %(min_length)s ký tự."),
        "string_too_long": _("Không được dài quá %(max_length)s ký tự."),
        "int_type": _("Phải là số nguyên."),
        "int_parsing": _("Phải là số nguyên."),
        "int_from_float": _("Phải là số nguyên."),
        "greater_than_equal": _("Phải lớn hơn hoặc bằng %(ge)s."),
        "less_than_equal": _("Phải nhỏ hơn hoặc bằng %(le)s."),
        "extra_forbidden": _("Trường này không tồn tại."),
        "model_attributes_type": _("Phải là một đối tượng JSON."),
        "dict_type": _("Phải là một đối tượng JSON."),
        "model_type": _("Phải là một đối tượng JSON."),
    }
    message = messages.get(kind)
    if message is None:
        return _("Giá trị không hợp lệ.")
    return message % ctx if "%(" in message else message


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str | None:
    # ninja's loc is (source, [body parameter,] field...): keep the field path only.
    parts = list(loc)[1:]
    if loc and loc[0] == "body":
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or None


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [
        {
            "field": _field_name(e.get("loc", ())),
            "message": _pydantic_message(e),
            "type": e.get("type", ""),
        }
        for e in exc.errors
    ]
    return error(request, 422, "invalid", _("Dữ liệu gửi lên không hợp lệ."), errors=fields)


@api.exception_handler(DjangoValidationError)
def on_rejected(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused the data (phone, uniqueness...): its messages are Vietnamese."""
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: [exc]}
    fields = [
        {
            "field": None if name == NON_FIELD_ERRORS else name,
            "message": message,
            "type": item.code or "invalid",
        }
        for name, items in by_field.items()
        for group in items
        for item in group.error_list
        for message in item
    ]
    return error(request, 422, "invalid", _("Dữ liệu gửi lên không hợp lệ."), errors=fields)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Raised by ninja itself with English text; our code raises ApiError instead.
    known = {
        400: ("bad_request", _("Không đọc được nội dung yêu cầu (JSON không hợp lệ).")),
        403: ("forbidden", _("Bạn không có quyền thực hiện thao tác này.")),
        405: ("method_not_allowed", _("Phương thức HTTP không được hỗ trợ.")),
        429: ("throttled", _("Quá nhiều yêu cầu, hãy thử lại sau.")),
    }
    code, message = known.get(exc.status_code, ("error", str(exc)))
    return error(request, exc.status_code, code, message)


api.add_router("/me", me.router)
api.add_router("/units", units.router)
api.add_router("/areas", areas.router)
