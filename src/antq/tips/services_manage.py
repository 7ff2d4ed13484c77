"""Writes to the reference data of the hotline: tip categories and deadline rules.

Administrators only (``permissions.can_manage_tip_settings``); each write is one transaction
with its audit row. A deadline rule is read when a tip is received (``services.tip_deadline``):
changing the rules never moves the deadline of a tip already received.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from antq.accounts import permissions
from antq.core.audit import audit_record, changes_between, snapshot
from antq.core.models import AuditAction
from antq.textvn import nfc, squash_spaces
from antq.tips.models import Tip, TipCategory, TipDeadlineRule

CATEGORY_FIELDS = (
    "code",
    "name",
    "description",
    "notify_unit",
    "default_urgency",
    "is_active",
    "sort_order",
)
RULE_FIELDS = ("category", "legal_basis", "effective_from", "days", "complex_days")
CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# No verification period of the Criminal Procedure Code comes near a year (20 days, 2 months,
# extended once by 2 months); a larger figure is a typing error.
MAX_RULE_DAYS = 366


def _check(actor: Any) -> None:
    if not permissions.can_manage_tip_settings(actor):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được sửa danh mục và thời hạn tin báo."))


def _text(value: Any) -> str:
    return squash_spaces(nfc(str(value or "")))


# -- categories ---------------------------------------------------------------------------


def _clean_category(category: TipCategory) -> None:
    errors: dict[str, str] = {}
    category.name = _text(category.name)
    category.description = _text(category.description)
    if not category.name:
        errors["name"] = _("Tên loại tin báo không được để trống.")
    if not CODE_RE.match(category.code or ""):
        errors["code"] = _(
            "Mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (ví dụ: lua-dao)."
        )
    elif TipCategory.objects.filter(code=category.code).exclude(pk=category.pk).exists():
        errors["code"] = _("Đã có loại tin báo với mã “%(code)s”.") % {"code": category.code}
    if errors:
        raise ValidationError(errors)
    category.full_clean(validate_unique=False)


@transaction.atomic
def tip_category_create(*, actor: Any, data: dict[str, Any]) -> TipCategory:
    _check(actor)
    category = TipCategory(**{k: v for k, v in data.items() if k in CATEGORY_FIELDS})
    category.code = (category.code or "").strip()
    _clean_category(category)
    category.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=category,
        after=snapshot(category, CATEGORY_FIELDS),
    )
    return category


@transaction.atomic
def tip_category_update(*, actor: Any, category: TipCategory, data: dict[str, Any]) -> TipCategory:
    """Change a category; its code is fixed (partner applications and Open311 clients file
    tips by it)."""
    _check(actor)
    category = TipCategory.objects.select_for_update().get(pk=category.pk)
    if "code" in data and data["code"] != category.code:
        raise ValidationError(
            {"code": _("Không thể đổi mã của loại tin báo: các ứng dụng đối tác dùng mã này.")}
        )
    before = snapshot(category, CATEGORY_FIELDS)
    for name, value in data.items():
        if name in CATEGORY_FIELDS and name != "code":
            setattr(category, name, value)
    _clean_category(category)
    after = snapshot(category, CATEGORY_FIELDS)
    changed_before, changed_after = changes_between(before, after)
    if not changed_after:
        return category
    category.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=category,
        before=changed_before,
        after=changed_after,
    )
    return category


def tip_category_usage(category: TipCategory) -> int:
    """How many tips are of this category (a category in use cannot be deleted)."""
    return Tip.objects.filter(category=category).count()


@transaction.atomic
def tip_category_delete(*, actor: Any, category: TipCategory) -> None:
    """Delete a category no tip was ever filed under (with its own deadline rules). One in
    use is refused: it is taken out of use instead (``is_active``), so old tips keep it."""
    _check(actor)
    category = TipCategory.objects.select_for_update().get(pk=category.pk)
    used = tip_category_usage(category)
    if used:
        raise ValidationError(
            _(
                "Loại tin báo “%(name)s” đã có %(n)s tin báo nên không thể xoá; hãy bỏ chọn "
                "“Đang dùng” để ngừng sử dụng loại này."
            )
            % {"name": category.name, "n": used}
        )
    rules = list(category.deadline_rules.all())
    before = snapshot(category, CATEGORY_FIELDS)
    for rule in rules:
        audit_record(
            actor=actor, action=AuditAction.DELETE, obj=rule, before=snapshot(rule, RULE_FIELDS)
        )
    audit_record(actor=actor, action=AuditAction.DELETE, obj=category, before=before)
    category.delete()  # bulletins about it keep their text, without a category


# -- deadline rules -----------------------------------------------------------------------


def _clean_rule(rule: TipDeadlineRule) -> None:
    errors: dict[str, str] = {}
    rule.legal_basis = _text(rule.legal_basis)
    if not rule.legal_basis:
        errors["legal_basis"] = _("Hãy ghi căn cứ pháp lý (điều, khoản của văn bản).")
    if rule.effective_from is None:
        errors["effective_from"] = _("Hãy nhập ngày có hiệu lực.")
    days, complex_days = rule.days, rule.complex_days
    if days is None or days <= 0:
        errors["days"] = _("Thời hạn phải lớn hơn 0 ngày.")
    elif days > MAX_RULE_DAYS:
        errors["days"] = _("Thời hạn không được quá %(n)s ngày.") % {"n": MAX_RULE_DAYS}
    if complex_days is None or complex_days <= 0:
        errors["complex_days"] = _("Thời hạn khi phức tạp phải lớn hơn 0 ngày.")
    elif complex_days > MAX_RULE_DAYS:
        errors["complex_days"] = _("Thời hạn không được quá %(n)s ngày.") % {"n": MAX_RULE_DAYS}
    elif days is not None and days > 0 and complex_days < days:
        errors["complex_days"] = _(
            "Thời hạn khi phức tạp không được ngắn hơn thời hạn thông thường (%(n)s ngày)."
        ) % {"n": days}
    if "effective_from" not in errors:
        # SQL treats two NULL categories as different: the general rule is checked here.
        same = TipDeadlineRule.objects.filter(
            category_id=rule.category_id, effective_from=rule.effective_from
        ).exclude(pk=rule.pk)
        if same.exists():
            errors["effective_from"] = _(
                "Đã có quy định thời hạn cho %(category)s có hiệu lực từ ngày %(date)s."
            ) % {
                "category": rule.category.name if rule.category else _("mọi loại tin báo"),
                "date": f"{rule.effective_from:%d/%m/%Y}",
            }
    if errors:
        raise ValidationError(errors)
    rule.full_clean(validate_unique=False, validate_constraints=False)


@transaction.atomic
def tip_rule_create(*, actor: Any, data: dict[str, Any]) -> TipDeadlineRule:
    """Add a rule; it decides the deadline of the tips received from its effective date."""
    _check(actor)
    rule = TipDeadlineRule(**{k: v for k, v in data.items() if k in RULE_FIELDS})
    _clean_rule(rule)
    rule.save()
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=rule, after=snapshot(rule, RULE_FIELDS)
    )
    return rule


@transaction.atomic
def tip_rule_update(*, actor: Any, rule: TipDeadlineRule, data: dict[str, Any]) -> TipDeadlineRule:
    """Correct a rule. Tips already received keep the deadline they were given."""
    _check(actor)
    rule = TipDeadlineRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, RULE_FIELDS)
    for name, value in data.items():
        if name in RULE_FIELDS:
            setattr(rule, name, value)
    _clean_rule(rule)
    changed_before, changed_after = changes_between(before, snapshot(rule, RULE_FIELDS))
    if not changed_after:
        return rule
    rule.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=rule,
        before=changed_before,
        after=changed_after,
    )
    return rule
