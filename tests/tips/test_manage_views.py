"""The hotline's reference data: categories and deadline rules, their pages and services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from antq.core.models import AuditEntry
from antq.tips import services_manage
from antq.tips.models import Bulletin, TipCategory, TipDeadlineRule
from antq.tips.services import tip_receive
from tests.factories import make_tip

CATEGORY = {
    "code": "xam-hai-tre-em",
    "name": "Xâm hại  trẻ em",
    "description": "Bạo hành, xâm hại trẻ em",
    "default_urgency": "urgent",
    "is_active": "on",
    "sort_order": "75",
}


def audit(obj: Any) -> list[tuple[str, Any]]:
    entries = AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("id")
    return [(e.action, e.actor) for e in entries]


def test_the_urls_are_under_tin_bao() -> None:
    assert reverse("tipmanage:category_list") == "/tin-bao/danh-muc/"
    assert reverse("tipmanage:category_create") == "/tin-bao/danh-muc/them/"
    assert reverse("tipmanage:category_edit", args=[3]) == "/tin-bao/danh-muc/3/sua/"
    assert reverse("tipmanage:rule_list") == "/tin-bao/thoi-han/"
    assert reverse("tipmanage:rule_create") == "/tin-bao/thoi-han/them/"
    assert reverse("tipmanage:rule_edit", args=[3]) == "/tin-bao/thoi-han/3/sua/"


# -- categories -------------------------------------------------------------------------------


def test_the_administrator_adds_a_category_and_it_is_audited(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    response = client.post(reverse("tipmanage:category_create"), CATEGORY)
    assert response.status_code == 302
    assert response["Location"] == reverse("tipmanage:category_list")
    category = TipCategory.objects.get(code="xam-hai-tre-em")
    assert (category.name, category.default_urgency, category.sort_order) == (
        "Xâm hại trẻ em",
        "urgent",
        75,
    )
    assert (category.is_active, category.notify_unit) == (True, False)
    assert audit(category) == [("create", cast.admin)]
    assert "Xâm hại trẻ em" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("Xam Hai", "Mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang"),
        ("xâm-hại", "Mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang"),
        ("-xam", "Mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang"),
        ("ma-tuy", "Đã có loại tin báo với mã “ma-tuy”."),
    ],
)
def test_a_category_code_is_a_unique_slug(client: Any, cast: Any, code: str, message: str) -> None:
    before = TipCategory.objects.count()
    client.force_login(cast.admin)
    response = client.post(reverse("tipmanage:category_create"), {**CATEGORY, "code": code})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert TipCategory.objects.count() == before
    assert AuditEntry.objects.filter(object_type="tips.tipcategory").count() == 0


def test_editing_a_category_keeps_its_code_and_records_what_changed(client: Any, cast: Any) -> None:
    category = TipCategory.objects.get(code="ma-tuy")
    client.force_login(cast.admin)
    page = client.get(reverse("tipmanage:category_edit", args=[category.pk])).content.decode()
    assert 'name="code"' not in page
    response = client.post(
        reverse("tipmanage:category_edit", args=[category.pk]),
        {**CATEGORY, "code": "doi-ma", "name": "Ma túy, chất gây nghiện"},
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.code, category.name, category.default_urgency) == (
        "ma-tuy",
        "Ma túy, chất gây nghiện",
        "urgent",
    )
    entry = AuditEntry.objects.get(object_type="tips.tipcategory")
    assert entry.before == {
        "name": "Ma túy",
        "description": "Mua bán, tàng trữ, tổ chức sử dụng trái phép chất ma túy",
        "default_urgency": "normal",
        "sort_order": 10,
    }
    assert entry.after["name"] == "Ma túy, chất gây nghiện"


def test_the_code_cannot_be_changed_through_the_service(cast: Any) -> None:
    category = TipCategory.objects.get(code="ma-tuy")
    with pytest.raises(ValidationError) as exc:
        services_manage.tip_category_update(
            actor=cast.admin, category=category, data={"code": "khac-nua"}
        )
    assert exc.value.message_dict == {
        "code": ["Không thể đổi mã của loại tin báo: các ứng dụng đối tác dùng mã này."]
    }


def test_an_unused_category_can_be_deleted_with_its_own_rules(client: Any, cast: Any) -> None:
    category = services_manage.tip_category_create(
        actor=cast.admin, data={"code": "thu-nghiem", "name": "Thử nghiệm"}
    )
    rule = services_manage.tip_rule_create(
        actor=cast.admin,
        data={
            "category": category,
            "legal_basis": "Thử",
            "effective_from": dt.date(2025, 1, 1),
            "days": 10,
            "complex_days": 20,
        },
    )
    bulletin = Bulletin.objects.create(
        title="Cảnh giác", slug="canh-giac", summary="Tóm tắt", body="Nội dung", category=category
    )
    client.force_login(cast.admin)
    response = client.post(reverse("tipmanage:category_delete", args=[category.pk]))
    assert response.status_code == 302
    assert not TipCategory.objects.filter(pk=category.pk).exists()
    assert not TipDeadlineRule.objects.filter(pk=rule.pk).exists()
    bulletin.refresh_from_db()
    assert bulletin.category is None
    assert AuditEntry.objects.filter(action="delete").count() == 2


def test_a_category_in_use_cannot_be_deleted_only_retired(client: Any, cast: Any) -> None:
    make_tip(category="khac")
    category = TipCategory.objects.get(code="khac")
    client.force_login(cast.admin)
    page = client.get(reverse("tipmanage:category_edit", args=[category.pk])).content.decode()
    assert reverse("tipmanage:category_delete", args=[category.pk]) not in page
    assert "Đã có 1 tin báo thuộc loại này nên không xoá được." in page
    response = client.post(reverse("tipmanage:category_delete", args=[category.pk]), follow=True)
    assert "đã có 1 tin báo nên không thể xoá" in response.content.decode()
    assert TipCategory.objects.filter(pk=category.pk).exists()
    assert AuditEntry.objects.filter(object_type="tips.tipcategory").count() == 0
    # Retire it instead: no new tips, the old one keeps its category.
    client.post(
        reverse("tipmanage:category_edit", args=[category.pk]),
        {"name": "Khác", "default_urgency": "normal", "sort_order": "80"},
    )
    category.refresh_from_db()
    assert category.is_active is False
    with pytest.raises(ValidationError):
        tip_receive(channel="web", category=category, text="Tin mới")


def test_the_department_reads_the_lists_but_cannot_change_them(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    page = client.get(reverse("tipmanage:category_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ma túy" in html
    assert reverse("tipmanage:category_create") not in html
    assert "Bạn chỉ được xem danh mục" in html
    rules = client.get(reverse("tipmanage:rule_list")).content.decode()
    assert reverse("tipmanage:rule_create") not in rules
    assert client.post(reverse("tipmanage:category_create"), CATEGORY).status_code == 403
    category = TipCategory.objects.get(code="ma-tuy")
    response = client.post(
        reverse("tipmanage:category_edit", args=[category.pk]), {**CATEGORY, "name": "Đổi"}
    )
    assert response.status_code == 403
    assert TipCategory.objects.get(pk=category.pk).name == "Ma túy"
    assert not TipCategory.objects.filter(code="xam-hai-tre-em").exists()
    assert AuditEntry.objects.filter(object_type="tips.tipcategory").count() == 0


@pytest.mark.parametrize("role", ["leader", "ward_a_officer", "unit_x_officer"])
def test_other_roles_get_403_on_the_lists(client: Any, cast: Any, role: str) -> None:
    client.force_login(cast.by_name(role))
    assert client.get(reverse("tipmanage:category_list")).status_code == 403
    assert client.get(reverse("tipmanage:rule_list")).status_code == 403


def test_the_services_refuse_anyone_but_the_administrator(cast: Any) -> None:
    with pytest.raises(PermissionDenied):
        services_manage.tip_category_create(
            actor=cast.department, data={"code": "moi", "name": "Mới"}
        )
    assert not TipCategory.objects.filter(code="moi").exists()


# -- deadline rules ----------------------------------------------------------------------------

RULE = {
    "category": "",
    "legal_basis": "Bộ luật Tố tụng hình sự (sửa đổi 2026), Điều 147",
    "effective_from": "2026-07-01",
    "days": "15",
    "complex_days": "45",
}


def test_the_rule_page_explains_that_rules_apply_from_their_effective_date(
    client: Any, cast: Any
) -> None:
    client.force_login(cast.admin)
    html = client.get(reverse("tipmanage:rule_list")).content.decode()
    assert (
        "Một quy định chỉ áp dụng cho tin báo tiếp nhận từ ngày có hiệu lực trở đi; tin báo "
        "đã tiếp nhận giữ nguyên hạn đã tính." in html
    )
    assert "Quy định chung (mọi loại)" in html
    assert "Đang áp dụng" in html


def test_a_new_rule_applies_to_tips_received_from_its_date_only(client: Any, cast: Any) -> None:
    old = make_tip(ward=cast.ward_a)
    client.force_login(cast.admin)
    today = timezone.localdate()
    response = client.post(
        reverse("tipmanage:rule_create"), {**RULE, "effective_from": f"{today:%d/%m/%Y}"}
    )
    assert response.status_code == 302
    rule = TipDeadlineRule.objects.get(effective_from=today)
    assert (rule.category, rule.days, rule.complex_days) == (None, 15, 45)
    assert audit(rule) == [("create", cast.admin)]
    old.refresh_from_db()
    assert old.deadline == timezone.localdate(old.received_at) + dt.timedelta(days=20)
    new = make_tip(ward=cast.ward_a)
    assert (new.deadline, new.deadline_rule) == (today + dt.timedelta(days=15), rule)


def test_a_category_rule_wins_over_the_general_rule(client: Any, cast: Any) -> None:
    category = TipCategory.objects.get(code="chay-no")
    client.force_login(cast.admin)
    client.post(
        reverse("tipmanage:rule_create"),
        {**RULE, "category": category.pk, "effective_from": "2020-01-01", "days": "3"},
    )
    tip = make_tip(category="chay-no", ward=cast.ward_a)
    assert tip.deadline == timezone.localdate(tip.received_at) + dt.timedelta(days=3)
    html = client.get(reverse("tipmanage:rule_list")).content.decode()
    assert html.count("Đang áp dụng") == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"days": "0"}, "days", "Thời hạn phải lớn hơn 0 ngày."),
        (
            {"days": "30", "complex_days": "20"},
            "complex_days",
            "Thời hạn khi phức tạp không được ngắn hơn thời hạn thông thường (30 ngày).",
        ),
        ({"days": "400", "complex_days": "400"}, "days", "Thời hạn không được quá 366 ngày."),
        (
            {"effective_from": "2018-01-01"},
            "effective_from",
            "Đã có quy định thời hạn cho mọi loại tin báo có hiệu lực từ ngày 01/01/2018.",
        ),
        ({"legal_basis": "  "}, "legal_basis", "Hãy ghi căn cứ pháp lý (điều, khoản của văn bản)."),
    ],
)
def test_an_invalid_rule_is_refused_with_a_vietnamese_message(
    client: Any, cast: Any, fields: dict[str, str], field: str, message: str
) -> None:
    client.force_login(cast.admin)
    response = client.post(reverse("tipmanage:rule_create"), {**RULE, **fields})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert TipDeadlineRule.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="tips.tipdeadlinerule").count() == 0


def test_the_same_date_is_allowed_for_another_category(cast: Any) -> None:
    rule = services_manage.tip_rule_create(
        actor=cast.admin,
        data={
            "category": TipCategory.objects.get(code="lua-dao"),
            "legal_basis": "Riêng cho lừa đảo",
            "effective_from": dt.date(2018, 1, 1),
            "days": 20,
            "complex_days": 60,
        },
    )
    assert TipDeadlineRule.objects.filter(effective_from=dt.date(2018, 1, 1)).count() == 2
    with pytest.raises(ValidationError) as exc:
        services_manage.tip_rule_create(
            actor=cast.admin,
            data={
                "category": rule.category,
                "legal_basis": "Trùng",
                "effective_from": dt.date(2018, 1, 1),
                "days": 10,
                "complex_days": 10,
            },
        )
    assert exc.value.message_dict == {
        "effective_from": [
            "Đã có quy định thời hạn cho Lừa đảo, tội phạm công nghệ cao có hiệu lực từ "
            "ngày 01/01/2018."
        ]
    }


def test_editing_a_rule_does_not_move_existing_deadlines(client: Any, cast: Any) -> None:
    tip = make_tip(ward=cast.ward_a)
    deadline = tip.deadline
    rule = TipDeadlineRule.objects.get()
    client.force_login(cast.admin)
    response = client.post(
        reverse("tipmanage:rule_edit", args=[rule.pk]),
        {**RULE, "effective_from": "2018-01-01", "days": "25", "complex_days": "60"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    tip.refresh_from_db()
    assert (rule.days, tip.deadline) == (25, deadline)
    entry = AuditEntry.objects.get(object_type="tips.tipdeadlinerule")
    assert (entry.action, entry.before["days"], entry.after["days"]) == ("update", 20, 25)


def test_the_department_cannot_edit_a_rule(client: Any, cast: Any) -> None:
    rule = TipDeadlineRule.objects.get()
    client.force_login(cast.department)
    response = client.post(reverse("tipmanage:rule_edit", args=[rule.pk]), {**RULE, "days": "1"})
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.days == 20
    assert AuditEntry.objects.filter(object_type="tips.tipdeadlinerule").count() == 0
