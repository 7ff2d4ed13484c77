"""``/api/v1/cases``: complaint and denunciation cases, read-only, scoped, pseudonymous."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from antq.api.pagination import encode_cursor
from antq.cases import services
from antq.cases.models import Case, CaseDeadline, CaseEvent, SealedIdentity
from antq.core.crypto import decrypt
from tests.conftest import ROLES

URL = "/api/v1/cases"
OVERDUE_URL = "/api/v1/cases/overdue"
SECRET_NAME = "Tên Bí Mật"

CASE_FIELDS = {
    "id", "code", "kind", "kind_label", "status", "status_label", "subject", "filer_display",
    "sealed", "respondent", "channel", "channel_label", "received_on", "complexity",
    "complexity_label", "remote_area", "ward", "unit", "handler", "extensions", "accepted_on",
    "concluded_on", "closed_on", "next_due_on", "overdue", "created_at", "updated_at",
}  # fmt: skip
DETAIL_FIELDS = CASE_FIELDS | {"content", "conclusion", "deadlines", "events"}
OVERDUE_FIELDS = {
    "id", "stage", "stage_label", "starts_on", "due_on", "met_on", "law", "law_label",
    "article", "days_late", "case",
}  # fmt: skip


def _complaint(cast, **fields) -> Case:
    values = {
        "actor": cast.department,
        "kind": "complaint_1",
        "subject": "Khiếu nại quyết định kỷ luật",
        "content": "Ông A khiếu nại quyết định kỷ luật khiển trách.",
        "channel": "direct",
        "received_on": dt.date(2026, 3, 2),
        "unit": cast.unit_x,
        "filer_name": "Nguyễn Văn A",
    }
    values.update(fields)
    return services.case_register(**values)


def _denunciation(cast, **fields) -> Case:
    values = {
        "actor": cast.department,
        "kind": "denunciation",
        "subject": "Tố cáo trưởng phòng nhận tiền",
        "content": "Tố cáo ông B nhận tiền của người lao động.",
        "channel": "post",
        "received_on": dt.date(2026, 3, 2),
        "unit": cast.unit_x,
        "respondent": "Ông B, trưởng phòng",
        "sealed": services.SealedInput(
            name=SECRET_NAME, address="Số 1 Hàng Bạc", contact="0912 345 678"
        ),
    }
    values.update(fields)
    return services.case_register(**values)


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def _overdue_codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["case"]["code"] for item in response.json()["items"]]


# --- list ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", ["a", "y", "x"]),
        ("department", ["a", "y", "x"]),
        ("leader", ["a", "y", "x"]),
        ("ward_a_officer", ["a", "x"]),
        ("ward_b_officer", ["y"]),
        ("unit_x_officer", ["x"]),
        ("unit_x_head", ["x"]),
        ("unit_y_officer", ["y"]),
    ],
)
def test_the_list_holds_the_cases_of_the_callers_scope_newest_first(
    client, cast, role, expected
) -> None:
    cases = {
        "x": _complaint(cast, unit=cast.unit_x, received_on=dt.date(2026, 3, 2)),
        "y": _complaint(cast, unit=cast.unit_y, received_on=dt.date(2026, 4, 1)),
        # Received by the police of ward A directly: no unit.
        "a": _complaint(
            cast,
            kind="petition",
            unit=None,
            ward_id=cast.ward_a.pk,
            received_on=dt.date(2026, 5, 4),
        ),
    }
    client.force_login(cast.by_name(role))
    response = client.get(URL)
    assert _codes(response) == [cases[name].code for name in expected]
    assert all(set(item) == CASE_FIELDS for item in response.json()["items"])


def test_a_list_item_shows_the_case_with_labels(client, cast) -> None:
    case = _complaint(cast, handler=cast.ward_a_officer, respondent="Giám đốc bệnh viện")
    client.force_login(cast.department)
    [item] = client.get(URL).json()["items"]
    assert item["id"] == case.pk
    assert item["code"] == f"KN2026-{case.pk:06d}"
    assert (item["kind"], item["kind_label"]) == ("complaint_1", "Khiếu nại lần đầu")
    assert (item["status"], item["status_label"]) == ("received", "Tiếp nhận")
    assert (item["filer_display"], item["sealed"]) == ("Nguyễn Văn A", False)
    assert (item["channel"], item["channel_label"]) == ("direct", "Trực tiếp tại nơi tiếp công dân")
    assert (item["complexity"], item["complexity_label"]) == ("normal", "Bình thường")
    assert item["respondent"] == "Giám đốc bệnh viện"
    assert item["received_on"] == "2026-03-02"
    assert item["ward"] == {"id": cast.ward_a.pk, "code": "00070", "name": "Phường Hoàn Kiếm"}
    assert item["unit"] == {"id": cast.unit_x.pk, "name": "Bệnh viện Hữu Nghị Việt Đức"}
    assert item["handler"] == {
        "id": cast.ward_a_officer.pk,
        "full_name": cast.ward_a_officer.full_name,
    }
    due = CaseDeadline.objects.get(case=case, stage="acceptance").due_on
    assert item["next_due_on"] == due.isoformat()
    assert item["overdue"] is (due < services.today())


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"old", "late", "fresh", "accepted"}),
        ({"kind": "denunciation"}, {"late"}),
        ({"status": "open"}, {"late", "fresh", "accepted"}),
        ({"status": "overdue"}, {"late", "accepted"}),
        ({"status": "withdrawn"}, {"old"}),
        ({"status": "accepted"}, {"accepted"}),
        ({"ward": "B"}, {"fresh", "accepted"}),
        ({"year": 2025}, {"old"}),
        ({"kind": "complaint_1", "status": "open"}, {"accepted"}),
        ({"kind": "internal"}, set()),
    ],
)
def test_the_list_filters_like_the_register(client, cast, params, expected) -> None:
    cases = {
        "old": _complaint(cast, received_on=dt.date(2025, 12, 1)),
        "late": _denunciation(cast),
        # Received today: its first deadline is still ahead.
        "fresh": _complaint(
            cast, kind="petition", unit=None, ward_id=cast.ward_b.pk, received_on=services.today()
        ),
        "accepted": _complaint(cast, unit=cast.unit_y),
    }
    services.case_transition(
        case=cases["old"], to="withdrawn", actor=cast.department, reason="Người khiếu nại rút đơn"
    )
    accepted = cases["accepted"]
    services.case_transition(
        case=accepted, to="initial", actor=cast.department, on=dt.date(2026, 3, 3)
    )
    # Accepted in March: its resolution deadline has passed.
    services.case_transition(
        case=accepted, to="accepted", actor=cast.department, on=dt.date(2026, 3, 5)
    )
    if params.get("ward") == "B":
        params = {"ward": cast.ward_b.pk}
    client.force_login(cast.department)
    assert set(_codes(client.get(URL, params))) == {cases[name].code for name in expected}


def test_the_list_pages_newest_first_with_a_cursor(client, cast) -> None:
    days = [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 9), dt.date(2026, 4, 1)]
    cases = [_complaint(cast, received_on=day) for day in days]
    client.force_login(cast.ward_a_officer)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(URL, params).json()
        seen.append(",".join(item["code"] for item in page["items"]))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Two cases received the same day: the newer id first.
    assert seen == [
        f"{cases[3].code},{cases[2].code},{cases[1].code}",
        cases[0].code,
    ]


@pytest.mark.parametrize("url", [URL, OVERDUE_URL])
@pytest.mark.parametrize(
    "cursor",
    ["rác", "WyJ4IiwxXQ", encode_cursor("2026-13-45", 1), encode_cursor("hôm qua", 1)],
)
def test_a_forged_cursor_is_a_422(client, cast, url, cursor) -> None:
    client.force_login(cast.department)
    response = client.get(url, {"cursor": cursor})
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_cursor",
        "message": "Con trỏ phân trang (cursor) không hợp lệ. Hãy tải lại từ trang đầu.",
    }


# --- detail -------------------------------------------------------------------------------


def test_the_detail_has_the_deadlines_with_their_law_and_the_history_with_its_basis(
    client, cast
) -> None:
    case = _complaint(cast)
    services.case_transition(case=case, to="initial", actor=cast.department, on=dt.date(2026, 3, 3))
    services.case_transition(
        case=case, to="accepted", actor=cast.department, on=dt.date(2026, 3, 5)
    )
    client.force_login(cast.unit_x_officer)
    response = client.get(f"{URL}/{case.pk}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAIL_FIELDS
    assert (body["status"], body["accepted_on"]) == ("accepted", "2026-03-05")
    assert body["content"] == "Ông A khiếu nại quyết định kỷ luật khiển trách."
    rows = {d.stage: d for d in CaseDeadline.objects.filter(case=case).select_related("rule")}
    assert [
        (d["stage"], d["stage_label"], d["starts_on"], d["met_on"], d["law"], d["law_label"])
        for d in body["deadlines"]
    ] == [
        (
            "acceptance",
            "Thụ lý (xử lý ban đầu)",
            "2026-03-02",
            "2026-03-05",
            "kn2011",
            "Luật Khiếu nại 02/2011/QH13",
        ),
        ("resolution", "Giải quyết", "2026-03-05", None, "kn2011", "Luật Khiếu nại 02/2011/QH13"),
    ]
    for d in body["deadlines"]:
        assert d["due_on"] == rows[d["stage"]].due_on.isoformat()
        assert d["article"] == rows[d["stage"]].rule.article != ""
    events = body["events"]
    assert [(e["on"], e["from_status"], e["to_status"]) for e in events] == [
        ("2026-03-02", None, "received"),
        ("2026-03-03", "received", "initial"),
        ("2026-03-05", "initial", "accepted"),
    ]
    assert events[0]["basis"] == "Tiếp nhận đơn"
    assert "Luật Khiếu nại Điều 27" in events[2]["basis"]
    assert events[2]["to_status_label"] == "Đã thụ lý"
    assert [e["basis"] for e in events] == list(
        CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("basis", flat=True)
    )


def test_reading_a_case_out_of_scope_is_a_404(client, cast) -> None:
    ours, theirs = _complaint(cast, unit=cast.unit_x), _complaint(cast, unit=cast.unit_y)
    client.force_login(cast.unit_x_officer)
    assert client.get(f"{URL}/{ours.pk}").json()["code"] == ours.code
    not_found = {"code": "not_found", "message": "Không tìm thấy đối tượng."}
    for case_id in (theirs.pk, theirs.pk + 1000):
        response = client.get(f"{URL}/{case_id}")
        assert response.status_code == 404
        assert response.json() == not_found


# --- the denunciator stays sealed ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_sealed_name_never_appears_for_any_role(client, cast, role) -> None:
    case = _denunciation(cast)
    services.case_transition(case=case, to="initial", actor=cast.department)
    assert decrypt(SealedIdentity.objects.get(case=case).name_enc) == SECRET_NAME
    client.force_login(cast.by_name(role))
    responses = [
        client.get(URL),
        client.get(URL, {"kind": "denunciation"}),
        client.get(f"{URL}/{case.pk}"),
        client.get(OVERDUE_URL),
    ]
    for response in responses:
        assert response.status_code in (200, 404)
        text = json.dumps(response.json(), ensure_ascii=False)
        for secret in (SECRET_NAME, "Số 1 Hàng Bạc", "0912 345 678", "912345678"):
            assert secret not in text
            assert secret not in response.content.decode()
    detail = responses[2]
    if detail.status_code == 200:
        body = detail.json()
        assert (body["filer_display"], body["sealed"]) == (f"Người tố cáo {case.code}", True)
        assert "identity" not in body and "filer_name" not in body


def test_no_schema_of_the_cases_api_has_a_field_for_the_identity(client, db) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("CaseOut", "CaseDetailOut", "CaseRef", "OverdueOut", "EventOut"):
        fields = set(schemas[name]["properties"])
        assert not fields & {"filer_name", "filer_label", "identity", "name_enc", "sealed_name"}


# --- overdue ------------------------------------------------------------------------------


def test_the_overdue_list_holds_the_open_deadlines_past_their_day_oldest_first(
    client, cast
) -> None:
    late_x = _denunciation(cast, received_on=dt.date(2026, 3, 2))
    later_a = _complaint(
        cast, kind="petition", unit=None, ward_id=cast.ward_a.pk, received_on=dt.date(2026, 2, 2)
    )
    _complaint(cast, unit=cast.unit_y)  # ward B
    _complaint(cast, received_on=services.today())  # due ahead
    closed = _complaint(cast)
    services.case_transition(
        case=closed, to="withdrawn", actor=cast.department, reason="Người khiếu nại rút đơn"
    )
    client.force_login(cast.ward_a_officer)
    response = client.get(OVERDUE_URL)
    assert _overdue_codes(response) == [later_a.code, late_x.code]
    first = response.json()["items"][0]
    assert set(first) == OVERDUE_FIELDS
    deadline = CaseDeadline.objects.get(case=later_a, stage="acceptance")
    assert first["id"] == deadline.pk
    assert (first["stage"], first["starts_on"], first["met_on"]) == (
        "acceptance",
        "2026-02-02",
        None,
    )
    assert first["due_on"] == deadline.due_on.isoformat()
    assert first["days_late"] == (services.today() - deadline.due_on).days > 0
    assert (first["law"], first["article"]) == (deadline.rule.law, deadline.rule.article)
    assert first["case"] == {
        "id": later_a.pk,
        "code": later_a.code,
        "kind": "petition",
        "kind_label": "Kiến nghị, phản ánh",
        "status": "received",
        "status_label": "Tiếp nhận",
        "subject": later_a.subject,
        "ward": {"id": cast.ward_a.pk, "code": "00070", "name": "Phường Hoàn Kiếm"},
        "unit": None,
        "handler": None,
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("department", ["a", "y", "x"]),
        ("leader", ["a", "y", "x"]),
        ("ward_a_officer", ["a", "x"]),
        ("ward_b_officer", ["y"]),
        ("unit_x_head", ["x"]),
        ("unit_y_officer", ["y"]),
    ],
)
def test_the_overdue_list_is_scoped(client, cast, role, expected) -> None:
    cases = {
        "a": _complaint(cast, unit=None, ward_id=cast.ward_a.pk, received_on=dt.date(2026, 2, 2)),
        "y": _complaint(cast, unit=cast.unit_y, received_on=dt.date(2026, 3, 2)),
        "x": _complaint(cast, unit=cast.unit_x, received_on=dt.date(2026, 4, 1)),
    }
    client.force_login(cast.by_name(role))
    assert _overdue_codes(client.get(OVERDUE_URL)) == [cases[name].code for name in expected]


def test_the_overdue_list_filters_and_pages(client, cast) -> None:
    petition = _complaint(
        cast, kind="petition", unit=None, ward_id=cast.ward_b.pk, received_on=dt.date(2026, 2, 2)
    )
    denunciation = _denunciation(cast, received_on=dt.date(2026, 3, 2))
    accepted = _complaint(cast, received_on=dt.date(2026, 3, 2))
    services.case_transition(
        case=accepted, to="initial", actor=cast.department, on=dt.date(2026, 3, 3)
    )
    services.case_transition(
        case=accepted, to="accepted", actor=cast.department, on=dt.date(2026, 3, 5)
    )
    client.force_login(cast.department)
    assert _overdue_codes(client.get(OVERDUE_URL, {"stage": "resolution"})) == [accepted.code]
    assert _overdue_codes(client.get(OVERDUE_URL, {"kind": "denunciation"})) == [denunciation.code]
    assert _overdue_codes(client.get(OVERDUE_URL, {"ward": cast.ward_b.pk})) == [petition.code]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(OVERDUE_URL, params).json()
        assert len(page["items"]) <= 2
        seen += [item["case"]["code"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == _overdue_codes(client.get(OVERDUE_URL))
    assert sorted(seen) == sorted([petition.code, denunciation.code, accepted.code])


# --- errors -------------------------------------------------------------------------------


def test_the_cases_need_an_officer(client, cast) -> None:
    case = _complaint(cast)
    for url in (URL, OVERDUE_URL, f"{URL}/{case.pk}"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("url", "params", "field", "message"),
    [
        (URL, {"status": "dang_xu_ly"}, "status", "Giá trị không hợp lệ; chỉ nhận: 'open', "),
        (URL, {"kind": "khieu_nai"}, "kind", "Giá trị không hợp lệ; chỉ nhận: 'complaint_1', "),
        (URL, {"year": "1999"}, "year", "Phải lớn hơn hoặc bằng 2000."),
        (URL, {"year": "hai nghìn"}, "year", "Phải là số nguyên."),
        (URL, {"ward": "0"}, "ward", "Phải lớn hơn hoặc bằng 1."),
        (URL, {"limit": "500"}, "limit", "Phải nhỏ hơn hoặc bằng 200."),
        (OVERDUE_URL, {"stage": "xu_ly"}, "stage", "Giá trị không hợp lệ; chỉ nhận: "),
        (f"{URL}/abc", {}, "case_id", "Phải là số nguyên."),
        (f"{URL}/0", {}, "case_id", "Phải lớn hơn hoặc bằng 1."),
        (f"{URL}/{2**63}", {}, "case_id", f"Phải nhỏ hơn hoặc bằng {2**63 - 1}."),
    ],
)
def test_a_bad_parameter_is_a_422_in_vietnamese(client, cast, url, params, field, message) -> None:
    client.force_login(cast.department)
    response = client.get(url, params)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == ("invalid", "Dữ liệu gửi lên không hợp lệ.")
    [error] = body["errors"]
    assert error["field"] == field
    assert error["message"].startswith(message)


def test_the_openapi_schema_lists_the_cases_operations(client, db) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        (path, method): op
        for path, item in schema["paths"].items()
        if path.startswith(URL)
        for method, op in item.items()
    }
    assert {(path, method, op["operationId"]) for (path, method), op in operations.items()} == {
        (URL, "get", "cases_list"),
        (OVERDUE_URL, "get", "cases_overdue"),
        (f"{URL}/{{case_id}}", "get", "cases_get"),
    }
    assert all(op["tags"] == ["Khiếu nại, tố cáo"] for op in operations.values())
