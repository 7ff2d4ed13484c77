"""The audit trail: record one entry per change, inside the change's own transaction.

Every service that creates, changes or deletes a domain object calls :func:`audit_record`
before its transaction commits, so an object never exists without its audit row and an audit
row never describes a change that was rolled back.

Each entry's hash covers its content and the previous entry's hash. Writers take a row lock on
the single :class:`AuditHead` row, which orders the chain on PostgreSQL; on SQLite the
IMMEDIATE transaction already serialises writers.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils import timezone

from antq.core.models import AuditAction, AuditEntry, AuditHead

GENESIS_HASH = "0" * 64


def json_value(value: Any) -> Any:
    """A JSON-safe, stable form of a model field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


LABEL_SUFFIX = "__label"


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of ``obj``. A foreign key is stored as its id plus, under
    ``<name>__label``, the related object's name at the time: the trail reads "Phường Cửa
    Nam" without a query per row, and without looking up objects the reader may not see."""
    result: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        value = getattr(obj, attname)
        result[name] = json_value(value)
        if field.is_relation and value is not None:
            result[name + LABEL_SUFFIX] = str(getattr(obj, name))
    return result


def changes_between(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parts of two snapshots that differ (a changed relation keeps its label)."""
    keys = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    return (
        {k: v for k, v in before.items() if k in keys},
        {k: v for k, v in after.items() if k in keys},
    )


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "at": json_value(entry.at),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "ward_id": entry.ward_id,
        "unit_id": entry.unit_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


@dataclass(frozen=True)
class Change:
    """One change to record: what happened to which object, and its scope."""

    action: AuditAction | str
    obj: models.Model
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    ward_id: int | None = None
    unit_id: int | None = None
    reason: str = ""


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ward_id: int | None = None,
    unit_id: int | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry for a change of ``obj``. Must run inside the change's transaction."""
    change = Change(action, obj, before, after, ward_id, unit_id, reason)
    return audit_record_many(actor=actor, changes=[change])[0]


def audit_record_many(
    *, actor: Any, changes: list[Change], at: dt.datetime | None = None
) -> list[AuditEntry]:
    """Append entries for many changes at once (imports), chained in the given order.

    ``at`` backdates the entries; only loaders of historical records (the demo city, the
    benchmark data) pass it. The chain order, not the time, is what ``audit_verify`` checks.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record() must be called inside the change's transaction")
    head, _ = AuditHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_hash": GENESIS_HASH}
    )
    actor_id = getattr(actor, "pk", None)
    actor_name = (actor.get_full_name() or actor.get_username()) if actor_id else "hệ thống"
    # Microseconds are kept: the hash covers the exact stored value.
    now = at or timezone.now()
    prev = head.last_hash
    entries = []
    for change in changes:
        entry = AuditEntry(
            at=now,
            actor_id=actor_id,
            actor_name=actor_name,
            action=str(change.action),
            object_type=change.obj._meta.label_lower,
            object_id=str(change.obj.pk),
            object_repr=str(change.obj)[:300],
            ward_id=change.ward_id,
            unit_id=change.unit_id,
            before=json_value(change.before) if change.before is not None else None,
            after=json_value(change.after) if change.after is not None else None,
            reason=change.reason[:500],
            prev_hash=prev,
        )
        entry.hash = prev = entry_hash(entry)
        entries.append(entry)
    # Inserted one batch at a time in chain order, so ids follow the chain.
    created = AuditEntry.objects.bulk_create(entries, batch_size=500)
    head.last_hash = prev
    head.length += len(entries)
    head.save(update_fields=["last_hash", "length"])
    return created


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    problem: str = ""


def audit_verify(batch_size: int = 5000) -> VerifyResult:
    """Recompute the chain; report the first entry whose link or content is wrong.

    The head is read first and exactly its ``length`` entries are checked: writers append
    under the head's lock, so entries committed while we read come after those and are left
    for the next run. No lock is taken; the server keeps writing meanwhile.
    """
    head = AuditHead.objects.filter(id=1).first()
    length = head.length if head is not None else 0
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while checked < length:
        size = min(batch_size, length - checked)
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:size])
        if not batch:
            break
        for entry in batch:
            if entry.prev_hash != expected_prev:
                return VerifyResult(
                    False, checked, entry.id, "liên kết với dòng trước bị đứt (dòng bị xoá?)"
                )
            if entry_hash(entry) != entry.hash:
                return VerifyResult(False, checked, entry.id, "nội dung đã bị sửa")
            expected_prev = entry.hash
            checked += 1
            last_id = entry.id
    if checked != length or (head is not None and head.last_hash != expected_prev):
        return VerifyResult(False, checked, None, "cuối chuỗi không khớp (dòng cuối bị xoá?)")
    if head is None and AuditEntry.objects.exists():
        return VerifyResult(False, 0, None, "mất dòng đầu chuỗi (bảng AuditHead bị xoá?)")
    return VerifyResult(True, checked)
