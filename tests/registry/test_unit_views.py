from __future__ import annotations

from django.urls import reverse

from antq.core.models import AuditEntry
from antq.registry import services
from antq.registry.models import Unit


def _form(unit, **changes):
    data = {
        "name": unit.name,
        "kind": unit.kind,
        "sector": "",
        "code": "",
        "address": "",
        "ward": unit.ward_id,
        "headcount": "",
        "phone": "",
        "email": "",
        "security_contact_name": "",
        "security_contact_phone": "",
        "head_name": "",
        "head_title": "",
        "status": unit.status,
        "notes": "",
    }
    data.update(changes)
    return data


def test_the_list_finds_units_without_diacritics(client, cast) -> None:
    client.force_login(cast.department)
    body = client.get("/don-vi/", {"q": "benh vien huu nghi"}).content.decode()
    assert cast.unit_x.name in body
    assert cast.unit_y.name not in body


def test_the_list_finds_a_unit_by_its_tax_code(client, cast) -> None:
    Unit.objects.filter(pk=cast.unit_y.pk).update(code="0101234567")
    client.force_login(cast.department)
    body = client.get("/don-vi/", {"q": "0101234567"}).content.decode()
    assert cast.unit_y.name in body
    assert cast.unit_x.name not in body


def test_the_htmx_search_returns_only_the_results_fragment(client, cast) -> None:
    client.force_login(cast.department)
    response = client.get(
        "/don-vi/", {"block": "giao_duc"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="unit-results"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert cast.unit_y.name in body and cast.unit_x.name not in body


def test_the_list_groups_counts_by_block_and_ward(client, cast) -> None:
    client.force_login(cast.department)
    response = client.get("/don-vi/")
    blocks = {f.value: f.count for f in response.context["blocks"]}
    assert blocks["y_te"] == 1 and blocks["giao_duc"] == 1 and blocks["doanh_nghiep"] == 0
    wards = {f.label: f.count for f in response.context["wards"]}
    assert wards == {"Phường Hoàn Kiếm": 1, "Phường Cửa Nam": 1}


def test_an_invalid_filter_value_is_ignored(client, cast) -> None:
    client.force_login(cast.department)
    response = client.get("/don-vi/", {"ward": "abc", "block": "nope"})
    assert response.status_code == 200
    assert len(response.context["page"].items) == 2


def test_the_department_edits_a_unit_and_the_change_is_audited(client, cast) -> None:
    client.force_login(cast.department)
    url = reverse("registry:unit_edit", args=[cast.unit_x.pk])
    response = client.post(url, _form(cast.unit_x, phone="0912 345 678", headcount="350"))
    assert response.status_code == 302
    unit = Unit.objects.get(pk=cast.unit_x.pk)
    assert (unit.phone, unit.headcount) == ("+84912345678", 350)
    entry = AuditEntry.objects.get()
    assert entry.after == {"phone": "+84912345678", "headcount": 350}
    assert entry.ward_id == cast.ward_a.pk


def test_a_bad_phone_is_refused_in_vietnamese_and_nothing_changes(client, cast) -> None:
    client.force_login(cast.department)
    url = reverse("registry:unit_edit", args=[cast.unit_x.pk])
    response = client.post(url, _form(cast.unit_x, phone="12345"))
    assert response.status_code == 200
    assert "Số điện thoại không hợp lệ" in response.content.decode()
    assert Unit.objects.get(pk=cast.unit_x.pk).phone == ""
    assert AuditEntry.objects.count() == 0


def test_a_duplicate_tax_code_is_refused(client, cast) -> None:
    Unit.objects.filter(pk=cast.unit_y.pk).update(code="0101234567")
    client.force_login(cast.department)
    url = reverse("registry:unit_edit", args=[cast.unit_x.pk])
    response = client.post(url, _form(cast.unit_x, code="0101234567"))
    assert response.status_code == 200
    assert "đã tồn tại" in response.content.decode()
    assert Unit.objects.get(pk=cast.unit_x.pk).code is None


def test_html_in_a_name_is_escaped(client, cast) -> None:
    client.force_login(cast.department)
    url = reverse("registry:unit_edit", args=[cast.unit_x.pk])
    client.post(url, _form(cast.unit_x, name="<script>alert(1)</script> Viện"))
    body = client.get(reverse("registry:unit_detail", args=[cast.unit_x.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_a_unit_officer_may_change_only_contact_fields(client, cast) -> None:
    client.force_login(cast.unit_x_officer)
    url = reverse("registry:unit_edit", args=[cast.unit_x.pk])
    form = client.get(url).context["form"]
    assert "name" not in form.fields and "ward" not in form.fields and "phone" in form.fields
    client.post(url, {"name": "Tên khác", "phone": "0243 825 1234", "headcount": "12"})
    unit = Unit.objects.get(pk=cast.unit_x.pk)
    assert unit.name == cast.unit_x.name
    assert unit.phone == "+842438251234"


def test_a_unit_head_may_not_edit(client, cast) -> None:
    client.force_login(cast.unit_x_head)
    url = reverse("registry:unit_edit", args=[cast.unit_x.pk])
    response = client.post(url, {"phone": "0912345678"})
    assert response.status_code == 403
    assert "chỉ được xem" in response.content.decode()
    assert AuditEntry.objects.count() == 0


def test_a_ward_officer_cannot_move_a_unit_to_another_ward(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    url = reverse("registry:unit_edit", args=[cast.unit_x.pk])
    response = client.post(url, _form(cast.unit_x, ward=cast.ward_b.pk))
    assert response.status_code == 200
    assert Unit.objects.get(pk=cast.unit_x.pk).ward_id == cast.ward_a.pk


def test_out_of_scope_edit_is_a_404_and_changes_nothing(client, cast) -> None:
    client.force_login(cast.ward_b_officer)
    url = reverse("registry:unit_edit", args=[cast.unit_x.pk])
    response = client.post(url, _form(cast.unit_x, name="Đổi tên"))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    assert Unit.objects.get(pk=cast.unit_x.pk).name == cast.unit_x.name


def test_the_department_creates_a_unit(client, cast) -> None:
    client.force_login(cast.department)
    response = client.post(
        reverse("registry:unit_create"),
        {
            "name": "Công ty CP Dệt may Hà Nội",
            "kind": "dn_ngoai_nha_nuoc",
            "ward": cast.ward_b.pk,
            "status": "active",
            "code": " 0109 876 543 ",
        },
    )
    unit = Unit.objects.get(code="0109876543")
    assert response.status_code == 302 and response["Location"] == f"/don-vi/{unit.pk}/"
    assert unit.name_folded == "cong ty cp det may ha noi"
    assert AuditEntry.objects.get().action == "create"


def test_a_leader_cannot_create(client, cast) -> None:
    client.force_login(cast.leader)
    response = client.post(reverse("registry:unit_create"), {"name": "X", "kind": "khac"})
    assert response.status_code == 403
    assert Unit.objects.count() == 2


def test_deleting_a_unit_with_users_is_refused(client, cast) -> None:
    client.force_login(cast.department)
    response = client.post(
        reverse("registry:unit_delete", args=[cast.unit_x.pk]), {"reason": "Nhầm"}
    )
    assert response.status_code == 200
    assert "tài khoản người dùng" in response.content.decode()
    assert Unit.objects.filter(pk=cast.unit_x.pk).exists()


def test_deleting_a_unit_keeps_its_history(client, cast) -> None:
    from tests.factories import make_unit

    unit = make_unit(area=cast.ward_a, name="Đơn vị nhập nhầm")
    client.force_login(cast.department)
    response = client.post(reverse("registry:unit_delete", args=[unit.pk]), {"reason": "Nhập nhầm"})
    assert response.status_code == 302
    assert not Unit.objects.filter(pk=unit.pk).exists()
    entry = AuditEntry.objects.get(object_id=str(unit.pk))
    assert (entry.action, entry.reason, entry.before["name"]) == (
        "delete",
        "Nhập nhầm",
        "Đơn vị nhập nhầm",
    )
    # The ward officer still sees the deletion in the trail of his ward.
    client.force_login(cast.ward_a_officer)
    assert "Đơn vị nhập nhầm" in client.get("/nhat-ky/").content.decode()


def test_an_out_of_scope_ward_in_the_query_does_not_drop_the_other_filters(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    response = client.get("/don-vi/", {"q": "khong co", "ward": cast.ward_b.pk})
    assert response.context["page"].items == []


def test_an_absurd_page_number_is_not_an_error(client, cast) -> None:
    client.force_login(cast.department)
    response = client.get("/don-vi/", {"page": "99999999999999999999"})
    assert response.status_code == 200


def test_moving_a_unit_shows_in_the_trail_of_both_wards(client, cast) -> None:
    client.force_login(cast.department)
    url = reverse("registry:unit_edit", args=[cast.unit_x.pk])
    client.post(url, _form(cast.unit_x, ward=cast.ward_b.pk))
    entries = AuditEntry.objects.order_by("id")
    assert [e.ward_id for e in entries] == [cast.ward_b.pk, cast.ward_a.pk]
    assert entries[0].before == {"ward": cast.ward_a.pk, "ward__label": "Phường Hoàn Kiếm"}
    for officer in (cast.ward_a_officer, cast.ward_b_officer):
        client.force_login(officer)
        body = client.get("/nhat-ky/").content.decode()
        assert "Phường Hoàn Kiếm" in body and "Phường Cửa Nam" in body


def test_the_audit_list_does_not_query_per_row(client, cast, django_assert_max_num_queries) -> None:
    for n in range(30):
        services.unit_update(actor=cast.department, unit=cast.unit_x, data={"headcount": n + 1})
    client.force_login(cast.department)
    with django_assert_max_num_queries(12):
        client.get("/nhat-ky/")


def test_a_province_page_lists_its_wards_and_counts_all_their_units(client, cast) -> None:
    client.force_login(cast.department)
    response = client.get(reverse("registry:area_detail", args=[cast.ward_a.parent_id]))
    assert response.context["unit_count"] == 2
    assert "Xã, phường, đặc khu (126)" in response.content.decode()
