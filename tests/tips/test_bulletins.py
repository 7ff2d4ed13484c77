from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from antq.core.models import AuditEntry
from antq.tips.models import Bulletin, TipCategory
from antq.tips.services_bulletins import (
    bulletin_create,
    bulletin_set_published,
    bulletin_slug,
    bulletin_update,
)

DESK = "/tin-bao/canh-bao/"
ATOM = "{http://www.w3.org/2005/Atom}"


def _bulletin(title: str, *, published: bool = True, days_ago: int = 0, **fields: Any) -> Bulletin:
    return Bulletin.objects.create(
        title=title,
        slug=bulletin_slug(title),
        summary=fields.pop("summary", f"Tóm tắt: {title}"),
        body=fields.pop("body", "Đoạn một.\n\nĐoạn hai."),
        is_published=published,
        published_at=timezone.now() - dt.timedelta(days=days_ago) if published else None,
        **fields,
    )


# -- public pages --------------------------------------------------------------------------


def test_the_public_list_shows_published_bulletins_newest_first(client, db) -> None:
    _bulletin("Thủ đoạn lừa đảo tại bệnh viện", days_ago=3)
    _bulletin("Giả danh công an gọi điện", days_ago=1)
    _bulletin("Bản nháp chưa đăng", published=False)
    response = client.get("/canh-bao/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Giả danh công an gọi điện") < body.index("Thủ đoạn lừa đảo tại bệnh viện")
    assert "Bản nháp chưa đăng" not in body
    assert 'type="application/atom+xml" href="/canh-bao/feed.atom"' in body
    assert set(response.cookies) <= {"csrftoken"}


def test_a_bulletin_page_shows_the_body_as_escaped_paragraphs(client, db) -> None:
    bulletin = _bulletin(
        "Cảnh giác cuộc gọi giả danh",
        body="Đối tượng gọi điện <script>alert(1)</script>.\n\nKhông chuyển tiền cho ai.",
    )
    response = client.get(f"/canh-bao/{bulletin.slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<p>Đối tượng gọi điện &lt;script&gt;alert(1)&lt;/script&gt;.</p>" in body
    assert "<p>Không chuyển tiền cho ai.</p>" in body
    assert "<script>alert(1)" not in body
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("slug", ["ban-nhap", "khong-ton-tai"])
def test_an_unpublished_or_unknown_bulletin_is_404(client, db, slug) -> None:
    Bulletin.objects.create(title="Bản nháp", slug="ban-nhap", summary="x", body="x")
    assert client.get(f"/canh-bao/{slug}/").status_code == 404


def test_the_atom_feed_lists_published_bulletins(client, db) -> None:
    _bulletin("Thủ đoạn lừa đảo tại bệnh viện", days_ago=3)
    _bulletin("Bản nháp chưa đăng", published=False)
    response = client.get("/canh-bao/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Thủ đoạn lừa đảo tại bệnh viện"]
    assert entries[0].findtext(f"{ATOM}summary") == "Tóm tắt: Thủ đoạn lừa đảo tại bệnh viện"
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == "http://testserver/canh-bao/thu-doan-lua-dao-tai-benh-vien/"
    assert feed.findtext(f"{ATOM}title", "").startswith("Cảnh báo phòng ngừa tội phạm")


# -- services ------------------------------------------------------------------------------


def test_a_new_bulletin_is_a_draft_with_a_slug_from_its_title(cast) -> None:
    category = TipCategory.objects.get(code="lua-dao")
    bulletin = bulletin_create(
        actor=cast.department,
        title="  Thủ đoạn  lừa đảo chiếm đoạt tài sản tại Bệnh viện Đa khoa ",
        summary="Cảnh giác với người lạ",
        body="Đoạn một.\r\n\r\nĐoạn hai.  \r\n",
        category=category,
    )
    assert bulletin.slug == "thu-doan-lua-dao-chiem-doat-tai-san-tai-benh-vien-da-khoa"
    assert bulletin.title == "Thủ đoạn lừa đảo chiếm đoạt tài sản tại Bệnh viện Đa khoa"
    assert bulletin.body == "Đoạn một.\n\nĐoạn hai."
    assert (bulletin.is_published, bulletin.published_at) == (False, None)
    assert bulletin.author == cast.department
    entry = AuditEntry.objects.get(object_type="tips.bulletin")
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "create",
        cast.department.pk,
        str(bulletin.pk),
    )


def test_a_second_bulletin_with_the_same_title_gets_a_numbered_slug(cast) -> None:
    slugs = [
        bulletin_create(actor=cast.admin, title="Cảnh giác", summary="x", body="x").slug
        for _ in range(3)
    ]
    assert slugs == ["canh-giac", "canh-giac-2", "canh-giac-3"]


def test_the_slug_follows_the_title_until_the_first_publication(cast) -> None:
    bulletin = bulletin_create(actor=cast.admin, title="Tiêu đề tạm", summary="x", body="x")
    bulletin = bulletin_update(actor=cast.admin, bulletin=bulletin, data={"title": "Tiêu đề mới"})
    assert bulletin.slug == "tieu-de-moi"
    bulletin = bulletin_set_published(actor=cast.admin, bulletin=bulletin, published=True)
    bulletin = bulletin_update(actor=cast.admin, bulletin=bulletin, data={"title": "Đổi lần nữa"})
    assert (bulletin.title, bulletin.slug) == ("Đổi lần nữa", "tieu-de-moi")


def test_publishing_again_keeps_the_first_publication_date(cast) -> None:
    bulletin = bulletin_create(actor=cast.admin, title="Cảnh giác", summary="x", body="x")
    bulletin = bulletin_set_published(actor=cast.admin, bulletin=bulletin, published=True)
    first = bulletin.published_at
    assert first is not None
    bulletin = bulletin_set_published(actor=cast.admin, bulletin=bulletin, published=False)
    assert (bulletin.is_published, bulletin.published_at) == (False, first)
    bulletin = bulletin_set_published(actor=cast.admin, bulletin=bulletin, published=True)
    assert (bulletin.is_published, bulletin.published_at) == (True, first)
    actions = list(
        AuditEntry.objects.filter(object_type="tips.bulletin")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update", "update"]


def test_an_edit_that_changes_nothing_writes_no_audit_row(cast) -> None:
    bulletin = bulletin_create(actor=cast.admin, title="Cảnh giác", summary="x", body="x")
    bulletin_update(actor=cast.admin, bulletin=bulletin, data={"title": "Cảnh giác "})
    assert AuditEntry.objects.filter(object_type="tips.bulletin").count() == 1


@pytest.mark.parametrize(
    "role", ["leader", "ward_a_officer", "unit_x_officer", "unit_x_head", "unit_y_officer"]
)
def test_only_the_department_and_admins_write_bulletins(cast, role) -> None:
    user = cast.by_name(role)
    with pytest.raises(PermissionDenied):
        bulletin_create(actor=user, title="Cảnh giác", summary="x", body="x")
    draft = _bulletin("Bản nháp", published=False)
    with pytest.raises(PermissionDenied):
        bulletin_set_published(actor=user, bulletin=draft, published=True)
    with pytest.raises(PermissionDenied):
        bulletin_update(actor=user, bulletin=draft, data={"title": "Khác"})
    draft.refresh_from_db()
    assert (draft.title, draft.is_published) == ("Bản nháp", False)
    assert Bulletin.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="tips.bulletin").count() == 0


# -- the department's desk ---------------------------------------------------------------


def _form(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Thủ đoạn giả danh nhân viên y tế",
        "summary": "Đối tượng giả làm nhân viên bệnh viện để lấy tiền người nhà bệnh nhân.",
        "body": "Đoạn một.\n\nĐoạn hai.",
        "category": "",
    }
    data.update(changes)
    return data


def test_the_department_writes_and_publishes_a_bulletin(client, cast) -> None:
    client.force_login(cast.department)
    response = client.post(f"{DESK}them/", _form())
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{DESK}{bulletin.pk}/"
    assert client.get(f"/canh-bao/{bulletin.slug}/").status_code == 404
    response = client.post(f"{DESK}{bulletin.pk}/dang/", {"published": "1"})
    assert response.status_code == 302 and response["Location"] == DESK
    bulletin.refresh_from_db()
    assert bulletin.is_published is True
    assert client.get(f"/canh-bao/{bulletin.slug}/").status_code == 200
    desk = client.get(DESK).content.decode()
    assert "Thủ đoạn giả danh nhân viên y tế" in desk and "Đã đăng" in desk


def test_the_desk_explains_a_missing_title_in_vietnamese(client, cast) -> None:
    client.force_login(cast.admin)
    response = client.post(f"{DESK}them/", _form(title=""))
    assert response.status_code == 200
    assert "Hãy nhập tiêu đề." in response.content.decode()
    assert Bulletin.objects.count() == 0


def test_an_edit_is_saved_and_audited(client, cast) -> None:
    bulletin = _bulletin("Cảnh giác", published=False)
    client.force_login(cast.department)
    response = client.post(f"{DESK}{bulletin.pk}/", _form(title="Cảnh giác cuối năm"))
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert (bulletin.title, bulletin.slug) == ("Cảnh giác cuối năm", "canh-giac-cuoi-nam")
    entry = AuditEntry.objects.get(object_type="tips.bulletin")
    assert entry.action == "update"
    assert entry.before["title"] == "Cảnh giác"
    assert entry.after["title"] == "Cảnh giác cuối năm"


@pytest.mark.parametrize("role", ["leader", "ward_a_officer", "unit_x_officer"])
def test_other_roles_are_refused_in_vietnamese_and_nothing_changes(client, cast, role) -> None:
    bulletin = _bulletin("Bản nháp", published=False)
    client.force_login(cast.by_name(role))
    for response in (
        client.get(DESK),
        client.post(f"{DESK}them/", _form()),
        client.post(f"{DESK}{bulletin.pk}/", _form()),
        client.post(f"{DESK}{bulletin.pk}/dang/", {"published": "1"}),
    ):
        assert response.status_code == 403
        assert "được quản lý cảnh báo" in response.content.decode()
    bulletin.refresh_from_db()
    assert (bulletin.title, bulletin.is_published) == ("Bản nháp", False)
    assert Bulletin.objects.count() == 1
    assert AuditEntry.objects.count() == 0


def test_publishing_needs_a_post(client, cast) -> None:
    bulletin = _bulletin("Bản nháp", published=False)
    client.force_login(cast.admin)
    assert client.get(f"{DESK}{bulletin.pk}/dang/").status_code == 405
    bulletin.refresh_from_db()
    assert bulletin.is_published is False
