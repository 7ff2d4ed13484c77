"""Writes to the registry. Each service is one transaction with its audit rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from antq.core.audit import Change, audit_record, audit_record_many, changes_between, snapshot
from antq.core.models import AuditAction
from antq.core.phones import InvalidPhone, normalize_phone
from antq.registry.models import Unit
from antq.textvn import fold, nfc, squash_spaces

# Every field a person can change; the audit trail records them before → after.
UNIT_FIELDS = (
    "name",
    "kind",
    "sector",
    "code",
    "address",
    "ward",
    "headcount",
    "phone",
    "email",
    "security_contact_name",
    "security_contact_phone",
    "head_name",
    "head_title",
    "status",
    "notes",
)
TEXT_FIELDS = (
    "name",
    "sector",
    "address",
    "security_contact_name",
    "head_name",
    "head_title",
)
PHONE_FIELDS = ("phone", "security_contact_phone")


def clean_unit_data(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise what a person typed: NFC, single spaces, phones to +84, empty code → NULL.

    Raises ValidationError with Vietnamese messages for values that cannot be normalised.
    """
    cleaned = dict(data)
    for name in TEXT_FIELDS:
        if name in cleaned and cleaned[name] is not None:
            cleaned[name] = squash_spaces(nfc(str(cleaned[name])))
    if "notes" in cleaned and cleaned["notes"] is not None:
        cleaned["notes"] = nfc(str(cleaned["notes"])).strip()
    if "email" in cleaned and cleaned["email"] is not None:
        cleaned["email"] = str(cleaned["email"]).strip().lower()
    if "code" in cleaned:
        code = str(cleaned["code"] or "").strip().replace(" ", "")
        cleaned["code"] = code or None
    errors: dict[str, str] = {}
    for name in PHONE_FIELDS:
        if name in cleaned:
            try:
                cleaned[name] = normalize_phone(str(cleaned[name] or ""))
            except InvalidPhone:
                errors[name] = _("Số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678).")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _apply(unit: Unit, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name not in UNIT_FIELDS:
            raise ValueError(f"unknown unit field {name!r}")
        setattr(unit, name, value)
    unit.name_folded = fold(unit.name)


@transaction.atomic
def unit_create(*, actor: Any, data: dict[str, Any]) -> Unit:
    unit = Unit()
    _apply(unit, clean_unit_data(data))
    unit.full_clean()
    unit.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=unit,
        after=snapshot(unit, UNIT_FIELDS),
        ward_id=unit.ward_id,
        unit_id=unit.pk,
    )
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, data: dict[str, Any], reason: str = "") -> Unit:
    """Change the given fields. Nothing is written (not even an audit row) if nothing changed."""
    # Lock and re-read, so two officers saving at once do not overwrite each other's audit.
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(locked, UNIT_FIELDS)
    _apply(locked, clean_unit_data(data))
    after = snapshot(locked, UNIT_FIELDS)
    if after == before:
        return locked
    locked.full_clean()
    locked.save()
    old, new = changes_between(before, after)
    change = Change(
        AuditAction.UPDATE,
        locked,
        old,
        new,
        ward_id=locked.ward_id,
        unit_id=locked.pk,
        reason=reason,
    )
    changes = [change]
    if "ward" in old:
        # The ward the unit left sees the move in its trail too.
        changes.append(dataclasses.replace(change, ward_id=old["ward"]))
    audit_record_many(actor=actor, changes=changes)
    return locked


@transaction.atomic
def unit_delete(*, actor: Any, unit: Unit, reason: str = "") -> None:
    """Remove a unit entered by mistake. Units that ever operated are closed instead."""
    if unit.members.exists():
        raise ValidationError(
            _(
                "Đơn vị đang có tài khoản người dùng (kể cả tài khoản đã khoá); hãy chuyển các "
                "tài khoản đó sang đơn vị khác trước."
            )
        )
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=unit,
        before=snapshot(unit, UNIT_FIELDS),
        ward_id=unit.ward_id,
        unit_id=unit.pk,
        reason=reason,
    )
    unit.delete()


@transaction.atomic
def units_bulk_create(*, actor: Any, rows: Iterable[dict[str, Any]], source: str) -> list[Unit]:
    """Insert already validated rows (an import) with one audit row each, all or nothing."""
    units = []
    for data in rows:
        unit = Unit()
        _apply(unit, clean_unit_data(data))
        units.append(unit)
    return units_insert(actor=actor, units=units, reason=source)


@transaction.atomic
def units_insert(*, actor: Any, units: list[Unit], reason: str) -> list[Unit]:
    """Bulk-insert prepared units and write their ``import`` audit rows in the same
    transaction (imports, the demo city)."""
    created = Unit.objects.bulk_create(units, batch_size=1000)
    audit_record_many(
        actor=actor,
        changes=[
            Change(
                AuditAction.IMPORT,
                unit,
                after=snapshot(unit, UNIT_FIELDS),
                ward_id=unit.ward_id,
                unit_id=unit.pk,
                reason=reason,
            )
            for unit in created
        ],
    )
    return created
