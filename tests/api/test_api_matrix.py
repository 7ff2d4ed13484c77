"""Every role against every API operation on an in-scope and an out-of-scope object."""

from __future__ import annotations

import datetime as dt

import pytest

from antq.cases import services as case_services
from antq.cases.models import Case, CaseEvent
from antq.core.models import AuditEntry
from antq.registry.models import Unit
from antq.tips.models import Tip, TipMessage
from tests.api.conftest import patch_json, post_json
from tests.conftest import ROLES
from tests.factories import make_tip

pytestmark = pytest.mark.gate  # gate 1 of the quality gates (docs/security.md)

# role: GET unit X, GET unit Y, GET ward A, GET ward B, PATCH unit X notes, POST a unit
EXPECTED = {
    "admin": (200, 200, 200, 200, 200, 201),
    "department": (200, 200, 200, 200, 200, 201),
    "leader": (200, 200, 200, 200, 403, 403),
    "ward_a_officer": (200, 404, 200, 404, 200, 403),
    "ward_b_officer": (404, 200, 404, 200, 404, 403),
    "unit_x_officer": (200, 404, 200, 404, 200, 403),
    "unit_x_head": (200, 404, 200, 404, 403, 403),
    "unit_y_officer": (404, 200, 404, 200, 404, 403),
}


def test_the_table_covers_every_role() -> None:
    assert set(EXPECTED) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says(client, cast, role) -> None:
    client.force_login(cast.by_name(role))
    new = {"name": "Trường Mầm non Hoa Mai", "kind": "mam_non", "ward": cast.ward_a.pk}
    got = (
        client.get(f"/api/v1/units/{cast.unit_x.pk}").status_code,
        client.get(f"/api/v1/units/{cast.unit_y.pk}").status_code,
        client.get(f"/api/v1/areas/{cast.ward_a.pk}").status_code,
        client.get(f"/api/v1/areas/{cast.ward_b.pk}").status_code,
        patch_json(client, f"/api/v1/units/{cast.unit_x.pk}", {"notes": "Đã kiểm tra"}).status_code,
        post_json(client, "/api/v1/units", new).status_code,
    )
    assert got == EXPECTED[role]
    edited, created = got[4] == 200, got[5] == 201
    assert Unit.objects.get(pk=cast.unit_x.pk).notes == ("Đã kiểm tra" if edited else "")
    assert Unit.objects.filter(name=new["name"]).count() == int(created)
    assert AuditEntry.objects.count() == int(edited) + int(created)


# role: GET tip about unit X, GET tip about unit Y, message the tipster of X, file a tip
TIPS_EXPECTED = {
    "admin": (200, 200, 201, 201),
    "department": (200, 200, 201, 201),
    "leader": (200, 200, 403, 403),
    "ward_a_officer": (200, 404, 201, 201),
    "ward_b_officer": (404, 200, 404, 201),
    "unit_x_officer": (200, 404, 403, 403),
    "unit_x_head": (200, 404, 403, 403),
    "unit_y_officer": (404, 200, 404, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_tips_table_says(client, cast, role) -> None:
    assert set(TIPS_EXPECTED) == set(ROLES)
    # Tips of a category routed to the unit: each unit's roles see the one about theirs.
    tip_x = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    tip_y = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_y)
    audit_before = AuditEntry.objects.count()
    client.force_login(cast.by_name(role))
    new = {"category": "khac", "text": "Người lạ đứng trước cổng trường", "ward": cast.ward_b.pk}
    got = (
        client.get(f"/api/v1/tips/{tip_x.pk}").status_code,
        client.get(f"/api/v1/tips/{tip_y.pk}").status_code,
        post_json(client, f"/api/v1/tips/{tip_x.pk}/messages", {"body": "Xin cảm ơn"}).status_code,
        post_json(client, "/api/v1/tips", new).status_code,
    )
    assert got == TIPS_EXPECTED[role]
    messaged, filed = got[2] == 201, got[3] == 201
    assert TipMessage.objects.count() == int(messaged)
    assert Tip.objects.count() == 2 + int(filed)
    assert AuditEntry.objects.count() == audit_before + int(messaged) + int(filed)


# role: GET case about unit X, GET case about unit Y, cases listed, overdue cases listed
# (the cases API is read-only: every role may call it, each sees only its scope)
CASES_EXPECTED = {
    "admin": (200, 200, "XY", "XY"),
    "department": (200, 200, "XY", "XY"),
    "leader": (200, 200, "XY", "XY"),
    "ward_a_officer": (200, 404, "X", "X"),
    "ward_b_officer": (404, 200, "Y", "Y"),
    "unit_x_officer": (200, 404, "X", "X"),
    "unit_x_head": (200, 404, "X", "X"),
    "unit_y_officer": (404, 200, "Y", "Y"),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_cases_table_says(client, cast, role) -> None:
    assert set(CASES_EXPECTED) == set(ROLES)
    # Received long ago and never handled: both are overdue.
    common = {"actor": cast.department, "channel": "post", "received_on": dt.date(2026, 3, 2)}
    case_x = case_services.case_register(
        **common,
        kind="denunciation",
        subject="Tố cáo nhận tiền",
        content="Tố cáo cán bộ nhận tiền.",
        unit=cast.unit_x,
        sealed=case_services.SealedInput(name="Người Tố Cáo X"),
    )
    case_y = case_services.case_register(
        **common,
        kind="complaint_1",
        subject="Khiếu nại kỷ luật",
        content="Khiếu nại quyết định kỷ luật.",
        unit=cast.unit_y,
        filer_name="Nguyễn Văn Y",
    )
    letters = {case_x.code: "X", case_y.code: "Y"}
    audit_before, events_before = AuditEntry.objects.count(), CaseEvent.objects.count()
    client.force_login(cast.by_name(role))
    listed = client.get("/api/v1/cases").json()["items"]
    overdue = client.get("/api/v1/cases/overdue").json()["items"]
    got = (
        client.get(f"/api/v1/cases/{case_x.pk}").status_code,
        client.get(f"/api/v1/cases/{case_y.pk}").status_code,
        "".join(sorted(letters[item["code"]] for item in listed)),
        "".join(sorted(letters[item["case"]["code"]] for item in overdue)),
    )
    assert got == CASES_EXPECTED[role]
    # Reading writes nothing.
    assert Case.objects.count() == 2
    assert (AuditEntry.objects.count(), CaseEvent.objects.count()) == (audit_before, events_before)
