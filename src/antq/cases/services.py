"""Registering complaint and denunciation cases and moving them through their stages.

Every change runs in one transaction with its audit entry and its history line; the legal
deadlines of the case are recomputed in the same transaction (``deadlines_refresh``), so
the overdue board and the reminder scan never read a stale due date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antq.accounts import permissions
from antq.cases.calendar import WorkCalendar, make_calendar
from antq.cases.deadlines import days_for, due_date, max_extensions, rule_for
from antq.cases.models import (
    CalendarDay,
    CalendarDayKind,
    Case,
    CaseAttachment,
    CaseDeadline,
    CaseEvent,
    DeadlineRule,
    SealedIdentity,
    Suspension,
)
from antq.cases.status import (
    COMPLAINT_KINDS,
    FINAL_STATUSES,
    CaseKind,
    CaseStatus,
    Stage,
    move_to,
)
from antq.core.audit import audit_record, snapshot
from antq.core.crypto import decrypt, decrypt_bytes, encrypt, encrypt_bytes
from antq.core.models import AuditAction
from antq.registry.models import Unit
from antq.registry.status import UnitKind
from antq.textvn import nfc, squash_spaces
from antq.tips.attachments import CleanFile

AUDIT_FIELDS = (
    "code",
    "kind",
    "status",
    "subject",
    "respondent",
    "channel",
    "received_on",
    "complexity",
    "remote_area",
    "unit",
    "ward",
    "handler",
    "extensions",
    "accepted_on",
    "concluded_on",
    "closed_on",
)
# Fields an officer may correct after registering; the kind and the unit decide which law
# applies and are fixed (a wrong one is withdrawn and registered again).
EDITABLE_FIELDS = (
    "subject",
    "content",
    "filer_name",
    "respondent",
    "complexity",
    "remote_area",
    "handler",
)
CODE_PREFIX = {
    CaseKind.COMPLAINT_FIRST: "KN",
    CaseKind.COMPLAINT_SECOND: "KN2",
    CaseKind.DENUNCIATION: "TC",
    CaseKind.PETITION: "PA",
    CaseKind.INTERNAL: "MT",
}
PRIVATE_KINDS = frozenset({UnitKind.PRIVATE_ENTERPRISE, UnitKind.FOREIGN_ENTERPRISE})
# The stage each move completes, and the stages it starts (counted from the move's day).
COMPLETES: dict[str, tuple[str, ...]] = {
    CaseStatus.ACCEPTED: (Stage.ACCEPTANCE,),
    CaseStatus.REJECTED: (Stage.ACCEPTANCE,),
    CaseStatus.TRANSFERRED: (Stage.ACCEPTANCE,),
    CaseStatus.CONCLUDED: (Stage.RESOLUTION,),
    CaseStatus.PUBLISHED: (Stage.PUBLICATION,),
}
STARTS: dict[str, tuple[str, ...]] = {
    CaseStatus.ACCEPTED: (Stage.NOTICE, Stage.RESOLUTION),
    CaseStatus.CONCLUDED: (Stage.PUBLICATION,),
}
MIN_UNSEAL_REASON = 10


@dataclass(frozen=True)
class SealedInput:
    """What a denunciator gave about himself; stored only encrypted."""

    name: str
    address: str = ""
    contact: str = ""
    petition: CleanFile | None = None


@dataclass(frozen=True)
class Unsealed:
    name: str
    address: str
    contact: str
    petition_name: str
    petition_type: str


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với vụ việc."))


def _clean(value: str, *, limit: int) -> str:
    return squash_spaces(nfc(value.replace("\x00", "")))[:limit]


def _scope(case: Case) -> dict[str, Any]:
    return {"ward_id": case.ward_id, "unit_id": case.unit_id}


def today() -> dt.date:
    return timezone.localdate()


def work_calendar() -> WorkCalendar:
    """The calendar with the department's overrides (a few rows a year)."""
    rows = CalendarDay.objects.values_list("day", "kind")
    return make_calendar((day, kind == CalendarDayKind.WORKING) for day, kind in rows)


def _act_day(on: dt.date | None, case: Case) -> dt.date:
    """The day an act took effect: today unless recorded afterwards; never in the future,
    never before the petition was received."""
    day = on or today()
    if day > today():
        raise ValidationError({"on": _("Ngày thực hiện không được sau ngày hôm nay.")})
    if day < case.received_on:
        raise ValidationError({"on": _("Ngày thực hiện không được trước ngày nhận đơn.")})
    last = case.events.order_by("-on").values_list("on", flat=True).first()
    if last is not None and day < last:
        raise ValidationError(
            {
                "on": _("Ngày thực hiện không được trước ngày của bước trước (%(day)s).")
                % {"day": last.strftime("%d/%m/%Y")}
            }
        )
    return day


def _rules_for(case: Case, stage: str, on: dt.date) -> DeadlineRule | None:
    rules = DeadlineRule.objects.filter(kind=case.kind, stage=stage, effective_from__lte=on)
    return rule_for(
        rules, kind=case.kind, stage=stage, on=on, private_enterprise=case.private_enterprise
    )


def _start_stage(case: Case, stage: str, on: dt.date) -> CaseDeadline | None:
    """The deadline of a stage starting on ``on``, if a rule for it is in force then."""
    rule = _rules_for(case, stage, on)
    if rule is None:
        return None
    deadline, _created = CaseDeadline.objects.update_or_create(
        case=case,
        stage=stage,
        defaults={
            "rule": rule,
            "starts_on": on,
            "met_on": None,
            "ward_id_copy": case.ward_id,
            "unit_id_copy": case.unit_id,
        },
    )
    return deadline


def deadlines_refresh(case: Case, calendar: WorkCalendar | None = None) -> None:
    """Recompute the due date of every open deadline (after a suspension, an extension, a
    change of complexity) and the case's nearest one. A suspension stops the time of the
    resolution (Luật Tố cáo Điều 34), not of the notices around it."""
    calendar = calendar or work_calendar()
    periods = list(case.suspensions.values_list("starts_on", "ends_on"))
    nearest: dt.date | None = None
    for deadline in case.deadlines.filter(met_on__isnull=True).select_related("rule"):
        resolution = deadline.stage == Stage.RESOLUTION
        days = days_for(
            deadline.rule,
            complexity=case.complexity,
            remote=case.remote_area,
            extensions=case.extensions if resolution else 0,
        )
        due = due_date(
            deadline.starts_on,
            days,
            deadline.rule.day_count,
            calendar,
            periods if resolution else (),
        )
        if due != deadline.due_on or deadline.ward_id_copy != case.ward_id:
            deadline.due_on = due
            deadline.ward_id_copy = case.ward_id
            deadline.unit_id_copy = case.unit_id
            deadline.save(update_fields=["due_on", "ward_id_copy", "unit_id_copy"])
        if due is not None and (nearest is None or due < nearest):
            nearest = due
    if case.next_due_on != nearest:
        case.next_due_on = nearest
        Case.objects.filter(pk=case.pk).update(next_due_on=nearest)


def _event(case: Case, *, actor: Any, before: str, basis: str, reason: str, on: dt.date) -> None:
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        on=on,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor is not None else "",
        from_status=before,
        to_status=case.status,
        basis=basis[:300],
        reason=reason[:1000],
    )


def _store_files(files: Sequence[CleanFile], actor: Any) -> list[CaseAttachment]:
    """Write the files before the transaction that saves their rows (writing holds no
    database lock); ``_discard`` removes them if that transaction does not commit."""
    written: list[CaseAttachment] = []
    try:
        for f in files:
            attachment = CaseAttachment(
                token=secrets.token_hex(16),
                name=f.name[:200],
                content_type=f.content_type,
                size=len(f.data),
                sha256=hashlib.sha256(f.data).hexdigest(),
                uploaded_by=actor if getattr(actor, "pk", None) else None,
            )
            attachment.file.save(f"upload{f.extension}", ContentFile(f.data), save=False)
            written.append(attachment)
    except BaseException:
        _discard(written)
        raise
    return written


def _discard(attachments: Sequence[CaseAttachment]) -> None:
    for attachment in attachments:
        attachment.file.storage.delete(attachment.file.name)


def _check_file_count(files: Sequence[CleanFile]) -> None:
    if len(files) > settings.CASE_MAX_FILES:
        raise ValidationError(
            {
                "attachments": _("Chỉ được đính kèm tối đa %(n)s tệp.")
                % {"n": settings.CASE_MAX_FILES}
            }
        )


def case_register(*, actor: Any, files: Sequence[CleanFile] = (), **fields: Any) -> Case:
    """Register a petition received on ``received_on`` and start its first deadline.

    Fields: kind, subject, content, channel, received_on, ward_id or unit, and optionally
    filer_name, respondent, complexity, remote_area, handler, tip, sealed (SealedInput).
    """
    _check(permissions.can_register_case(actor))
    _check_file_count(files)
    stored = _store_files(files, actor)
    try:
        with transaction.atomic():
            case = _register(actor=actor, **fields)
            for attachment in stored:
                attachment.case = case
                attachment.save()
    except BaseException:
        _discard(stored)
        raise
    return case


def _register(
    *,
    actor: Any,
    kind: str,
    subject: str,
    content: str,
    channel: str,
    received_on: dt.date,
    ward_id: int | None = None,
    unit: Unit | None = None,
    filer_name: str = "",
    respondent: str = "",
    complexity: str = "normal",
    remote_area: bool = False,
    handler: Any = None,
    tip: Any = None,
    sealed: SealedInput | None = None,
) -> Case:
    if received_on > today():
        raise ValidationError({"received_on": _("Ngày nhận đơn không được sau ngày hôm nay.")})
    if unit is not None:
        ward_id = unit.ward_id
    if ward_id is None:
        raise ValidationError({"ward": _("Hãy chọn xã, phường nơi phát sinh vụ việc.")})
    denunciation = kind == CaseKind.DENUNCIATION
    if denunciation and (sealed is None or not sealed.name.strip()):
        raise ValidationError(
            {"sealed_name": _("Tố cáo phải có họ tên người tố cáo (Luật Tố cáo Điều 23).")}
        )
    case = Case(
        code=f"tmp-{secrets.token_hex(6)}",
        kind=kind,
        subject=_clean(subject, limit=300),
        content=nfc(content.replace("\x00", "")).strip(),
        filer_name="" if denunciation else _clean(filer_name, limit=200),
        respondent=_clean(respondent, limit=300),
        channel=channel,
        received_on=received_on,
        complexity=complexity,
        remote_area=remote_area,
        private_enterprise=bool(
            unit is not None and unit.kind in PRIVATE_KINDS and kind in COMPLAINT_KINDS
        ),
        unit=unit,
        ward_id=ward_id,
        handler=handler,
        tip=tip,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    case.full_clean(exclude=["code", "ward", "unit", "handler", "tip", "created_by"])
    case.save()
    case.code = f"{CODE_PREFIX[CaseKind(kind)]}{received_on.year}-{case.pk:06d}"
    if denunciation:
        case.filer_label = _("Người tố cáo %(code)s") % {"code": case.code}
    case.save(update_fields=["code", "filer_label"])
    if denunciation and sealed is not None:
        _seal(case, sealed)
    _start_stage(case, Stage.ACCEPTANCE, received_on)
    deadlines_refresh(case)
    _event(
        case,
        actor=actor,
        before="",
        basis=_("Tiếp nhận đơn"),
        reason="",
        on=received_on,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        after=snapshot(case, AUDIT_FIELDS),
        **_scope(case),
    )
    return case


def _seal(case: Case, sealed: SealedInput) -> None:
    petition = sealed.petition
    SealedIdentity.objects.create(
        case=case,
        name_enc=encrypt(_clean(sealed.name, limit=200)),
        address_enc=encrypt(_clean(sealed.address, limit=300)),
        contact_enc=encrypt(_clean(sealed.contact, limit=200)),
        petition_enc=encrypt_bytes(petition.data) if petition else b"",
        petition_name_enc=encrypt(petition.name[:200]) if petition else "",
        petition_type=petition.content_type if petition else "",
    )


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to: str,
    actor: Any,
    reason: str = "",
    on: dt.date | None = None,
    conclusion: str = "",
) -> Case:
    """Move a case to its next state; refused with a clear message when the law does not
    allow that move from where the case stands."""
    _check(permissions.can_handle_case(actor, case))
    case = Case.objects.select_for_update().get(pk=case.pk)
    move = move_to(case.status, to)
    if move is None:
        raise ValidationError(
            {
                "to": _("Không thể chuyển vụ việc từ “%(old)s” sang “%(new)s”.")
                % {
                    "old": CaseStatus(case.status).label,
                    "new": CaseStatus(to).label if to in CaseStatus.values else to,
                }
            }
        )
    reason = _clean(reason, limit=1000)
    if move.reason_required and not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do, căn cứ của bước này.")})
    day = _act_day(on, case)
    before_status = case.status
    before = snapshot(case, AUDIT_FIELDS)
    _apply(case, to, day, reason=reason, conclusion=conclusion)
    case.status = to
    case.save()
    for stage in COMPLETES.get(to, ()):
        case.deadlines.filter(stage=stage, met_on__isnull=True).update(met_on=day)
    for stage in STARTS.get(to, ()):
        _start_stage(case, stage, day)
    if to in FINAL_STATUSES:
        # The time of a closed case no longer runs: nothing of it is overdue any more.
        case.deadlines.filter(met_on__isnull=True).update(met_on=day)
    deadlines_refresh(case)
    basis = str(move.basis)
    _event(case, actor=actor, before=before_status, basis=basis, reason=reason, on=day)
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=case,
        before=before,
        after=snapshot(case, AUDIT_FIELDS),
        reason=f"{basis}. {reason}".strip(". ") if reason else basis,
        **_scope(case),
    )
    return case


def _apply(case: Case, to: str, day: dt.date, *, reason: str, conclusion: str) -> None:
    """The facts a move records, and the conditions of the law on it."""
    if to == CaseStatus.ACCEPTED:
        case.accepted_on = day
    elif to == CaseStatus.SUSPENDED:
        Suspension.objects.create(case=case, starts_on=day, reason=reason[:500])
    elif case.status == CaseStatus.SUSPENDED and to == CaseStatus.VERIFYING:
        case.suspensions.filter(ends_on__isnull=True).update(ends_on=day)
    elif to == CaseStatus.EXTENDED:
        rule = _rules_for(case, Stage.RESOLUTION, case.accepted_on or day)
        allowed = max_extensions(rule, case.complexity) if rule else 0
        if case.extensions >= allowed:
            raise ValidationError(
                {
                    "to": _(
                        "Vụ việc này không được gia hạn thêm: đã gia hạn %(done)s lần, luật "
                        "cho phép %(allowed)s lần với mức độ “%(level)s”."
                    )
                    % {
                        "done": case.extensions,
                        "allowed": allowed,
                        "level": case.get_complexity_display(),
                    }
                }
            )
        case.extensions += 1
    elif to == CaseStatus.CONCLUDED:
        text = nfc(conclusion.replace("\x00", "")).strip()
        if not text:
            raise ValidationError({"conclusion": _("Hãy ghi nội dung kết luận, quyết định.")})
        case.conclusion = text
        case.concluded_on = day
    elif (
        to == CaseStatus.CLOSED
        and case.kind == CaseKind.DENUNCIATION
        and case.status != CaseStatus.PUBLISHED
        and case.concluded_on is not None
    ):
        raise ValidationError(
            {
                "to": _(
                    "Kết luận nội dung tố cáo phải được công khai trước khi kết thúc "
                    "(Luật Tố cáo Điều 40)."
                )
            }
        )
    if case.status == CaseStatus.SUSPENDED and to != CaseStatus.VERIFYING:
        case.suspensions.filter(ends_on__isnull=True).update(ends_on=day)
    if to in FINAL_STATUSES:
        case.closed_on = day


@transaction.atomic
def case_update(*, case: Case, actor: Any, data: dict[str, Any], reason: str = "") -> Case:
    """Correct the editable facts of a case; a change of complexity or area moves its
    deadlines."""
    _check(permissions.can_handle_case(actor, case))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status in FINAL_STATUSES:
        raise ValidationError(_("Vụ việc đã kết thúc, không sửa được nữa."))
    before = snapshot(case, AUDIT_FIELDS)
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError({name: _("Trường này không sửa được.")})
        if name == "filer_name" and case.sealed:
            continue
        if isinstance(value, str):
            value = nfc(value.replace("\x00", "")).strip()
        setattr(case, name, value)
    case.full_clean(exclude=["ward", "unit", "handler", "tip", "created_by"])
    case.save()
    deadlines_refresh(case)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        before=before,
        after=snapshot(case, AUDIT_FIELDS),
        reason=_clean(reason, limit=500),
        **_scope(case),
    )
    return case


@transaction.atomic
def case_add_files(*, case: Case, actor: Any, files: Sequence[CleanFile]) -> int:
    """Add documents to the case file."""
    _check(permissions.can_handle_case(actor, case))
    if case.attachments.count() + len(files) > settings.CASE_MAX_FILES:
        raise ValidationError(
            {"attachments": _("Hồ sơ chỉ có tối đa %(n)s tệp.") % {"n": settings.CASE_MAX_FILES}}
        )
    stored = _store_files(files, actor)
    try:
        with transaction.atomic():
            for attachment in stored:
                attachment.case = case
                attachment.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=case,
                reason=_("Thêm %(n)s tệp vào hồ sơ") % {"n": len(stored)},
                **_scope(case),
            )
    except BaseException:
        _discard(stored)
        raise
    return len(stored)


@transaction.atomic
def case_unseal(*, case: Case, actor: Any, reason: str) -> Unsealed:
    """The denunciator's identity, for a named role with a stated reason; audited."""
    _check(permissions.can_unseal_identity(actor, case))
    reason = _clean(reason, limit=500)
    if len(reason) < MIN_UNSEAL_REASON:
        raise ValidationError(
            {"reason": _("Hãy ghi rõ lý do cần biết thông tin người tố cáo (ít nhất 10 ký tự).")}
        )
    try:
        identity = case.identity
    except SealedIdentity.DoesNotExist:
        raise ValidationError(_("Vụ việc này không có thông tin người tố cáo.")) from None
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        obj=case,
        reason=reason,
        **_scope(case),
    )
    return Unsealed(
        name=decrypt(identity.name_enc),
        address=decrypt(identity.address_enc),
        contact=decrypt(identity.contact_enc),
        petition_name=decrypt(identity.petition_name_enc),
        petition_type=identity.petition_type or "application/octet-stream",
    )


def case_petition(case: Case) -> bytes:
    """The signed petition, decrypted; call only after ``case_unseal`` allowed and audited
    the reading in the same request."""
    return decrypt_bytes(case.identity.petition_enc)
