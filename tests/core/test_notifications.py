"""The notifications inbox: one's own only, read marks, safe links, the nav badge."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from antq.core.context_processors import navigation
from antq.core.models import Notification
from antq.core.notifications import NewNotification, notify_many


def note(
    user: Any, key: str, *, url: str = "/khieu-nai-to-cao/1/", urgent: bool = False
) -> Notification:
    notify_many(
        [
            NewNotification(
                user_id=user.pk,
                key=key,
                title=f"Tiêu đề {key}",
                body=f"Nội dung {key}",
                url=url,
                urgent=urgent,
            )
        ]
    )
    return Notification.objects.get(user=user, key=key)


def unread(user: Any) -> set[str]:
    return set(
        Notification.objects.filter(user=user, read_at__isnull=True).values_list("key", flat=True)
    )


def test_the_urls() -> None:
    assert reverse("core:notification_list") == "/thong-bao/"
    assert reverse("core:notification_mark_read") == "/thong-bao/da-doc/"
    assert reverse("core:notification_open", args=[4]) == "/thong-bao/4/"


def test_the_inbox_shows_only_ones_own_unread_first_then_newest(client: Any, cast: Any) -> None:
    old = note(cast.department, "cu")
    read = note(cast.department, "da-doc")
    newest = note(cast.department, "moi", urgent=True)
    note(cast.ward_a_officer, "cua-nguoi-khac")
    Notification.objects.filter(pk=read.pk).update(read_at="2026-01-01T00:00:00Z")
    client.force_login(cast.department)
    response = client.get(reverse("core:notification_list"))
    assert [n.pk for n in response.context["page"].items] == [newest.pk, old.pk, read.pk]
    body = response.content.decode()
    assert "Tiêu đề moi" in body
    assert "cua-nguoi-khac" not in body
    assert body.count("Khẩn") == 1
    assert reverse("core:notification_open", args=[newest.pk]) in body
    assert response.context["notifications_unread"] == 2


def test_an_empty_inbox_says_so(client: Any, cast: Any) -> None:
    note(cast.ward_a_officer, "cua-nguoi-khac")
    client.force_login(cast.department)
    body = client.get(reverse("core:notification_list")).content.decode()
    assert "Chưa có thông báo." in body
    assert "Đánh dấu tất cả đã đọc" not in body


def test_the_inbox_is_paginated(client: Any, cast: Any) -> None:
    for i in range(31):
        note(cast.department, f"n{i}")
    client.force_login(cast.department)
    first = client.get(reverse("core:notification_list")).context["page"]
    second = client.get(reverse("core:notification_list"), {"page": 2}).context["page"]
    assert (len(first.items), first.has_next) == (30, True)
    assert [n.key for n in second.items] == ["n0"]


def test_opening_one_marks_it_read_and_follows_its_link(client: Any, cast: Any) -> None:
    mine = note(cast.department, "a", url="/khieu-nai-to-cao/12/")
    note(cast.department, "b")
    client.force_login(cast.department)
    response = client.get(reverse("core:notification_open", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/khieu-nai-to-cao/12/"
    assert unread(cast.department) == {"b"}


def test_another_users_notification_is_404_and_stays_unread(client: Any, cast: Any) -> None:
    theirs = note(cast.ward_a_officer, "x")
    client.force_login(cast.department)
    assert client.get(reverse("core:notification_open", args=[theirs.pk])).status_code == 404
    client.post(reverse("core:notification_mark_read"), {"id": theirs.pk})
    assert unread(cast.ward_a_officer) == {"x"}


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_a_link_off_the_site_is_never_followed(client: Any, cast: Any, url: str) -> None:
    n = note(cast.department, "x", url=url)
    client.force_login(cast.department)
    response = client.get(reverse("core:notification_open", args=[n.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:notification_list")
    assert unread(cast.department) == set()


def test_mark_all_read_then_back(client: Any, cast: Any) -> None:
    note(cast.department, "a")
    note(cast.department, "b")
    note(cast.ward_a_officer, "c")
    client.force_login(cast.department)
    response = client.post(reverse("core:notification_mark_read"), {"next": "/thong-bao/?page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/thong-bao/?page=2"
    assert unread(cast.department) == set()
    assert unread(cast.ward_a_officer) == {"c"}


def test_mark_one_read(client: Any, cast: Any) -> None:
    a = note(cast.department, "a")
    note(cast.department, "b")
    client.force_login(cast.department)
    response = client.post(
        reverse("core:notification_mark_read"), {"id": a.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:notification_list")
    assert unread(cast.department) == {"b"}


@pytest.mark.parametrize("bad", ["abc", "1" * 40, "-1"])
def test_a_bad_id_is_404_and_marks_nothing(client: Any, cast: Any, bad: str) -> None:
    note(cast.department, "a")
    client.force_login(cast.department)
    assert client.post(reverse("core:notification_mark_read"), {"id": bad}).status_code == 404
    assert unread(cast.department) == {"a"}


def test_marking_read_is_a_post(client: Any, cast: Any) -> None:
    note(cast.department, "a")
    client.force_login(cast.department)
    assert client.get(reverse("core:notification_mark_read")).status_code == 405
    assert unread(cast.department) == {"a"}


def test_the_badge_counts_ones_own_unread(client: Any, cast: Any) -> None:
    note(cast.department, "a")
    note(cast.department, "b")
    note(cast.ward_a_officer, "c")
    client.force_login(cast.department)
    assert client.get(reverse("core:home")).context["notifications_unread"] == 2
    client.post(reverse("core:notification_mark_read"))
    assert client.get(reverse("core:home")).context["notifications_unread"] == 0


def test_an_anonymous_visitor_has_no_badge(db: None) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert navigation(request)["notifications_unread"] == 0
