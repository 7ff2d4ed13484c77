"""The cases' reference pages: deadline rules, the calendar of days off, the scan button."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from antq.cases import services, services_settings
from antq.cases.models import CalendarDay, Case, CaseDeadline, DeadlineRule
from antq.cases.status import Stage
from antq.cases.views_settings import holiday_label
from antq.core.models import AuditEntry, Notification

D = dt.date
READERS = ["ward_a_officer", "unit_x_officer", "unit_x_head", "leader"]
MANAGERS = ["admin", "department"]
DENIED = "Chỉ quản trị hệ thống và cán bộ phòng Xây dựng phong trào"


def register(cast: Any, **fields: Any) -> Case:
    """A first complaint received Monday 05/01/2026: it must be accepted within 10 working
    days (Luật Khiếu nại Điều 27), by Monday 19/01/2026."""
    values: dict[str, Any] = {
        "actor": cast.department,
        "kind": "complaint_1",
        "subject": "Khiếu nại quyết định xử phạt",
        "content": "Nội dung khiếu nại",
        "channel": "direct",
        "received_on": D(2026, 1, 5),
        "ward_id": cast.ward_a.pk,
    }
    values.update(fields)
    return services.case_register(**values)


def acceptance(case: Case) -> CaseDeadline:
    return CaseDeadline.objects.get(case=case, stage=Stage.ACCEPTANCE)


def seeded(kind: str, stage: str, private: bool = False) -> DeadlineRule:
    return DeadlineRule.objects.get(kind=kind, stage=stage, private_enterprise=private)


def audit_of(obj: Any) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("id")
    )


def rule_post(rule: DeadlineRule, **changes: Any) -> dict[str, Any]:
    """The form's fields for ``rule``, with ``changes``."""
    data: dict[str, Any] = {}
    for name in services_settings.RULE_FIELDS:
        value = getattr(rule, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        else:
            data[name] = str(value)
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_the_urls() -> None:
    assert reverse("cases:rule_list") == "/khieu-nai-to-cao/thoi-han/"
    assert reverse("cases:rule_create") == "/khieu-nai-to-cao/thoi-han/moi/"
    assert reverse("cases:rule_edit", args=[3]) == "/khieu-nai-to-cao/thoi-han/3/"
    assert reverse("cases:rule_delete", args=[3]) == "/khieu-nai-to-cao/thoi-han/3/xoa/"
    assert reverse("cases:calendar_days") == "/khieu-nai-to-cao/lich/"
    assert reverse("cases:calendar_day_delete", args=[3]) == "/khieu-nai-to-cao/lich/3/xoa/"
    assert reverse("cases:scan_run") == "/khieu-nai-to-cao/quet-han/"


# -- the list -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", READERS)
def test_every_officer_reads_the_rules_without_edit_links(
    client: Any, cast: Any, name: str
) -> None:
    client.force_login(cast.by_name(name))
    response = client.get(reverse("cases:rule_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Luật Tố cáo 25/2018/QH14" in body
    assert "Điều 30" in body
    assert "Bạn chỉ được xem" in body
    assert reverse("cases:rule_create") not in body
    assert reverse("cases:scan_run") not in body


def test_the_list_groups_rules_by_kind_and_marks_the_one_in_force(client: Any, cast: Any) -> None:
    old = seeded("denunciation", "resolution")
    services_settings.case_rule_create(
        actor=cast.department,
        data={
            **{f: getattr(old, f) for f in services_settings.RULE_FIELDS},
            "effective_from": D(2099, 1, 1),
        },
    )
    client.force_login(cast.department)
    response = client.get(reverse("cases:rule_list"))
    body = response.content.decode()
    assert [g.label for g in response.context["groups"]] == [
        "Khiếu nại lần đầu",
        "Khiếu nại lần hai",
        "Tố cáo",
        "Kiến nghị, phản ánh",
        "Mâu thuẫn nội bộ",
    ]
    denunciation = response.context["groups"][2]
    resolution = next(s for s in denunciation.stages if s.label == "Giải quyết")
    assert [(r.rule.effective_from, r.status) for r in resolution.rows] == [
        (D(2099, 1, 1), "future"),
        (D(2019, 1, 1), "current"),
    ]
    assert "Mỗi lần 30 ngày; phức tạp 1 lần, đặc biệt phức tạp 2 lần" in body
    assert f"{reverse('cases:rule_create')}?from={old.pk}" in body
    assert reverse("cases:scan_run") in body


# -- permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("name", READERS)
def test_only_the_managers_change_rules_and_the_calendar(client: Any, cast: Any, name: str) -> None:
    rule = seeded("complaint_1", "acceptance")
    rules_before = DeadlineRule.objects.count()
    client.force_login(cast.by_name(name))
    override = CalendarDay.objects.create(day=D(2026, 1, 14), kind="off", note="Nghỉ thêm")
    requests = [
        client.get(reverse("cases:rule_create")),
        client.post(reverse("cases:rule_create"), rule_post(rule, effective_from="2030-01-01")),
        client.get(reverse("cases:rule_edit", args=[rule.pk])),
        client.post(reverse("cases:rule_edit", args=[rule.pk]), rule_post(rule, days=12)),
        client.post(reverse("cases:rule_delete", args=[rule.pk])),
        client.post(
            reverse("cases:calendar_days"),
            {"day": "2026-03-03", "kind": "off", "note": "Nghỉ thêm"},
        ),
        client.post(reverse("cases:calendar_day_delete", args=[override.pk])),
        client.post(reverse("cases:scan_run"), {"day": ""}),
    ]
    for response in requests:
        assert response.status_code == 403
        assert DENIED in response.content.decode()
    rule.refresh_from_db()
    assert rule.days == 10
    assert DeadlineRule.objects.count() == rules_before
    assert list(CalendarDay.objects.values_list("day", flat=True)) == [D(2026, 1, 14)]
    assert not AuditEntry.objects.filter(
        object_type__in=["cases.deadlinerule", "cases.calendarday"]
    ).exists()


def test_the_service_refuses_an_officer_too(cast: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services_settings.calendar_day_create(
            actor=cast.ward_a_officer, day=D(2026, 3, 3), kind="off", note="Nghỉ"
        )
    assert not CalendarDay.objects.exists()


# -- creating and editing rules ----------------------------------------------------------


@pytest.mark.parametrize("name", MANAGERS)
def test_a_new_version_is_copied_from_an_existing_rule_and_audited(
    client: Any, cast: Any, name: str
) -> None:
    old = seeded("denunciation", "resolution")
    client.force_login(cast.by_name(name))
    page = client.get(reverse("cases:rule_create"), {"from": old.pk})
    form = page.context["form"]
    assert form["article"].value() == "Điều 30"
    assert form["extensions_very_complex"].value() == 2
    assert form["effective_from"].value() is None
    response = client.post(
        reverse("cases:rule_create"),
        rule_post(
            old, law="l136_2025", article="Điều 30 (sửa đổi)", effective_from="2026-07-01", days=45
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:rule_list")
    new = DeadlineRule.objects.get(
        kind="denunciation", stage="resolution", effective_from=D(2026, 7, 1)
    )
    assert (new.law, new.article, new.days, new.extension_days) == (
        "l136_2025",
        "Điều 30 (sửa đổi)",
        45,
        30,
    )
    [entry] = audit_of(new)
    assert (entry.action, entry.actor) == ("create", cast.by_name(name))
    assert entry.after["days"] == 45
    assert entry.after["effective_from"] == "2026-07-01"
    old.refresh_from_db()
    assert old.days == 30


def test_a_copy_of_an_unknown_rule_is_404(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    assert client.get(reverse("cases:rule_create"), {"from": "99999"}).status_code == 404
    assert client.get(reverse("cases:rule_create"), {"from": "abc"}).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"days": 0}, "days", "Thời hạn phải từ 1 đến 366 ngày."),
        ({"days": 367}, "days", "Thời hạn phải từ 1 đến 366 ngày."),
        ({"days": ""}, "days", "Hãy nhập thời hạn (số ngày)."),
        (
            {"days": 30, "complex_days": 20},
            "complex_days",
            "Không được ngắn hơn thời hạn thông thường (30 ngày).",
        ),
        (
            {"days": 30, "remote_days": 29},
            "remote_days",
            "Không được ngắn hơn thời hạn thông thường (30 ngày).",
        ),
        (
            {"days": 30, "complex_days": 45, "remote_complex_days": 40},
            "remote_complex_days",
            "Không được ngắn hơn thời hạn vụ việc phức tạp và thời hạn vùng sâu, vùng xa "
            "(45 ngày).",
        ),
        (
            {"extensions_complex": 2, "extensions_very_complex": 1},
            "extensions_very_complex",
            "Vụ việc đặc biệt phức tạp không được gia hạn ít lần hơn vụ việc phức tạp.",
        ),
        (
            {"days": 300, "extension_days": 40, "extensions_very_complex": 2},
            "extension_days",
            "Thời hạn dài nhất (vùng sâu, vùng xa, đặc biệt phức tạp, đã gia hạn hết số lần) "
            "là 380 ngày",
        ),
        ({"article": "  "}, "article", "Hãy ghi điều, khoản của văn bản quy định thời hạn."),
        (
            {"effective_from": "2019-01-01"},
            "effective_from",
            "Đã có quy định thời hạn giải quyết cho tố cáo có hiệu lực từ ngày 01/01/2019.",
        ),
        (
            {"private_enterprise": "on"},
            "private_enterprise",
            "Chỉ khiếu nại mới có quy định riêng cho doanh nghiệp ngoài nhà nước.",
        ),
    ],
)
def test_a_wrong_rule_is_refused_in_vietnamese(
    client: Any, cast: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    base = seeded("denunciation", "resolution")
    before = DeadlineRule.objects.count()
    client.force_login(cast.department)
    data = rule_post(
        base, effective_from="2030-01-01", extensions_complex=0, extensions_very_complex=0
    )
    data.update({k: str(v) for k, v in changes.items()})
    response = client.post(reverse("cases:rule_create"), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert DeadlineRule.objects.count() == before
    assert not AuditEntry.objects.filter(object_type="cases.deadlinerule").exists()


def test_editing_a_rule_not_in_use_records_only_what_changed(client: Any, cast: Any) -> None:
    rule = seeded("internal", "acceptance")
    client.force_login(cast.department)
    page = client.get(reverse("cases:rule_edit", args=[rule.pk])).content.decode()
    assert reverse("cases:rule_delete", args=[rule.pk]) in page
    response = client.post(
        reverse("cases:rule_edit", args=[rule.pk]),
        rule_post(rule, article="Quy chế 12/QC-CAHN", effective_from="2021-01-01"),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.article, rule.effective_from) == ("Quy chế 12/QC-CAHN", D(2021, 1, 1))
    [entry] = audit_of(rule)
    assert entry.action == "update"
    assert entry.before == {"article": "Quy định nội bộ", "effective_from": "2020-01-01"}
    assert entry.after == {"article": "Quy chế 12/QC-CAHN", "effective_from": "2021-01-01"}


def test_saving_a_rule_unchanged_writes_no_audit(client: Any, cast: Any) -> None:
    rule = seeded("internal", "acceptance")
    client.force_login(cast.department)
    response = client.post(reverse("cases:rule_edit", args=[rule.pk]), rule_post(rule))
    assert response.status_code == 302
    assert audit_of(rule) == []


def test_correcting_a_rule_in_use_recomputes_the_open_deadlines(client: Any, cast: Any) -> None:
    case = register(cast)
    assert acceptance(case).due_on == D(2026, 1, 19)
    rule = acceptance(case).rule
    client.force_login(cast.department)
    page = client.get(reverse("cases:rule_edit", args=[rule.pk]))
    assert page.context["form"].fields["kind"].disabled
    assert "đã được dùng để tính 1 thời hạn" in page.content.decode()
    assert reverse("cases:rule_delete", args=[rule.pk]) not in page.content.decode()
    # The locked fields are ignored even if posted.
    response = client.post(
        reverse("cases:rule_edit", args=[rule.pk]),
        rule_post(rule, days=12, kind="petition", effective_from="2020-01-01"),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.days, rule.kind, rule.effective_from) == (12, "complaint_1", D(2012, 7, 1))
    assert acceptance(case).due_on == D(2026, 1, 21)
    case.refresh_from_db()
    assert case.next_due_on == D(2026, 1, 21)
    [entry] = audit_of(rule)
    assert (entry.before, entry.after) == ({"days": 10}, {"days": 12})
    assert entry.reason == "Tính lại thời hạn của 1 vụ việc."


def test_the_service_refuses_to_move_a_rule_in_use(cast: Any) -> None:
    case = register(cast)
    rule = acceptance(case).rule
    with pytest.raises(ValidationError) as exc:
        services_settings.case_rule_update(
            actor=cast.department, rule=rule, data={"effective_from": D(2026, 1, 6)}
        )
    assert "không đổi được loại vụ việc, giai đoạn" in exc.value.messages[0]
    rule.refresh_from_db()
    assert rule.effective_from == D(2012, 7, 1)
    assert audit_of(rule) == []


def test_a_rule_in_use_cannot_be_deleted(client: Any, cast: Any) -> None:
    case = register(cast)
    rule = acceptance(case).rule
    client.force_login(cast.department)
    response = client.post(reverse("cases:rule_delete", args=[rule.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:rule_edit", args=[rule.pk])
    assert (
        "đã được dùng để tính 1 thời hạn của vụ việc nên không xoá được"
        in response.content.decode()
    )
    assert DeadlineRule.objects.filter(pk=rule.pk).exists()
    assert audit_of(rule) == []


def test_an_unused_rule_is_deleted_and_audited(client: Any, cast: Any) -> None:
    rule = seeded("internal", "resolution")
    pk = rule.pk
    client.force_login(cast.admin)
    response = client.post(reverse("cases:rule_delete", args=[pk]))
    assert response.status_code == 302
    assert not DeadlineRule.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(object_type="cases.deadlinerule", object_id=str(pk))
    assert (entry.action, entry.actor) == ("delete", cast.admin)
    assert entry.before["days"] == 30
    assert entry.before["kind"] == "internal"


# -- calendar -----------------------------------------------------------------------------


def test_the_calendar_lists_the_holidays_in_vietnamese(client: Any, cast: Any) -> None:
    client.force_login(cast.leader)
    response = client.get(reverse("cases:calendar_days"), {"year": 2026})
    assert response.status_code == 200
    rows = {d.day: (d.label, d.working) for d in response.context["official"]}
    assert rows[D(2026, 1, 1)] == ("Tết Dương lịch", False)
    assert rows[D(2026, 2, 17)] == ("Tết Nguyên đán (mùng 1)", False)
    assert rows[D(2026, 4, 26)] == ("Giỗ Tổ Hùng Vương", False)
    assert rows[D(2026, 4, 27)] == ("Giỗ Tổ Hùng Vương (nghỉ bù)", False)
    assert rows[D(2026, 4, 30)] == ("Ngày Giải phóng miền Nam, thống nhất đất nước", False)
    assert rows[D(2026, 5, 1)] == ("Ngày Quốc tế Lao động", False)
    assert rows[D(2026, 9, 2)] == ("Quốc khánh", False)
    assert rows[D(2026, 8, 31)] == ("Ngày nghỉ bù (đi làm bù ngày 22/08/2026)", False)
    assert rows[D(2026, 8, 22)] == ("Ngày làm bù (cho ngày nghỉ 31/08/2026)", True)
    body = response.content.decode()
    assert "Giỗ Tổ Hùng Vương" in body
    assert "Bạn chỉ được xem" in body
    assert 'name="note"' not in body


def test_an_unknown_holiday_name_is_shown_as_the_package_gives_it() -> None:
    assert holiday_label("Ngày Gia đình Việt Nam") == "Ngày Gia đình Việt Nam"
    assert holiday_label("Quốc khánh (dự kiến)") == "Quốc khánh (dự kiến)"


def test_a_year_out_of_range_shows_the_current_one(client: Any, cast: Any) -> None:
    from django.utils import timezone

    client.force_login(cast.leader)
    for year in ("1800", "abc", "99999"):
        response = client.get(reverse("cases:calendar_days"), {"year": year})
        assert response.context["year"] == timezone.localdate().year


def test_an_extra_day_off_moves_the_deadlines_and_is_audited(client: Any, cast: Any) -> None:
    case = register(cast)
    client.force_login(cast.department)
    assert services.work_calendar().is_working_day(D(2026, 1, 14))
    response = client.post(
        reverse("cases:calendar_days") + "?year=2026",
        {"day": "2026-01-14", "kind": "off", "note": "Thông báo 01/TB-UBND nghỉ thêm"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:calendar_days") + "?year=2026"
    override = CalendarDay.objects.get()
    assert (override.day, override.kind) == (D(2026, 1, 14), "off")
    assert not services.work_calendar().is_working_day(D(2026, 1, 14))
    assert acceptance(case).due_on == D(2026, 1, 20)
    [entry] = audit_of(override)
    assert entry.action == "create"
    assert entry.after == {
        "day": "2026-01-14",
        "kind": "off",
        "note": "Thông báo 01/TB-UBND nghỉ thêm",
    }
    assert entry.reason == "Tính lại thời hạn của 1 vụ việc."
    page = client.get(response["Location"]).content.decode()
    assert "Thông báo 01/TB-UBND nghỉ thêm" in page

    response = client.post(reverse("cases:calendar_day_delete", args=[override.pk]))
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert services.work_calendar().is_working_day(D(2026, 1, 14))
    assert acceptance(case).due_on == D(2026, 1, 19)
    assert [e.action for e in audit_of(override)] == ["create", "delete"]


def test_a_saturday_worked_becomes_a_working_day(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    response = client.post(
        reverse("cases:calendar_days"),
        {"day": "2026-01-10", "kind": "working", "note": "Làm bù cho ngày 02/01/2026"},
    )
    assert response.status_code == 302
    assert services.work_calendar().is_working_day(D(2026, 1, 10))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"day": "2026-01-14", "kind": "off", "note": " "}, "note", "Hãy ghi căn cứ"),
        (
            {"day": "2026-01-11", "kind": "off", "note": "Nghỉ"},
            "day",
            "Ngày 11/01/2026 vốn đã là ngày nghỉ.",
        ),
        (
            {"day": "2026-04-30", "kind": "off", "note": "Nghỉ"},
            "day",
            "Ngày 30/04/2026 vốn đã là ngày nghỉ.",
        ),
        (
            {"day": "2026-01-14", "kind": "working", "note": "Làm"},
            "day",
            "Ngày 14/01/2026 vốn đã là ngày làm việc.",
        ),
        (
            {"day": "2026-01-15", "kind": "off", "note": "Nghỉ"},
            "day",
            "Ngày 15/01/2026 đã có trong danh sách điều chỉnh",
        ),
        ({"day": "", "kind": "off", "note": "Nghỉ"}, "day", "Hãy chọn ngày."),
    ],
)
def test_a_wrong_override_is_refused(
    client: Any, cast: Any, data: dict[str, str], field: str, message: str
) -> None:
    CalendarDay.objects.create(day=D(2026, 1, 15), kind="off", note="Có sẵn")
    client.force_login(cast.department)
    response = client.post(reverse("cases:calendar_days"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert CalendarDay.objects.count() == 1
    assert not AuditEntry.objects.filter(object_type="cases.calendarday").exists()


# -- scan ---------------------------------------------------------------------------------


def test_the_scan_button_alerts_an_overdue_case_once(client: Any, cast: Any) -> None:
    case = register(cast)
    client.force_login(cast.department)
    response = client.post(reverse("cases:scan_run"), {"day": ""}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:rule_list")
    body = response.content.decode()
    assert "Đã gửi 0 nhắc hạn, 1 cảnh báo quá hạn (2 thông báo tới cán bộ)" in body
    alerts = Notification.objects.filter(key__startswith="case-deadline:")
    assert sorted(n.user.username for n in alerts) == ["ca_a", "phongxdpt"]
    assert all(n.urgent and n.url == reverse("cases:case_detail", args=[case.pk]) for n in alerts)

    again = client.post(reverse("cases:scan_run"), {"day": ""}, follow=True)
    assert (
        "Đã gửi 0 nhắc hạn, 0 cảnh báo quá hạn (0 thông báo tới cán bộ)" in again.content.decode()
    )
    assert alerts.count() == 2


def test_the_scan_refuses_a_past_day(client: Any, cast: Any) -> None:
    register(cast)
    client.force_login(cast.department)
    response = client.post(reverse("cases:scan_run"), {"day": "2026-01-01"}, follow=True)
    assert "Không quét cho ngày đã qua." in response.content.decode()
    assert not Notification.objects.exists()


def test_the_scan_is_a_post(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    assert client.get(reverse("cases:scan_run")).status_code == 405
