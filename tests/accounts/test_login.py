from __future__ import annotations

from django.urls import reverse

from tests.factories import PASSWORD


def test_a_user_logs_in_and_lands_on_the_dashboard(client, cast) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "phongxdpt", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Tổng quan" in client.get("/").content.decode()


def test_pages_need_a_login(client, cast) -> None:
    response = client.get("/don-vi/")
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=/don-vi/")


def test_a_wrong_password_gets_a_vietnamese_message(client, cast) -> None:
    response = client.post(reverse("accounts:login"), {"username": "phongxdpt", "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


# The lockout (five failures, per username, fifteen minutes) is proven in
# tests/gates/test_hardening.py.


def test_a_session_ends_after_a_shift(client, cast, settings) -> None:
    client.post(reverse("accounts:login"), {"username": "phongxdpt", "password": PASSWORD})
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert client.session.get_expire_at_browser_close() is True


def test_changing_ones_password_is_audited_and_keeps_the_session(client, cast) -> None:
    from antq.core.models import AuditEntry

    client.force_login(cast.ward_a_officer)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "mot-mat-khau-moi-2027",
            "new_password2": "mot-mat-khau-moi-2027",
        },
    )
    assert response.status_code == 302
    cast.ward_a_officer.refresh_from_db()
    assert cast.ward_a_officer.check_password("mot-mat-khau-moi-2027")
    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.object_id, entry.after) == (
        cast.ward_a_officer.pk,
        str(cast.ward_a_officer.pk),
        {"password": "(đã đổi)"},
    )
    assert client.get("/").status_code == 200
