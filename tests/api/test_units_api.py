"""``/api/v1/units``: scoped lists with cursor pages, detail, create and update."""

from __future__ import annotations

import base64

import pytest

from antq.core.models import AuditAction, AuditEntry
from antq.registry.models import Unit
from antq.registry.status import UnitKind, UnitStatus
from tests.api.conftest import patch_json, post_json
from tests.factories import make_unit

URL = "/api/v1/units"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _new(cast, **changes):
    data = {
        "name": "Công ty TNHH Sao Mai",
        "kind": "dn_ngoai_nha_nuoc",
        "ward": cast.ward_a.pk,
        "phone": "0912 345 678",
        "email": "AnNinh@SaoMai.vn",
        "code": "0101 234 567",
        "headcount": 120,
    }
    data.update(changes)
    return data


# --- list -------------------------------------------------------------------------------


def test_the_list_gives_the_full_unit_shape(client, cast) -> None:
    Unit.objects.filter(pk=cast.unit_x.pk).update(phone="+84912345678", code="0100112233")
    client.force_login(cast.department)
    item = client.get(URL, {"q": "huu nghi"}).json()["items"][0]
    assert item["id"] == cast.unit_x.pk
    assert (item["kind"], item["kind_label"]) == ("benh_vien", "Bệnh viện")
    assert (item["block"], item["block_label"]) == ("y_te", "Bệnh viện, cơ sở y tế")
    assert item["ward"] == {"id": cast.ward_a.pk, "code": "00070", "name": "Phường Hoàn Kiếm"}
    assert (item["phone"], item["code"], item["status"]) == ("+84912345678", "0100112233", "active")
    assert set(item) == {
        "id", "name", "kind", "kind_label", "block", "block_label", "sector", "code", "address",
        "ward", "headcount", "phone", "email", "security_contact_name",
        "security_contact_phone", "head_name", "head_title", "status", "notes", "created_at",
        "updated_at",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "benh vien huu nghi"}, ["unit_x"]),
        ({"q": "TRƯỜNG thpt"}, ["unit_y"]),
        ({"block": "giao_duc"}, ["unit_y"]),
        ({"kind": "benh_vien"}, ["unit_x"]),
        ({"status": "closed"}, ["closed"]),
        ({"status": "active", "block": "y_te"}, ["unit_x"]),
    ],
)
def test_the_list_filters(client, cast, params, expected) -> None:
    closed = make_unit(area=cast.ward_b, kind=UnitKind.OTHER, status=UnitStatus.CLOSED)
    units = {"unit_x": cast.unit_x, "unit_y": cast.unit_y, "closed": closed}
    client.force_login(cast.department)
    assert _ids(client.get(URL, params)) == [units[name].pk for name in expected]


def test_the_list_filters_by_ward_id(client, cast) -> None:
    client.force_login(cast.leader)
    assert _ids(client.get(URL, {"ward": cast.ward_b.pk})) == [cast.unit_y.pk]


def test_a_ward_officer_lists_only_the_units_of_his_ward(client, cast) -> None:
    other_a = make_unit(area=cast.ward_a, name="Ủy ban nhân dân phường Hoàn Kiếm")
    make_unit(area=cast.ward_b, name="Ủy ban nhân dân phường Cửa Nam")
    client.force_login(cast.ward_a_officer)
    assert _ids(client.get(URL)) == [cast.unit_x.pk, other_a.pk]


def test_a_ward_officer_filtering_on_another_ward_gets_nothing(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    assert _ids(client.get(URL, {"ward": cast.ward_b.pk})) == []


def test_a_unit_officer_lists_only_his_unit(client, cast) -> None:
    client.force_login(cast.unit_x_officer)
    assert _ids(client.get(URL)) == [cast.unit_x.pk]


def test_the_cursor_walks_every_unit_exactly_once(client, cast) -> None:
    # Equal names make the id tie-break matter; accents make the folded order matter.
    names = ["Trường Mầm non Hoa Sen"] * 3 + ["Ánh Dương", "an toàn", "Đông Đô", "Zeta"]
    for name in names:
        make_unit(area=cast.ward_b, name=name)
    expected = list(Unit.objects.order_by("name_folded", "id").values_list("id", flat=True))
    assert len(expected) == 9
    client.force_login(cast.department)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, params).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    assert pages == 3


def test_the_cursor_keeps_the_filters_of_the_query(client, cast) -> None:
    for n in range(4):
        make_unit(area=cast.ward_a, kind=UnitKind.PRESCHOOL, name=f"Mầm non số {n}")
    client.force_login(cast.department)
    first = client.get(URL, {"kind": "mam_non", "limit": 3}).json()
    rest = client.get(URL, {"kind": "mam_non", "limit": 3, "cursor": first["next_cursor"]})
    assert [u["name"] for u in first["items"] + rest.json()["items"]] == [
        "Mầm non số 0",
        "Mầm non số 1",
        "Mầm non số 2",
        "Mầm non số 3",
    ]
    assert rest.json()["next_cursor"] is None


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "khong-phai-base64!",
        "e30",  # {}
        _b64('["a"]'),
        _b64('["a", "1"]'),
        _b64('["a", 0]'),
        _b64('["a", true]'),
        _b64(f'["a", {2**64}]'),
        _b64('["a\\u0000", 1]'),
        _b64("\xff\xfe"),
    ],
)
def test_an_invalid_cursor_is_a_422(client, cast, cursor) -> None:
    client.force_login(cast.department)
    response = client.get(URL, {"cursor": cursor})
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_cursor",
        "message": "Con trỏ phân trang (cursor) không hợp lệ. Hãy tải lại từ trang đầu.",
    }


@pytest.mark.parametrize("limit", ["0", "201", "ba"])
def test_a_limit_out_of_range_is_a_422(client, cast, limit) -> None:
    client.force_login(cast.department)
    response = client.get(URL, {"limit": limit})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_an_unknown_kind_filter_is_a_422_in_vietnamese(client, cast) -> None:
    client.force_login(cast.department)
    error = client.get(URL, {"kind": "sieu_thi"}).json()["errors"][0]
    assert error["field"] == "kind"
    assert error["message"].startswith("Giá trị không hợp lệ; chỉ nhận: 'co_quan_trung_uong'")


# --- detail -----------------------------------------------------------------------------


def test_a_unit_officer_reads_his_unit(client, cast) -> None:
    client.force_login(cast.unit_x_officer)
    response = client.get(f"{URL}/{cast.unit_x.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "Bệnh viện Hữu Nghị Việt Đức"


@pytest.mark.parametrize("role", ["ward_b_officer", "unit_y_officer", "unit_x_head"])
def test_a_unit_out_of_scope_is_a_404_like_a_missing_one(client, cast, role) -> None:
    target = cast.unit_y if role == "unit_x_head" else cast.unit_x
    client.force_login(cast.by_name(role))
    out_of_scope = client.get(f"{URL}/{target.pk}")
    missing = client.get(f"{URL}/999999")
    assert out_of_scope.status_code == missing.status_code == 404
    assert (
        out_of_scope.json()
        == missing.json()
        == {
            "code": "not_found",
            "message": "Không tìm thấy đối tượng.",
        }
    )


@pytest.mark.parametrize("unit_id", ["0", "abc", str(2**63)])
def test_an_impossible_id_is_a_422(client, cast, unit_id) -> None:
    client.force_login(cast.department)
    response = client.get(f"{URL}/{unit_id}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "unit_id"


# --- create -----------------------------------------------------------------------------


def test_the_department_creates_a_unit_with_normalised_values(client, cast) -> None:
    client.force_login(cast.department)
    response = post_json(client, URL, _new(cast))
    unit = Unit.objects.get(name="Công ty TNHH Sao Mai")
    assert response.status_code == 201
    assert response.json()["id"] == unit.pk
    assert (unit.phone, unit.email, unit.code) == ("+84912345678", "anninh@saomai.vn", "0101234567")
    assert (unit.ward, unit.headcount, unit.status) == (cast.ward_a, 120, "active")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.actor) == (
        AuditAction.CREATE,
        str(unit.pk),
        cast.department,
    )


@pytest.mark.parametrize("role", ["leader", "ward_a_officer", "unit_x_officer", "unit_x_head"])
def test_only_the_department_may_create_a_unit(client, cast, role) -> None:
    client.force_login(cast.by_name(role))
    response = post_json(client, URL, _new(cast))
    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "message": "Chỉ cán bộ phòng Xây dựng phong trào được thêm đơn vị.",
    }
    assert Unit.objects.count() == 2
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "error_type", "message"),
    [
        (
            {"phone": "12345"},
            "phone",
            "invalid",
            "Số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678).",
        ),
        (
            {"security_contact_phone": "0123"},
            "security_contact_phone",
            "invalid",
            "Số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678).",
        ),
        ({"name": None}, "name", "string_type", "Phải là chuỗi ký tự."),
        ({"name": "   "}, "name", "blank", "Không được để trống."),
        ({"name": "A" * 301}, "name", "string_too_long", "Không được dài quá 300 ký tự."),
        (
            {"email": "khong-phai-email"},
            "email",
            "invalid_email",
            "Địa chỉ thư điện tử không hợp lệ.",
        ),
        ({"headcount": -1}, "headcount", "greater_than_equal", "Phải lớn hơn hoặc bằng 0."),
        ({"notes": "a\x00b"}, "notes", "null_character", "Không được chứa ký tự NUL."),
        ({"id": 5}, "id", "extra_forbidden", "Trường này không tồn tại."),
        ({"ward": "Hoàn Kiếm"}, "ward", "int_parsing", "Phải là số nguyên."),
    ],
)
def test_an_invalid_unit_is_a_422_with_field_errors(
    client, cast, changes, field, error_type, message
) -> None:
    client.force_login(cast.department)
    response = post_json(client, URL, _new(cast, **changes))
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "errors": [{"field": field, "message": message, "type": error_type}],
    }
    assert Unit.objects.count() == 2
    assert AuditEntry.objects.count() == 0


def test_a_unit_without_name_or_kind_lists_both_errors(client, cast) -> None:
    client.force_login(cast.department)
    response = post_json(client, URL, {"ward": cast.ward_a.pk, "kind": "sieu_thi"})
    errors = {(e["field"], e["type"]) for e in response.json()["errors"]}
    assert errors == {("name", "missing"), ("kind", "enum")}
    assert Unit.objects.count() == 2


@pytest.mark.parametrize("ward", ["province", "missing"])
def test_the_ward_must_be_a_ward(client, cast, ward) -> None:
    ward_id = cast.ward_a.parent_id if ward == "province" else 999999
    client.force_login(cast.department)
    response = post_json(client, URL, _new(cast, ward=ward_id))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "ward",
            "message": "Xã, phường không tồn tại hoặc nằm ngoài phạm vi của bạn.",
            "type": "invalid_ward",
        }
    ]
    assert Unit.objects.count() == 2


def test_a_duplicate_tax_code_is_a_422_on_code(client, cast) -> None:
    Unit.objects.filter(pk=cast.unit_y.pk).update(code="0101234567")
    client.force_login(cast.department)
    response = post_json(client, URL, _new(cast))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "code",
            "message": "Đơn vị có Mã số thuế / mã đơn vị đã tồn tại.",
            "type": "unique",
        }
    ]
    assert Unit.objects.count() == 2
    assert AuditEntry.objects.count() == 0


def test_a_body_that_is_not_json_is_a_400(client, cast) -> None:
    client.force_login(cast.department)
    response = client.post(URL, "{khong phai json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


# --- update -----------------------------------------------------------------------------


def test_a_unit_officer_updates_a_self_service_field_of_his_unit(client, cast) -> None:
    client.force_login(cast.unit_x_officer)
    response = patch_json(
        client, f"{URL}/{cast.unit_x.pk}", {"security_contact_phone": "024.3825.1234"}
    )
    assert response.status_code == 200
    assert response.json()["security_contact_phone"] == "+842438251234"
    cast.unit_x.refresh_from_db()
    assert cast.unit_x.security_contact_phone == "+842438251234"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id) == (
        AuditAction.UPDATE,
        cast.unit_x_officer,
        str(cast.unit_x.pk),
    )
    assert (entry.before, entry.after) == (
        {"security_contact_phone": ""},
        {"security_contact_phone": "+842438251234"},
    )


def test_a_unit_officer_may_not_change_a_department_field(client, cast) -> None:
    client.force_login(cast.unit_x_officer)
    response = patch_json(
        client, f"{URL}/{cast.unit_x.pk}", {"name": "Tên mới", "kind": "khac", "notes": "x"}
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "forbidden_field"
    assert body["message"] == "Bạn không được sửa các trường: kind, name."
    assert [e["field"] for e in body["errors"]] == ["kind", "name"]
    cast.unit_x.refresh_from_db()
    assert (cast.unit_x.name, cast.unit_x.kind, cast.unit_x.notes) == (
        "Bệnh viện Hữu Nghị Việt Đức",
        "benh_vien",
        "",
    )
    assert AuditEntry.objects.count() == 0


def test_a_unit_officer_patching_another_unit_gets_a_404(client, cast) -> None:
    client.force_login(cast.unit_x_officer)
    response = patch_json(client, f"{URL}/{cast.unit_y.pk}", {"notes": "ghi đè"})
    assert response.status_code == 404
    cast.unit_y.refresh_from_db()
    assert cast.unit_y.notes == ""
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("role", ["leader", "unit_x_head"])
def test_a_read_only_role_may_not_update(client, cast, role) -> None:
    client.force_login(cast.by_name(role))
    response = patch_json(client, f"{URL}/{cast.unit_x.pk}", {"notes": "x"})
    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "message": "Bạn chỉ được xem, không được sửa đơn vị này.",
    }
    assert AuditEntry.objects.count() == 0


def test_a_ward_officer_may_not_move_a_unit_to_a_ward_he_cannot_see(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    response = patch_json(client, f"{URL}/{cast.unit_x.pk}", {"ward": cast.ward_b.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ward"
    cast.unit_x.refresh_from_db()
    assert cast.unit_x.ward == cast.ward_a
    assert AuditEntry.objects.count() == 0


def test_the_department_moves_a_unit_and_both_wards_see_it(client, cast) -> None:
    client.force_login(cast.department)
    response = patch_json(client, f"{URL}/{cast.unit_x.pk}", {"ward": cast.ward_b.pk})
    assert response.status_code == 200
    assert response.json()["ward"]["id"] == cast.ward_b.pk
    assert sorted(AuditEntry.objects.values_list("ward_id", flat=True)) == sorted(
        [cast.ward_a.pk, cast.ward_b.pk]
    )


def test_null_clears_the_code_but_is_refused_for_the_name(client, cast) -> None:
    Unit.objects.filter(pk=cast.unit_x.pk).update(code="0100112233")
    client.force_login(cast.department)
    refused = patch_json(client, f"{URL}/{cast.unit_x.pk}", {"name": None, "code": None})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["name"]
    cleared = patch_json(client, f"{URL}/{cast.unit_x.pk}", {"code": None})
    assert cleared.status_code == 200
    assert cleared.json()["code"] is None
    assert Unit.objects.get(pk=cast.unit_x.pk).code is None


def test_a_patch_that_changes_nothing_writes_no_audit_row(client, cast) -> None:
    client.force_login(cast.department)
    response = patch_json(client, f"{URL}/{cast.unit_x.pk}", {"name": cast.unit_x.name})
    assert response.status_code == 200
    assert AuditEntry.objects.count() == 0


def test_a_patch_with_a_bad_phone_is_a_422_and_changes_nothing(client, cast) -> None:
    client.force_login(cast.unit_x_officer)
    response = patch_json(client, f"{URL}/{cast.unit_x.pk}", {"phone": "abc", "notes": "x"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "phone",
            "message": "Số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678).",
            "type": "invalid",
        }
    ]
    cast.unit_x.refresh_from_db()
    assert cast.unit_x.notes == ""
    assert AuditEntry.objects.count() == 0
