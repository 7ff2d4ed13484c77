"""The roles of ANTQ. What each may see and do is decided in ``scoping`` and ``permissions``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    DEPARTMENT = "department", _("Cán bộ phòng Xây dựng phong trào")
    WARD_OFFICER = "ward_officer", _("Cán bộ Công an xã, phường, đặc khu")
    UNIT_OFFICER = "unit_officer", _("Cán bộ phụ trách ANTT của đơn vị")
    UNIT_HEAD = "unit_head", _("Thủ trưởng đơn vị")
    LEADER = "leader", _("Lãnh đạo (Ban Giám đốc)")


# Roles whose scope is the whole city.
CITY_ROLES = frozenset({Role.ADMIN, Role.DEPARTMENT, Role.LEADER})
# Roles scoped to one unit; the user's ``unit`` must be set.
UNIT_ROLES = frozenset({Role.UNIT_OFFICER, Role.UNIT_HEAD})
# Roles scoped to areas; the user's ``areas`` must not be empty.
AREA_ROLES = frozenset({Role.WARD_OFFICER})
