from __future__ import annotations

from django.urls import reverse

from antq.accounts.models import ApiToken, User
from antq.accounts.services import token_authenticate
from antq.core.models import AuditEntry


def test_the_admin_creates_a_ward_officer_with_his_wards(client, cast) -> None:
    client.force_login(cast.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "ca.cuanam",
            "full_name": "Thiếu tá Lê Văn Bình",
            "role": "ward_officer",
            "areas": [cast.ward_b.pk],
            "password": "mot-mat-khau-dai-2026",
        },
    )
    user = User.objects.get(username="ca.cuanam")
    assert response.status_code == 302
    assert list(user.areas.all()) == [cast.ward_b]
    assert user.password.startswith("md5$") or user.password.startswith("argon2")
    assert AuditEntry.objects.get(object_type="accounts.user").after["areas"] == [cast.ward_b.code]


def test_a_ward_officer_without_areas_is_refused(client, cast) -> None:
    client.force_login(cast.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "ca.x",
            "full_name": "A",
            "role": "ward_officer",
            "password": "mot-mat-khau-dai-2026",
        },
    )
    assert response.status_code == 200
    assert "cần ít nhất một địa bàn" in response.content.decode()
    assert not User.objects.filter(username="ca.x").exists()


def test_a_unit_role_needs_a_unit(client, cast) -> None:
    client.force_login(cast.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "u1",
            "full_name": "B",
            "role": "unit_officer",
            "password": "mot-mat-khau-dai-2026",
        },
    )
    assert "cần chọn đơn vị" in response.content.decode()
    assert not User.objects.filter(username="u1").exists()


def test_a_weak_password_is_refused(client, cast) -> None:
    client.force_login(cast.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "u2", "full_name": "C", "role": "leader", "password": "12345678"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="u2").exists()


def test_the_admin_changes_a_role_and_the_scope_follows(client, cast) -> None:
    client.force_login(cast.admin)
    subject = cast.unit_x_officer
    client.post(
        reverse("accounts:user_edit", args=[subject.pk]),
        {
            "username": subject.username,
            "full_name": subject.full_name,
            "role": "ward_officer",
            "areas": [cast.ward_a.pk],
            "unit": cast.unit_x.pk,
        },
    )
    subject.refresh_from_db()
    assert subject.role == "ward_officer" and subject.unit is None
    assert list(subject.areas.all()) == [cast.ward_a]


def test_deactivating_a_user_blocks_login_and_revokes_tokens(client, cast) -> None:
    from antq.accounts.services import token_create

    _, raw = token_create(actor=cast.admin, user=cast.leader, name="Bảng điều khiển")
    client.force_login(cast.admin)
    client.post(
        reverse("accounts:user_set_active", args=[cast.leader.pk]),
        {"active": "0", "reason": "Nghỉ hưu"},
    )
    cast.leader.refresh_from_db()
    assert cast.leader.is_active is False
    assert token_authenticate(raw) is None
    assert AuditEntry.objects.filter(action="deactivate", reason="Nghỉ hưu").count() == 1
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"username": "lanhdao", "password": "mat-khau-thu-nghiem-2026"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_an_admin_cannot_deactivate_himself(client, cast) -> None:
    client.force_login(cast.admin)
    client.post(reverse("accounts:user_set_active", args=[cast.admin.pk]), {"active": "0"})
    cast.admin.refresh_from_db()
    assert cast.admin.is_active is True


def test_a_token_is_shown_once_and_stored_only_as_a_hash(client, cast) -> None:
    client.force_login(cast.admin)
    response = client.post(
        reverse("accounts:token_create", args=[cast.department.pk]), {"name": "Cổng dữ liệu"}
    )
    raw = response.context["raw"]
    token = ApiToken.objects.get()
    assert raw.startswith("antq_") and raw not in token.digest
    assert token_authenticate(raw) == cast.department
    assert "no-store" in response["Cache-Control"]
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert token_authenticate(raw) is None


def test_non_admins_do_not_see_user_management(client, cast) -> None:
    client.force_login(cast.department)
    assert client.get(reverse("accounts:user_list")).status_code == 404
    response = client.post(
        reverse("accounts:user_set_active", args=[cast.leader.pk]), {"active": "0"}
    )
    assert response.status_code == 404
    cast.leader.refresh_from_db()
    assert cast.leader.is_active is True
    assert AuditEntry.objects.count() == 0
