"""``/tin-bao/doi-tac/``: the administrator registers partner applications and their keys."""

from __future__ import annotations

import pytest

from antq.core.models import AuditAction, AuditEntry
from antq.tips.models import Partner
from antq.tips.services import partner_authenticate, partner_create

LIST = "/tin-bao/doi-tac/"
CREATE = "/tin-bao/doi-tac/them/"


def _toggle_url(partner: Partner) -> str:
    return f"/tin-bao/doi-tac/{partner.pk}/trang-thai/"


@pytest.fixture
def partner(cast) -> Partner:
    return partner_create(actor=None, name="Ứng dụng Hà Nội An toàn", key="p311_khoa-cu")[0]


def test_the_admin_sees_the_partners_with_their_key_prefix_only(client, cast, partner) -> None:
    client.force_login(cast.admin)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ứng dụng Hà Nội An toàn" in html
    assert "p311_kho…" in html
    assert "p311_khoa-cu" not in html
    assert "/open311/v2/discovery.json" in html


def test_the_admin_creates_a_partner_and_sees_its_key_once(client, cast) -> None:
    client.force_login(cast.admin)
    assert client.get(CREATE).status_code == 200
    response = client.post(
        CREATE, {"name": "  Cổng  phản ánh  ", "contact": "Sở TT&TT, 024 3825 1234"}
    )
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    partner = Partner.objects.get()
    assert (partner.name, partner.contact, partner.is_active) == (
        "Cổng phản ánh",
        "Sở TT&TT, 024 3825 1234",
        True,
    )
    key = response.context["key"]
    assert key.startswith("p311_")
    assert len(key) > 40
    assert key in response.content.decode()
    assert partner_authenticate(key) == partner
    assert key not in client.get(LIST).content.decode()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_id) == (
        cast.admin,
        AuditAction.CREATE,
        str(partner.pk),
    )
    assert key not in str(entry.after)


def test_a_partner_without_a_name_is_not_created(client, cast) -> None:
    client.force_login(cast.admin)
    response = client.post(CREATE, {"name": "", "contact": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Trường này là bắt buộc."]
    assert Partner.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_the_admin_stops_and_restarts_a_partner(client, cast, partner) -> None:
    client.force_login(cast.admin)
    response = client.post(_toggle_url(partner), {"active": "0"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert partner_authenticate("p311_khoa-cu") is None
    client.post(_toggle_url(partner), {"active": "1"})
    assert partner_authenticate("p311_khoa-cu") == partner
    actions = AuditEntry.objects.filter(actor=cast.admin).order_by("id")
    assert list(actions.values_list("action", flat=True)) == [
        AuditAction.DEACTIVATE,
        AuditAction.ACTIVATE,
    ]


def test_toggling_an_unknown_partner_is_a_404(client, cast) -> None:
    client.force_login(cast.admin)
    assert client.post("/tin-bao/doi-tac/999999/trang-thai/", {"active": "0"}).status_code == 404


@pytest.mark.parametrize(
    "role",
    [
        "department",
        "leader",
        "ward_a_officer",
        "ward_b_officer",
        "unit_x_officer",
        "unit_x_head",
        "unit_y_officer",
    ],
)
def test_nobody_but_the_admin_manages_partners(client, cast, partner, role) -> None:
    client.force_login(cast.by_name(role))
    audit_before = AuditEntry.objects.count()
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"name": "Ứng dụng lạ"}).status_code == 403
    assert client.post(_toggle_url(partner), {"active": "0"}).status_code == 403
    assert list(Partner.objects.values_list("name", "is_active")) == [
        ("Ứng dụng Hà Nội An toàn", True)
    ]
    assert AuditEntry.objects.count() == audit_before


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, cast, partner) -> None:
    for response in (client.get(LIST), client.post(_toggle_url(partner), {"active": "0"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")
    assert partner_authenticate("p311_khoa-cu") == partner
