from __future__ import annotations

import io

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError

from antq.accounts.models import User
from antq.accounts.roles import Role
from antq.core.audit import audit_verify
from antq.core.models import AuditAction, AuditEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "mot-mat-khau-that-dai-2026"
ENV = "ANTQ_ADMIN_PASSWORD"


def _createadmin(**options: object) -> str:
    out = io.StringIO()
    call_command("createadmin", stdout=out, **options)
    return out.getvalue()


def _typed(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    prompts: list[str] = []
    replies = iter(answers)

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(replies)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    return prompts


def test_it_creates_an_administrator_with_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv(ENV, PASSWORD)
    output = _createadmin(username="quantri", full_name="Nguyễn Văn Quản", password_from_env=ENV)
    user = User.objects.get(username="quantri")
    assert (user.role, user.full_name, user.is_active) == (Role.ADMIN, "Nguyễn Văn Quản", True)
    assert user.check_password(PASSWORD)
    assert "Đã tạo quản trị viên quantri." in output
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.actor_id) == (
        AuditAction.CREATE,
        str(user.pk),
        None,
    )
    assert audit_verify().ok


def test_it_asks_twice_for_the_password_when_no_variable_is_given(monkeypatch):
    prompts = _typed(monkeypatch, PASSWORD, PASSWORD)
    _createadmin(username="quantri")
    assert len(prompts) == 2
    user = User.objects.get(username="quantri")
    assert user.check_password(PASSWORD)
    assert user.full_name == "Quản trị hệ thống"


def test_two_different_passwords_create_nothing(monkeypatch):
    _typed(monkeypatch, PASSWORD, PASSWORD + "x")
    with pytest.raises(CommandError, match="không khớp"):
        _createadmin(username="quantri")
    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv(ENV, "12345678")
    with pytest.raises(CommandError):
        _createadmin(username="quantri", password_from_env=ENV)
    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_missing_variable_is_refused(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(CommandError, match=ENV):
        _createadmin(username="quantri", password_from_env=ENV)
    assert not User.objects.exists()


def test_it_resets_the_password_of_an_existing_administrator_and_unlocks_him(monkeypatch):
    admin = make_user(Role.ADMIN, username="quantri", is_active=False)
    AccessAttempt.objects.create(
        username="quantri", ip_address="10.0.0.1", user_agent="x", failures_since_start=5
    )
    monkeypatch.setenv(ENV, PASSWORD)
    output = _createadmin(username="quantri", password_from_env=ENV)
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)
    assert admin.is_active
    assert "Đã đặt lại mật khẩu" in output
    assert User.objects.count() == 1
    assert not AccessAttempt.objects.filter(username="quantri").exists()
    assert list(AuditEntry.objects.order_by("id").values_list("action", "after")) == [
        (AuditAction.UPDATE, {"password": "(đã đổi)"}),
        (AuditAction.UPDATE, {"is_active": True}),
    ]


def test_it_does_not_turn_another_role_into_an_administrator(monkeypatch):
    officer = make_user(Role.DEPARTMENT, username="phongxdpt")
    password_hash = officer.password
    monkeypatch.setenv(ENV, PASSWORD)
    with pytest.raises(CommandError, match="phongxdpt"):
        _createadmin(username="phongxdpt", password_from_env=ENV)
    officer.refresh_from_db()
    assert (officer.role, officer.password) == (Role.DEPARTMENT, password_hash)
    assert not AuditEntry.objects.exists()
