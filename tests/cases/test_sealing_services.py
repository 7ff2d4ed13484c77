"""The denunciator's identity (Luật Tố cáo 2018 Điều 47, 56): sealed on registration, never
on the case, its event lines or the audit trail, and read only through ``case_unseal`` by a
named role with a reason, which is audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from antq.accounts.roles import Role
from antq.cases import services
from antq.cases.models import Case, CaseEvent, SealedIdentity
from antq.cases.services import SealedInput
from antq.cases.status import CaseChannel, CaseKind, CaseStatus
from antq.core.crypto import decrypt
from antq.core.models import AuditAction, AuditEntry
from antq.tips.attachments import CleanFile
from tests.factories import make_user

NAME = "Lê Thị Hồng Nhung"
ADDRESS = "Số 12 ngõ 34 phố Hàng Bạc, phường Hoàn Kiếm"
CONTACT = "0912 345 678"
REASON = "Cần xác minh trực tiếp với người tố cáo về tài liệu nộp kèm"


def _denunciation(cast: Any, **fields: Any) -> Case:
    fields.setdefault(
        "sealed",
        SealedInput(
            name=f"  {NAME} ",
            address=ADDRESS,
            contact=CONTACT,
            petition=CleanFile(
                name="don-to-cao.pdf",
                content_type="application/pdf",
                data=b"%PDF-1.4 " + NAME.encode(),
                extension="pdf",
            ),
        ),
    )
    return services.case_register(
        actor=cast.unit_x_officer,
        kind=CaseKind.DENUNCIATION,
        subject="Tố cáo cán bộ bảo vệ nhận tiền",
        content="Người bảo vệ cổng thu tiền gửi xe trái quy định.",
        channel=CaseChannel.DIRECT,
        received_on=services.today(),
        unit=cast.unit_x,
        **fields,
    )


def _audit_text(case: Case) -> str:
    entries = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert entries.exists()
    return json.dumps(
        [(e.before, e.after, e.reason, e.object_repr) for e in entries], ensure_ascii=False
    )


def _reveals(case: Case) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type="cases.case", object_id=str(case.pk), action=AuditAction.REVEAL
        )
    )


def test_the_identity_is_stored_only_as_ciphertext(cast) -> None:
    case = _denunciation(cast)
    identity = SealedIdentity.objects.get(case=case)
    for field, plain in [
        ("name_enc", NAME),
        ("address_enc", ADDRESS),
        ("contact_enc", CONTACT),
    ]:
        stored = getattr(identity, field)
        assert plain not in stored and plain.split()[-1] not in stored
        assert decrypt(stored) == plain
    assert NAME.encode() not in bytes(identity.petition_enc)


def test_the_case_carries_a_pseudonym_and_no_name(cast) -> None:
    case = _denunciation(cast, filer_name=NAME)
    case.refresh_from_db()
    assert case.filer_name == ""
    assert case.filer_label == f"Người tố cáo {case.code}"
    assert case.filer_display == case.filer_label
    assert NAME not in str(Case.objects.filter(pk=case.pk).values().get())


def test_the_name_is_not_in_the_trail_nor_in_the_history(cast) -> None:
    case = _denunciation(cast)
    services.case_transition(case=case, to=CaseStatus.INITIAL, actor=cast.unit_x_officer)
    services.case_update(
        case=case,
        actor=cast.unit_x_officer,
        data={"filer_name": NAME, "subject": "Tố cáo cán bộ bảo vệ thu tiền"},
        reason="Sửa trích yếu",
    )
    services.case_unseal(case=case, actor=cast.leader, reason=REASON)
    assert len(_reveals(case)) == 1
    assert NAME not in _audit_text(case)
    assert "Nhung" not in _audit_text(case)
    events = list(CaseEvent.objects.filter(case=case).values())
    assert len(events) == 2
    assert NAME not in str(events)
    assert Case.objects.get(pk=case.pk).filer_name == ""


def test_the_database_refuses_a_named_denunciator(cast) -> None:
    case = _denunciation(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(filer_name=NAME)
    assert Case.objects.get(pk=case.pk).filer_name == ""


def test_a_complaint_keeps_its_filer_name(cast) -> None:
    case = services.case_register(
        actor=cast.unit_x_officer,
        kind=CaseKind.COMPLAINT_FIRST,
        subject="Khiếu nại quyết định kỷ luật",
        content="Nội dung đơn.",
        channel=CaseChannel.DIRECT,
        received_on=services.today(),
        unit=cast.unit_x,
        filer_name=NAME,
    )
    assert Case.objects.get(pk=case.pk).filer_name == NAME
    assert not SealedIdentity.objects.filter(case=case).exists()


def test_a_denunciation_needs_the_denunciators_name(cast) -> None:
    with pytest.raises(ValidationError) as refused:
        _denunciation(cast, sealed=SealedInput(name="   "))
    assert list(refused.value.message_dict) == ["sealed_name"]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "role", ["unit_x_officer", "ward_a_officer", "department", "admin", "unit_y_officer"]
)
def test_a_handler_cannot_unseal(cast, role) -> None:
    case = _denunciation(cast)
    with pytest.raises(PermissionDenied):
        services.case_unseal(case=case, actor=cast.by_name(role), reason=REASON)
    assert _reveals(case) == []


def test_the_head_of_another_unit_cannot_unseal(cast) -> None:
    case = _denunciation(cast)
    head_y = make_user(Role.UNIT_HEAD, unit=cast.unit_y)
    with pytest.raises(PermissionDenied):
        services.case_unseal(case=case, actor=head_y, reason=REASON)
    assert _reveals(case) == []


@pytest.mark.parametrize("reason", ["", "cần biết", "  cần   biết  "])
def test_a_short_reason_is_refused(cast, reason) -> None:
    case = _denunciation(cast)
    with pytest.raises(ValidationError) as refused:
        services.case_unseal(case=case, actor=cast.leader, reason=reason)
    assert list(refused.value.message_dict) == ["reason"]
    assert _reveals(case) == []


@pytest.mark.parametrize("role", ["leader", "unit_x_head"])
def test_a_leader_and_the_head_of_the_cases_unit_unseal_with_an_audited_reason(cast, role) -> None:
    case = _denunciation(cast)
    actor = cast.by_name(role)
    revealed = services.case_unseal(case=case, actor=actor, reason=f"  {REASON}  ")
    assert (revealed.name, revealed.address, revealed.contact) == (NAME, ADDRESS, CONTACT)
    assert revealed.petition_name.endswith(".pdf")
    assert services.case_petition(case) == b"%PDF-1.4 " + NAME.encode()
    (entry,) = _reveals(case)
    assert (entry.actor_id, entry.reason, entry.ward_id, entry.unit_id) == (
        actor.pk,
        REASON,
        cast.ward_a.pk,
        cast.unit_x.pk,
    )
    assert NAME not in json.dumps([entry.before, entry.after, entry.reason], ensure_ascii=False)


def test_each_reading_is_audited(cast) -> None:
    case = _denunciation(cast)
    services.case_unseal(case=case, actor=cast.leader, reason=REASON)
    services.case_unseal(case=case, actor=cast.unit_x_head, reason=REASON + " lần hai")
    assert [e.actor_id for e in sorted(_reveals(case), key=lambda e: e.pk)] == [
        cast.leader.pk,
        cast.unit_x_head.pk,
    ]


def test_the_unseal_roles_come_from_the_settings(cast, settings) -> None:
    settings.CASE_UNSEAL_ROLES = frozenset({Role.LEADER})
    case = _denunciation(cast)
    with pytest.raises(PermissionDenied):
        services.case_unseal(case=case, actor=cast.unit_x_head, reason=REASON)
    assert services.case_unseal(case=case, actor=cast.leader, reason=REASON).name == NAME
    assert len(_reveals(case)) == 1


def test_a_case_without_a_sealed_identity_has_nothing_to_unseal(cast) -> None:
    case = services.case_register(
        actor=cast.unit_x_officer,
        kind=CaseKind.PETITION,
        subject="Phản ánh tiếng ồn",
        content="Nội dung.",
        channel=CaseChannel.ONLINE,
        received_on=services.today(),
        unit=cast.unit_x,
        filer_name="Người phản ánh",
    )
    with pytest.raises(ValidationError):
        services.case_unseal(case=case, actor=cast.leader, reason=REASON)
    assert _reveals(case) == []


def test_the_petition_file_name_does_not_reveal_the_denunciator(cast) -> None:
    scan = CleanFile(
        name=f"Đơn tố cáo - {NAME}.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4 scan",
        extension="pdf",
    )
    case = _denunciation(cast, sealed=SealedInput(name=NAME, petition=scan))
    identity = SealedIdentity.objects.get(case=case)
    assert "Nhung" not in str(SealedIdentity.objects.filter(pk=identity.pk).values().get())
    revealed = services.case_unseal(case=case, actor=cast.leader, reason=REASON)
    assert revealed.petition_name == f"Đơn tố cáo - {NAME}.pdf"
