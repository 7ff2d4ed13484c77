"""The fixed cast every test uses: two wards, two units, one user per role and scope.

Ward A is Phường Hoàn Kiếm, ward B Phường Cửa Nam (both real, from vietnam-provinces).
Unit X is in ward A, unit Y in ward B.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps

from antq.accounts.models import User
from antq.accounts.roles import Role
from antq.cases.models import DeadlineRule
from antq.registry.areas import areas_load
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import UnitKind
from antq.tips.models import TipCategory
from tests.factories import make_unit, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WARD_A = "00070"  # Phường Hoàn Kiếm
WARD_B = "00073"  # Phường Cửa Nam


@dataclass
class Cast:
    ward_a: AdministrativeArea
    ward_b: AdministrativeArea
    unit_x: Unit
    unit_y: Unit
    admin: User
    department: User
    ward_a_officer: User
    ward_b_officer: User
    unit_x_officer: User
    unit_x_head: User
    unit_y_officer: User
    leader: User

    def by_name(self, name: str) -> User:
        return getattr(self, name)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """LocaleMiddleware leaves the last request's language active in the thread; a test
    that browses in English must not make the next one English too."""
    from django.utils import translation

    yield
    translation.activate("vi")


@pytest.fixture(autouse=True)
def _fresh_counters(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test starts with no rate-limit counters and an empty cache."""
    from django.core.cache import cache

    settings.ANTQ_RATELIMIT_DIR = str(tmp_path_factory.mktemp("ratelimit"))
    cache.clear()


@pytest.fixture
def areas(db: None) -> None:
    """The wards of Hà Nội, and the reference data of the data migrations (tip categories,
    deadline rules). Cheap after the first test: rolled-back tests keep them; the flush after
    a transactional (browser) test empties them, and they are put back here."""
    if not AdministrativeArea.objects.filter(code=WARD_A).exists():
        areas_load(province_code=1)
    if not TipCategory.objects.exists():
        importlib.import_module("antq.tips.migrations.0002_reference_data").load(apps, None)
    if not DeadlineRule.objects.exists():
        importlib.import_module("antq.cases.migrations.0002_deadline_rules").seed(apps, None)


@pytest.fixture
def cast(areas: None) -> Cast:
    ward_a = AdministrativeArea.objects.get(code=WARD_A)
    ward_b = AdministrativeArea.objects.get(code=WARD_B)
    unit_x = make_unit(area=ward_a, kind=UnitKind.HOSPITAL, name="Bệnh viện Hữu Nghị Việt Đức")
    unit_y = make_unit(area=ward_b, kind=UnitKind.HIGH_SCHOOL, name="Trường THPT Trần Phú")
    return Cast(
        ward_a=ward_a,
        ward_b=ward_b,
        unit_x=unit_x,
        unit_y=unit_y,
        admin=make_user(Role.ADMIN, username="admin"),
        department=make_user(Role.DEPARTMENT, username="phongxdpt"),
        ward_a_officer=make_user(Role.WARD_OFFICER, username="ca_a", areas=[ward_a]),
        ward_b_officer=make_user(Role.WARD_OFFICER, username="ca_b", areas=[ward_b]),
        unit_x_officer=make_user(Role.UNIT_OFFICER, username="antt_x", unit=unit_x),
        unit_x_head=make_user(Role.UNIT_HEAD, username="tt_x", unit=unit_x),
        unit_y_officer=make_user(Role.UNIT_OFFICER, username="antt_y", unit=unit_y),
        leader=make_user(Role.LEADER, username="lanhdao"),
    )


ROLES = [
    "admin",
    "department",
    "ward_a_officer",
    "ward_b_officer",
    "unit_x_officer",
    "unit_x_head",
    "unit_y_officer",
    "leader",
]


def set_audit_triggers(enabled: bool) -> None:
    """Switch the append-only triggers (tests that tamper with the trail, and flushing)."""
    import importlib

    from django.db import connection

    triggers = importlib.import_module("antq.core.migrations.0002_audit_append_only")

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in triggers.SQLITE if enabled else triggers.SQLITE_REVERSE:
                cursor.execute(sql)
        else:
            action = "ENABLE" if enabled else "DISABLE"
            cursor.execute(f"ALTER TABLE core_auditentry {action} TRIGGER USER")


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _audit_append_only(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every database test runs with the append-only triggers in place. After a
    transactional test they are lifted so the runner can empty the table."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server", "areas", "cast"} & set(request.fixturenames)
    )
    if not uses_db:
        yield
        return
    transactional = _is_transactional(request)
    request.getfixturevalue("transactional_db" if transactional else "db")
    set_audit_triggers(True)
    yield
    if transactional:
        set_audit_triggers(False)
