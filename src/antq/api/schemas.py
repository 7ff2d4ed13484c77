"""Request and response bodies of API v1."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict
from pydantic_core import PydanticCustomError

from antq.accounts.models import User
from antq.accounts.roles import Role
from antq.registry.models import AdministrativeArea, AreaAlias, Unit
from antq.registry.status import AreaLevel, Block, UnitKind, UnitStatus

# The largest id the database can hold: a larger one is a 422, not a database overflow.
ID_MAX = 2**63 - 1
# PositiveIntegerField is a 32-bit column on PostgreSQL.
HEADCOUNT_MAX = 2_147_483_647

# Error types raised by the validators below; their messages are already Vietnamese.
OWN_ERROR_TYPES = frozenset(
    {"blank", "null_character", "invalid_text", "invalid_email", "datetime_range"}
)


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text and no database stores lone surrogates: refuse them
    # here as a 422 instead of failing later as a 500.
    if "\x00" in value:
        raise PydanticCustomError("null_character", _("Không được chứa ký tự NUL."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("invalid_text", _("Chứa ký tự không hợp lệ.")) from None
    return value


def _required_text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", _("Không được để trống."))
    return value


def _email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise PydanticCustomError(
                "invalid_email", _("Địa chỉ thư điện tử không hợp lệ.")
            ) from None
    return value


def _moment(value: dt.datetime) -> dt.datetime:
    # A naive time is the local time. Python reads 0001-01-01T00:00+14:00 and
    # 9999-12-31T23:59-14:00, but neither has a UTC (database) or a local (display) time:
    # refused here as a 422 instead of an OverflowError (500) when it is stored or compared.
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        value.astimezone(dt.UTC)
        timezone.localtime(value)
    except OverflowError:
        raise PydanticCustomError(
            "datetime_range", _("Thời điểm nằm ngoài khoảng thời gian cho phép.")
        ) from None
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
# An aware datetime that the database and the local time zone can hold.
Moment = Annotated[dt.datetime, AfterValidator(_moment)]
RequiredText = Annotated[str, AfterValidator(_clean_text), AfterValidator(_required_text)]
Email = Annotated[str, AfterValidator(_clean_text), AfterValidator(_email)]


class FieldErrorOut(Schema):
    field: str | None = Field(description="Tên trường (null nếu lỗi chung).")
    message: str
    type: str


class ErrorOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "description": "Mọi lỗi: mã ổn định, thông báo tiếng Việt và lỗi từng trường (422)."
        }
    )

    code: str = Field(description="Mã lỗi ổn định, ví dụ not_found, forbidden, invalid.")
    message: str = Field(description="Thông báo bằng tiếng Việt.")
    errors: list[FieldErrorOut] | None = None


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(statuses, ErrorOut)


class AreaRef(Schema):
    id: int
    code: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    title: str
    role: Role
    role_label: str
    unit_id: int | None
    areas: list[str] = Field(description="Mã các địa bàn phụ trách (cán bộ xã, phường).")

    @staticmethod
    def resolve_role_label(obj: User) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_areas(obj: User) -> list[str]:
        return sorted(obj.areas.values_list("code", flat=True))


class UnitOut(Schema):
    id: int
    name: str
    kind: UnitKind
    kind_label: str
    block: Block
    block_label: str
    sector: str
    code: str | None
    address: str
    ward: AreaRef
    headcount: int | None
    phone: str = Field(description="Số điện thoại dạng +84.")
    email: str
    security_contact_name: str
    security_contact_phone: str
    head_name: str
    head_title: str
    status: UnitStatus
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_block_label(obj: Unit) -> str:
        return obj.get_block_display()


# Shared by every cursor-paginated list.
LIMIT_DEFAULT = 50
LIMIT_MAX = 200
CURSOR_MAX_LENGTH = 2000


class PageParams(Schema):
    cursor: str | None = Field(
        None, max_length=CURSOR_MAX_LENGTH, description="`next_cursor` của trang trước."
    )
    limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description="Số mục mỗi trang.")


class UnitListParams(PageParams):
    q: Text = Field("", max_length=200, description="Tên (không phân biệt dấu) hoặc mã số thuế.")
    block: Block | None = Field(None, description="Khối.")
    kind: UnitKind | None = Field(None, description="Loại hình.")
    ward: int | None = Field(None, ge=1, le=ID_MAX, description="Id xã, phường.")
    status: UnitStatus | None = Field(None, description="Trạng thái.")


class UnitPage(Schema):
    items: list[UnitOut]
    next_cursor: str | None = Field(description="Con trỏ của trang sau; null ở trang cuối.")


def _patch_schema(schema: dict[str, Any]) -> None:
    # A PATCH field left out is "unchanged", not "set to the default": show no defaults.
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)
    schema["description"] = (
        "Chỉ các trường gửi lên được thay đổi. `code` và `headcount` nhận null (xoá giá trị); "
        "các trường khác không nhận null."
    )


class UnitIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "description": (
                "Đơn vị mới. Số điện thoại được chuẩn hoá về +84; `ward` là id một xã, phường "
                "trong phạm vi của người gọi."
            )
        },
    )

    name: RequiredText = Field(max_length=300)
    kind: UnitKind
    sector: Text = Field("", max_length=120)
    code: Text | None = Field(None, max_length=40, description="Mã số thuế / mã đơn vị.")
    address: Text = Field("", max_length=300)
    ward: int = Field(ge=1, le=ID_MAX, description="Id của xã, phường.")
    headcount: int | None = Field(None, ge=0, le=HEADCOUNT_MAX)
    phone: Text = Field("", max_length=40, description="Ví dụ 0912 345 678.")
    email: Email = Field("", max_length=254)
    security_contact_name: Text = Field("", max_length=120)
    security_contact_phone: Text = Field("", max_length=40)
    head_name: Text = Field("", max_length=120)
    head_title: Text = Field("", max_length=120)
    status: UnitStatus = UnitStatus.ACTIVE
    notes: Text = Field("", max_length=5000)


def unset(**constraints: Any) -> Any:
    """The default of a PATCH field that is not nullable: pydantic never validates a default,
    so leaving the field out is allowed (and ``exclude_unset`` drops it) while an explicit
    null is refused."""
    return Field(None, **constraints)


class UnitPatch(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_patch_schema)

    name: RequiredText = unset(max_length=300)
    kind: UnitKind = unset()
    sector: Text = unset(max_length=120)
    code: Text | None = Field(None, max_length=40)
    address: Text = unset(max_length=300)
    ward: int = unset(ge=1, le=ID_MAX)
    headcount: int | None = Field(None, ge=0, le=HEADCOUNT_MAX)
    phone: Text = unset(max_length=40)
    email: Email = unset(max_length=254)
    security_contact_name: Text = unset(max_length=120)
    security_contact_phone: Text = unset(max_length=40)
    head_name: Text = unset(max_length=120)
    head_title: Text = unset(max_length=120)
    status: UnitStatus = unset()
    notes: Text = unset(max_length=5000)


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: AreaLevel
    level_label: str
    division_type: str
    parent: AreaRef | None
    valid_from: dt.date | None

    @staticmethod
    def resolve_level_label(obj: AdministrativeArea) -> str:
        return str(obj.get_level_display())


class FormerNameOut(Schema):
    name: str
    former_code: str
    valid_until: dt.date | None


class AreaDetailOut(AreaOut):
    former_names: list[FormerNameOut] = Field(description="Các tên cũ (trước sáp nhập).")

    @staticmethod
    def resolve_former_names(obj: AdministrativeArea) -> list[AreaAlias]:
        return list(obj.aliases.order_by("name_folded", "id"))


class AreaListParams(PageParams):
    level: AreaLevel | None = Field(None, description="Cấp địa bàn.")
    parent: int | None = Field(None, ge=1, le=ID_MAX, description="Id địa bàn cấp trên.")
    q: Text = Field("", max_length=200, description="Tên (không phân biệt dấu).")


class AreaPage(Schema):
    items: list[AreaOut]
    next_cursor: str | None = Field(description="Con trỏ của trang sau; null ở trang cuối.")
