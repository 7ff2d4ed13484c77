"""Every role against every API operation on an in-scope and an out-of-scope object."""

from __future__ import annotations

import pytest

from antq.core.models import AuditEntry
from antq.registry.models import Unit
from tests.api.conftest import patch_json, post_json
from tests.conftest import ROLES

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
