"""Who may call the API: tokens, sessions, CSRF, and ``/me``."""

from __future__ import annotations

import pytest
from django.test import Client

from antq.accounts.models import User
from antq.accounts.services import token_create, token_revoke
from antq.core.models import AuditEntry
from antq.registry.models import Unit
from tests.api.conftest import post_json

NEW_UNIT = {"name": "Trường Tiểu học Điện Biên", "kind": "tieu_hoc"}


def _token(cast, user: User) -> str:
    _token_obj, raw = token_create(actor=cast.admin, user=user, name="Tích hợp thử nghiệm")
    return raw


def test_a_bearer_token_authenticates_as_its_user(client, cast) -> None:
    raw = _token(cast, cast.ward_a_officer)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == "ca_a"


def test_the_x_api_key_header_authenticates_too(client, cast) -> None:
    raw = _token(cast, cast.leader)
    response = client.get("/api/v1/me", headers={"X-API-Key": raw})
    assert response.status_code == 200
    assert response.json()["username"] == "lanhdao"


def test_a_token_sees_only_the_scope_of_its_user(client, cast) -> None:
    raw = _token(cast, cast.unit_y_officer)
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {raw}"})
    assert [u["id"] for u in response.json()["items"]] == [cast.unit_y.pk]


def test_a_revoked_token_is_refused_with_401(client, cast) -> None:
    token, raw = token_create(actor=cast.admin, user=cast.department, name="Cũ")
    token_revoke(actor=cast.admin, token=token)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": "Cần đăng nhập hoặc token API hợp lệ.",
    }


def test_the_token_of_a_deactivated_user_is_refused(client, cast) -> None:
    raw = _token(cast, cast.department)
    User.objects.filter(pk=cast.department.pk).update(is_active=False)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


@pytest.mark.parametrize("value", ["antq_deadbeef_khongtontai", "mot-chuoi-bat-ky", ""])
def test_an_unknown_token_is_refused(client, cast, value) -> None:
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "path", ["/api/v1/me", "/api/v1/units", "/api/v1/units/1", "/api/v1/areas", "/api/v1/areas/1"]
)
def test_a_request_without_credentials_gets_a_json_401(client, cast, path) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unauthenticated"


def test_an_anonymous_post_is_a_401_not_a_csrf_error(cast) -> None:
    client = Client(enforce_csrf_checks=True)
    response = post_json(client, "/api/v1/units", {**NEW_UNIT, "ward": cast.ward_a.pk})
    assert response.status_code == 401
    assert not Unit.objects.filter(name=NEW_UNIT["name"]).exists()


def test_the_login_session_authenticates(client, cast) -> None:
    client.force_login(cast.unit_x_officer)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["unit_id"] == cast.unit_x.pk


def test_the_session_of_a_deactivated_user_is_refused(client, cast) -> None:
    client.force_login(cast.department)
    User.objects.filter(pk=cast.department.pk).update(is_active=False)
    assert client.get("/api/v1/me").status_code == 401


def test_a_session_post_without_the_csrf_token_is_refused(cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.department)
    response = post_json(client, "/api/v1/units", {**NEW_UNIT, "ward": cast.ward_a.pk})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert "X-CSRFToken" in response.json()["message"]
    assert not Unit.objects.filter(name=NEW_UNIT["name"]).exists()
    assert AuditEntry.objects.count() == 0


def test_a_session_post_with_the_csrf_token_is_accepted(cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.department)
    client.get("/api/v1/docs")  # any page that renders a CSRF token sets the cookie
    csrf = client.cookies["csrftoken"].value
    response = post_json(
        client, "/api/v1/units", {**NEW_UNIT, "ward": cast.ward_a.pk}, **{"X-CSRFToken": csrf}
    )
    assert response.status_code == 201
    assert Unit.objects.get(name=NEW_UNIT["name"]).ward == cast.ward_a


def test_a_token_post_needs_no_csrf_token(cast) -> None:
    client = Client(enforce_csrf_checks=True)
    raw = _token(cast, cast.department)
    response = post_json(
        client,
        "/api/v1/units",
        {**NEW_UNIT, "ward": cast.ward_b.pk},
        Authorization=f"Bearer {raw}",
    )
    assert response.status_code == 201
    assert Unit.objects.get(name=NEW_UNIT["name"]).ward == cast.ward_b


def test_me_describes_a_ward_officer_with_his_area_codes(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    assert client.get("/api/v1/me").json() == {
        "id": cast.ward_a_officer.pk,
        "username": "ca_a",
        "full_name": cast.ward_a_officer.full_name,
        "title": "",
        "role": "ward_officer",
        "role_label": "Cán bộ Công an xã, phường, đặc khu",
        "unit_id": None,
        "areas": [cast.ward_a.code],
    }


def test_me_gives_the_unit_of_a_unit_officer(client, cast) -> None:
    client.force_login(cast.unit_y_officer)
    body = client.get("/api/v1/me").json()
    assert (body["role"], body["unit_id"], body["areas"]) == ("unit_officer", cast.unit_y.pk, [])
