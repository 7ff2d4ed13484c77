from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from antq.core.audit import audit_verify
from antq.core.models import AuditEntry
from antq.core.templatetags.antq import _describe
from antq.registry import services
from antq.registry.status import UnitKind
from antq.tips.models import Tip
from tests.conftest import set_audit_triggers


def _unit_data(cast, **extra):
    return {
        "name": "Công ty TNHH May Hà Nội",
        "kind": UnitKind.PRIVATE_ENTERPRISE,
        "ward": cast.ward_a,
        **extra,
    }


def test_every_change_writes_one_chained_entry(cast):
    unit = services.unit_create(actor=cast.department, data=_unit_data(cast))
    services.unit_update(actor=cast.department, unit=unit, data={"headcount": 120})
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].prev_hash == entries[0].hash
    assert entries[1].before == {"headcount": None}
    assert entries[1].after == {"headcount": 120}
    assert entries[1].actor_id == cast.department.pk
    assert audit_verify().ok


def test_an_unchanged_save_writes_nothing(cast):
    unit = services.unit_create(actor=cast.department, data=_unit_data(cast))
    services.unit_update(actor=cast.department, unit=unit, data={"name": unit.name})
    assert AuditEntry.objects.count() == 1


def test_the_database_refuses_to_update_or_delete_an_entry(cast):
    services.unit_create(actor=cast.department, data=_unit_data(cast))
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.update(reason="sửa trộm")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_audit_verify_reports_a_tampered_row(cast):
    unit = services.unit_create(actor=cast.department, data=_unit_data(cast))
    services.unit_update(actor=cast.department, unit=unit, data={"headcount": 5})
    call_command("audit-verify")
    set_audit_triggers(False)
    first = AuditEntry.objects.order_by("id").first()
    AuditEntry.objects.filter(pk=first.pk).update(object_repr="Đơn vị khác")
    with pytest.raises(CommandError, match=f"#{first.pk}"):
        call_command("audit-verify")


@pytest.mark.django_db(transaction=True)
def test_audit_verify_reports_a_deleted_row(cast):
    unit = services.unit_create(actor=cast.department, data=_unit_data(cast))
    services.unit_update(actor=cast.department, unit=unit, data={"headcount": 5})
    services.unit_update(actor=cast.department, unit=unit, data={"headcount": 6})
    set_audit_triggers(False)
    middle = AuditEntry.objects.order_by("id")[1]
    AuditEntry.objects.filter(pk=middle.pk).delete()
    result = audit_verify()
    assert not result.ok
    assert result.broken_id == middle.pk + 1


@pytest.mark.django_db(transaction=True)
def test_audit_verify_reports_a_deleted_last_row(cast):
    unit = services.unit_create(actor=cast.department, data=_unit_data(cast))
    services.unit_update(actor=cast.department, unit=unit, data={"headcount": 5})
    set_audit_triggers(False)
    AuditEntry.objects.order_by("-id").first().delete()
    result = audit_verify()
    assert (result.ok, result.broken_id, result.checked) == (False, None, 1)


def test_entries_written_after_the_head_was_read_are_left_for_the_next_run(cast, monkeypatch):
    from antq.core import audit
    from antq.core.models import AuditHead

    unit = services.unit_create(actor=cast.department, data=_unit_data(cast))
    head = AuditHead.objects.get()
    services.unit_update(actor=cast.department, unit=unit, data={"headcount": 5})
    # The verifier sees the head as it was before the second write.
    monkeypatch.setattr(
        audit.AuditHead.objects, "filter", lambda **kw: type("Q", (), {"first": lambda s: head})()
    )
    assert audit_verify() == audit.VerifyResult(True, 1)


def test_dates_in_the_trail_read_as_people_write_them() -> None:
    deadline = Tip._meta.get_field("deadline")
    received = Tip._meta.get_field("received_at")
    assert _describe(deadline, "2026-12-17") == "17/12/2026"
    assert _describe(received, "2026-11-26T17:05:00+00:00") == "27/11/2026 00:05"
