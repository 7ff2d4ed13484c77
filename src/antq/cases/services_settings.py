"""Writes to the reference data of cases: the deadline rules and the calendar's overrides.

The administrator and the department only (``permissions.can_manage_case_rules``); each write
is one transaction with its audit row. A rule is chosen when a stage starts and stays the
deadline's rule (``CaseDeadline.rule``): a new version of a law is a new row, used by the
stages that start from its effective date. Correcting the figures of a rule in use, or
moving a day off, recomputes the open deadlines it touches in the same transaction, so the
overdue board and the reminder scan never read a due date the rules no longer give.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from antq.accounts import permissions
from antq.cases import services
from antq.cases.calendar import WorkCalendar
from antq.cases.deadlines import MAX_DAYS
from antq.cases.models import CalendarDay, CalendarDayKind, Case, CaseDeadline, DeadlineRule
from antq.cases.status import COMPLAINT_KINDS, CaseKind, Stage
from antq.core.audit import audit_record, changes_between, snapshot
from antq.core.dates import day_text
from antq.core.models import AuditAction
from antq.textvn import nfc, squash_spaces

RULE_FIELDS = (
    "law",
    "article",
    "kind",
    "stage",
    "private_enterprise",
    "effective_from",
    "day_count",
    "days",
    "complex_days",
    "remote_days",
    "remote_complex_days",
    "extension_days",
    "extensions_complex",
    "extensions_very_complex",
    "note",
)
# What a rule applies to: fixed once a deadline was computed from it (the deadline's stage
# and start date were matched against these).
KEY_FIELDS = ("kind", "stage", "private_enterprise", "effective_from")
# What a deadline's length is computed from: a change recomputes the open deadlines.
COUNT_FIELDS = (
    "day_count",
    "days",
    "complex_days",
    "remote_days",
    "remote_complex_days",
    "extension_days",
    "extensions_complex",
    "extensions_very_complex",
)
CALENDAR_FIELDS = ("day", "kind", "note")
# No law extends a stage more than twice (Luật Tố cáo Điều 30); more is a typing error.
MAX_EXTENSIONS = 5


def _check(actor: Any) -> None:
    if not permissions.can_manage_case_rules(actor):
        raise PermissionDenied(
            _(
                "Chỉ quản trị hệ thống và cán bộ phòng Xây dựng phong trào được sửa quy định "
                "thời hạn và lịch ngày nghỉ."
            )
        )


def _text(value: Any) -> str:
    return squash_spaces(nfc(str(value or "").replace("\x00", "")))


def rule_usage(rule: DeadlineRule) -> int:
    """How many deadlines (open or met) were computed from ``rule``."""
    return CaseDeadline.objects.filter(rule=rule).count()


# -- deadline rules -----------------------------------------------------------------------


def _days_errors(rule: DeadlineRule) -> dict[str, str]:
    errors: dict[str, str] = {}
    out_of_range = _("Thời hạn phải từ 1 đến %(n)s ngày.") % {"n": MAX_DAYS}
    for name in ("days", "complex_days", "remote_days", "remote_complex_days"):
        value = getattr(rule, name)
        if value is not None and not 1 <= value <= MAX_DAYS:
            errors[name] = out_of_range
    if rule.days is None:
        errors["days"] = _("Hãy nhập thời hạn (số ngày).")
    if errors:
        return errors
    days: int = rule.days
    shorter = _("Không được ngắn hơn thời hạn thông thường (%(n)s ngày).") % {"n": days}
    if rule.complex_days is not None and rule.complex_days < days:
        errors["complex_days"] = shorter
    if rule.remote_days is not None and rule.remote_days < days:
        errors["remote_days"] = shorter
    if rule.remote_complex_days is not None:
        floor = max(rule.complex_days or days, rule.remote_days or days)
        if rule.remote_complex_days < floor:
            errors["remote_complex_days"] = _(
                "Không được ngắn hơn thời hạn vụ việc phức tạp và thời hạn vùng sâu, vùng xa "
                "(%(n)s ngày)."
            ) % {"n": floor}
    return errors


def _extension_errors(rule: DeadlineRule) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 0 <= rule.extension_days <= MAX_DAYS:
        errors["extension_days"] = _("Mỗi lần gia hạn từ 0 đến %(n)s ngày.") % {"n": MAX_DAYS}
    for name in ("extensions_complex", "extensions_very_complex"):
        if not 0 <= getattr(rule, name) <= MAX_EXTENSIONS:
            errors[name] = _("Số lần gia hạn từ 0 đến %(n)s.") % {"n": MAX_EXTENSIONS}
    if errors:
        return errors
    if rule.extensions_very_complex < rule.extensions_complex:
        errors["extensions_very_complex"] = _(
            "Vụ việc đặc biệt phức tạp không được gia hạn ít lần hơn vụ việc phức tạp."
        )
    elif rule.extensions_very_complex and not rule.extension_days:
        errors["extension_days"] = _("Hãy nhập số ngày mỗi lần gia hạn.")
    return errors


def _longest(rule: DeadlineRule) -> int:
    """The longest period the rule can give (remote, very complex, extended every time):
    the deadline engine refuses a period longer than ``MAX_DAYS``."""
    days: int = rule.days
    longest = max(
        days, rule.complex_days or 0, rule.remote_days or 0, rule.remote_complex_days or 0
    )
    return longest + rule.extensions_very_complex * rule.extension_days


def _clean_rule(rule: DeadlineRule) -> None:
    rule.article = _text(rule.article)[:200]
    rule.note = _text(rule.note)[:300]
    errors: dict[str, str] = {}
    if not rule.article:
        errors["article"] = _("Hãy ghi điều, khoản của văn bản quy định thời hạn.")
    if rule.effective_from is None:
        errors["effective_from"] = _("Hãy nhập ngày có hiệu lực.")
    if rule.private_enterprise and rule.kind not in COMPLAINT_KINDS:
        errors["private_enterprise"] = _(
            "Chỉ khiếu nại mới có quy định riêng cho doanh nghiệp ngoài nhà nước."
        )
    errors.update(_days_errors(rule))
    errors.update(_extension_errors(rule))
    if not errors and _longest(rule) > MAX_DAYS:
        errors["extension_days"] = _(
            "Thời hạn dài nhất (vùng sâu, vùng xa, đặc biệt phức tạp, đã gia hạn hết số lần) "
            "là %(total)s ngày, vượt quá %(n)s ngày."
        ) % {"total": _longest(rule), "n": MAX_DAYS}
    if "effective_from" not in errors:
        same = DeadlineRule.objects.filter(
            kind=rule.kind,
            stage=rule.stage,
            private_enterprise=rule.private_enterprise,
            effective_from=rule.effective_from,
        ).exclude(pk=rule.pk)
        if same.exists():
            errors["effective_from"] = _(
                "Đã có quy định thời hạn %(stage)s cho %(kind)s%(private)s có hiệu lực từ "
                "ngày %(date)s. Hãy sửa quy định đó, hoặc chọn ngày hiệu lực khác."
            ) % {
                "stage": Stage(rule.stage).label.lower() if rule.stage in Stage.values else "",
                "kind": CaseKind(rule.kind).label.lower() if rule.kind in CaseKind.values else "",
                "private": _(" (doanh nghiệp ngoài nhà nước)") if rule.private_enterprise else "",
                "date": day_text(rule.effective_from),
            }
    if errors:
        raise ValidationError(errors)
    rule.full_clean(validate_unique=False, validate_constraints=False)


def _refresh(cases: Any, calendar: WorkCalendar | None = None) -> int:
    """Recompute the open deadlines of ``cases`` (a queryset); returns how many cases."""
    calendar = calendar or services.work_calendar()
    count = 0
    for case in cases.order_by("pk").iterator(chunk_size=500):
        # The same recomputation every transition of the case runs.
        services.deadlines_refresh(case, calendar)
        count += 1
    return count


@transaction.atomic
def case_rule_create(*, actor: Any, data: dict[str, Any]) -> DeadlineRule:
    """Add a rule (a new law's version of a stage): it decides the deadline of the stages
    that start from its effective date; the stages already started keep theirs."""
    _check(actor)
    rule = DeadlineRule(**{k: v for k, v in data.items() if k in RULE_FIELDS})
    _clean_rule(rule)
    rule.save()
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=rule, after=snapshot(rule, RULE_FIELDS)
    )
    return rule


@transaction.atomic
def case_rule_update(
    *, actor: Any, rule: DeadlineRule, data: dict[str, Any]
) -> tuple[DeadlineRule, int]:
    """Correct a rule; returns it and the number of cases whose deadlines were recomputed.

    What a rule in use applies to (kind, stage, enterprise, effective date) is fixed: the
    stages computed from it were matched against those. Its figures may be corrected, and
    the open deadlines computed from it follow."""
    _check(actor)
    rule = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, RULE_FIELDS)
    for name, value in data.items():
        if name in RULE_FIELDS:
            setattr(rule, name, value)
    moved = changes_between({k: before[k] for k in KEY_FIELDS}, snapshot(rule, KEY_FIELDS))[1]
    if moved and rule_usage(rule):
        raise ValidationError(
            _(
                "Quy định này đã được dùng để tính hạn nên không đổi được loại vụ việc, giai "
                "đoạn, đối tượng áp dụng và ngày hiệu lực. Hãy thêm quy định mới."
            )
        )
    _clean_rule(rule)
    changed_before, changed_after = changes_between(before, snapshot(rule, RULE_FIELDS))
    if not changed_after:
        return rule, 0
    rule.save()
    refreshed = 0
    if set(changed_after) & set(COUNT_FIELDS):
        open_cases = CaseDeadline.objects.filter(rule=rule, met_on__isnull=True).values("case_id")
        refreshed = _refresh(Case.objects.filter(pk__in=open_cases))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=rule,
        before=changed_before,
        after=changed_after,
        reason=_("Tính lại thời hạn của %(n)s vụ việc.") % {"n": refreshed} if refreshed else "",
    )
    return rule, refreshed


def case_rule_delete(*, actor: Any, rule: DeadlineRule) -> None:
    """Delete a rule no deadline was computed from (a row added by mistake). A rule that
    was used stays: the case file must keep the basis of its deadlines."""
    try:
        _rule_delete(actor=actor, rule=rule)
    except ProtectedError as exc:  # a deadline was computed from it meanwhile
        raise ValidationError(_in_use_message(1)) from exc


def _in_use_message(count: int) -> str:
    return _(
        "Quy định này đã được dùng để tính %(n)s thời hạn của vụ việc nên không xoá được: hồ "
        "sơ phải giữ căn cứ tính hạn. Khi văn bản mới thay thế, hãy thêm quy định mới với "
        "ngày hiệu lực của văn bản đó."
    ) % {"n": count}


@transaction.atomic
def _rule_delete(*, actor: Any, rule: DeadlineRule) -> None:
    _check(actor)
    rule = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    used = rule_usage(rule)
    if used:
        raise ValidationError(_in_use_message(used))
    audit_record(
        actor=actor, action=AuditAction.DELETE, obj=rule, before=snapshot(rule, RULE_FIELDS)
    )
    rule.delete()


# -- calendar -----------------------------------------------------------------------------


def _cases_spanning(day: dt.date) -> Any:
    """Cases with an open deadline whose period contains ``day``: only those change when the
    day becomes a working day or a day off (a suspended deadline is computed on resuming)."""
    spanning = CaseDeadline.objects.filter(
        met_on__isnull=True, starts_on__lt=day, due_on__gte=day
    ).values("case_id")
    return Case.objects.filter(pk__in=spanning)


@transaction.atomic
def calendar_day_create(
    *, actor: Any, day: dt.date, kind: str, note: str
) -> tuple[CalendarDay, int]:
    """Record a day the government moved; returns it and the number of cases whose
    deadlines were recomputed."""
    _check(actor)
    entry = CalendarDay(day=day, kind=kind, note=_text(note)[:300])
    errors: dict[str, str] = {}
    if not entry.note:
        errors["note"] = _("Hãy ghi căn cứ (văn bản thông báo nghỉ, làm bù).")
    if kind not in CalendarDayKind.values:
        errors["kind"] = _("Hãy chọn ngày nghỉ hoặc ngày làm bù.")
    elif CalendarDay.objects.filter(day=day).exists():
        errors["day"] = _(
            "Ngày %(date)s đã có trong danh sách điều chỉnh; hãy xoá dòng đó trước."
        ) % {"date": day_text(day)}
    else:
        official = WorkCalendar()  # the package's calendar, without the overrides
        working = official.is_working_day(day)
        if kind == CalendarDayKind.OFF and not working:
            errors["day"] = _("Ngày %(date)s vốn đã là ngày nghỉ.") % {"date": day_text(day)}
        elif kind == CalendarDayKind.WORKING and working:
            errors["day"] = _("Ngày %(date)s vốn đã là ngày làm việc.") % {"date": day_text(day)}
    if errors:
        raise ValidationError(errors)
    entry.full_clean(validate_unique=False, validate_constraints=False)
    entry.save()
    refreshed = _refresh(_cases_spanning(day))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        after=snapshot(entry, CALENDAR_FIELDS),
        reason=_("Tính lại thời hạn của %(n)s vụ việc.") % {"n": refreshed} if refreshed else "",
    )
    return entry, refreshed


@transaction.atomic
def calendar_day_delete(*, actor: Any, entry: CalendarDay) -> int:
    """Remove an override (the package's calendar applies again to that day); returns the
    number of cases whose deadlines were recomputed."""
    _check(actor)
    entry = CalendarDay.objects.select_for_update().get(pk=entry.pk)
    day = entry.day
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=entry,
        before=snapshot(entry, CALENDAR_FIELDS),
    )
    entry.delete()
    return _refresh(_cases_spanning(day))
