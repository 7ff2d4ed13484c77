"""Writes about users and API tokens, each audited in its own transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antq.accounts.models import ApiToken, User
from antq.accounts.roles import AREA_ROLES, UNIT_ROLES
from antq.core.audit import audit_record, changes_between, snapshot
from antq.core.models import AuditAction
from antq.registry.models import AdministrativeArea

USER_FIELDS = ("username", "full_name", "title", "phone", "email", "role", "unit", "is_active")
TOKEN_PREFIX = "antq_"  # noqa: S105 (a public prefix, not a secret)


def _user_snapshot(user: User) -> dict[str, Any]:
    data = snapshot(user, USER_FIELDS)
    data["areas"] = sorted(user.areas.values_list("code", flat=True))
    return data


def _check_scope(role: str, unit: Any, areas: Iterable[AdministrativeArea]) -> None:
    if role in UNIT_ROLES and unit is None:
        raise ValidationError({"unit": _("Vai trò này cần chọn đơn vị.")})
    if role in AREA_ROLES and not list(areas):
        raise ValidationError(
            {"areas": _("Cán bộ Công an xã, phường, đặc khu cần ít nhất một địa bàn.")}
        )


@transaction.atomic
def user_create(
    *,
    actor: Any,
    data: dict[str, Any],
    areas: Iterable[AdministrativeArea] = (),
    password: str | None = None,
) -> User:
    areas = list(areas)
    _check_scope(data.get("role", ""), data.get("unit"), areas)
    user = User(**{k: v for k, v in data.items() if k in USER_FIELDS})
    if data.get("role") not in UNIT_ROLES:
        user.unit = None
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.areas.set(areas if user.role in AREA_ROLES else [])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user, after=_user_snapshot(user))
    return user


@transaction.atomic
def user_update(
    *, actor: Any, user: User, data: dict[str, Any], areas: Iterable[AdministrativeArea] = ()
) -> User:
    areas = list(areas)
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(locked)
    for name, value in data.items():
        if name not in USER_FIELDS:
            raise ValueError(f"unknown user field {name!r}")
        setattr(locked, name, value)
    _check_scope(locked.role, locked.unit, areas)
    if locked.role not in UNIT_ROLES:
        locked.unit = None
    locked.full_clean(exclude=["password"])
    locked.save()
    locked.areas.set(areas if locked.role in AREA_ROLES else [])
    old, new = changes_between(before, _user_snapshot(locked))
    if new or old:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, before=old, after=new)
    return locked


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool, reason: str = "") -> User:
    if user.pk == actor.pk and not active:
        raise ValidationError(_("Bạn không thể tự khoá tài khoản của mình."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        # Tokens of a deactivated user stop working at once.
        user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action=AuditAction.ACTIVATE if active else AuditAction.DEACTIVATE,
        obj=user,
        before={"is_active": not active},
        after={"is_active": active},
        reason=reason,
    )
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, after={"password": "(đã đổi)"})


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=token_digest(raw))
    audit_record(
        actor=actor,
        action=AuditAction.TOKEN_CREATE,
        obj=token,
        after={"user": user.username, "name": name, "prefix": prefix},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.TOKEN_REVOKE,
            obj=token,
            before={"active": True},
            after={"active": False},
        )
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a raw token, or None. Updates ``last_used_at`` at most hourly."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 3600:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
