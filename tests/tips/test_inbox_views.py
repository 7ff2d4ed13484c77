"""The officers' inbox: tabs, filters, rows, bulk assignment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from antq.core.models import AuditAction, AuditEntry
from antq.tips import services
from antq.tips.models import Tip, TipCategory
from antq.tips.status import TipStatus
from tests.factories import make_tip

URL = "/tin-bao/"


def _codes(response) -> list[str]:
    return [row["code"] for row in response.context["rows"]]


def _set(tip: Tip, **fields) -> Tip:
    Tip.objects.filter(pk=tip.pk).update(**fields)
    tip.refresh_from_db()
    return tip


def test_the_inbox_is_at_tin_bao() -> None:
    assert reverse("tips:tip_list") == URL


def test_a_ward_officer_sees_the_tips_of_his_ward_only(client, cast) -> None:
    mine = make_tip(ward=cast.ward_a)
    other = make_tip(ward=cast.ward_b)
    client.force_login(cast.ward_a_officer)
    response = client.get(URL)
    assert _codes(response) == [mine.code]
    assert other.code not in response.content.decode()


def test_a_unit_officer_sees_only_the_tips_routed_to_his_unit(client, cast) -> None:
    routed = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    make_tip(category="trom-cap", unit=cast.unit_x)  # about the unit, not routed to it
    make_tip(ward=cast.ward_a)
    client.force_login(cast.unit_x_officer)
    response = client.get(URL)
    assert _codes(response) == [routed.code]
    assert response.context["can_assign"] is False
    assert 'name="tips"' not in response.content.decode()


def test_the_rows_never_show_who_the_tipster_is(client, cast) -> None:
    make_tip(
        ward=cast.ward_a,
        anonymous=False,
        reporter_name="Phạm Thị Duyên",
        reporter_phone="0912345678",
    )
    client.force_login(cast.department)
    body = client.get(URL).content.decode()
    for secret in ("Phạm Thị Duyên", "0912345678", "912 345 678", "+84912345678"):
        assert secret not in body


def test_the_tabs_count_each_box(client, cast) -> None:
    today = timezone.localdate()
    mine = make_tip(ward=cast.ward_a)
    services.tip_assign(tip=mine, assignee=cast.ward_a_officer, actor=cast.department)
    _set(make_tip(ward=cast.ward_a), deadline=today - dt.timedelta(days=2))
    _set(make_tip(ward=cast.ward_a), deadline=today + dt.timedelta(days=1))
    closed = make_tip(ward=cast.ward_a)
    services.tip_transition(tip=closed, to=TipStatus.SPAM, actor=cast.department, reason="x")
    _set(closed, deadline=today - dt.timedelta(days=5))
    client.force_login(cast.ward_a_officer)
    tabs = {t.box: t.count for t in client.get(URL).context["tabs"]}
    assert tabs == {"": 4, "mine": 1, "unassigned": 2, "due_soon": 1, "overdue": 1}


def test_the_tab_counts_stop_at_the_cap(client, cast, monkeypatch) -> None:
    from antq.tips import views

    monkeypatch.setattr(views, "COUNT_CAP", 2)
    for _ in range(3):
        make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = client.get(URL)
    tab = response.context["tabs"][0]
    assert (tab.count, tab.capped) == (2, True)
    assert "2+" in response.content.decode()


def test_the_list_counts_to_the_same_cap(client, cast, monkeypatch) -> None:
    from antq.tips import views

    monkeypatch.setattr(views, "COUNT_CAP", 2)
    for _ in range(3):
        make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    page = client.get(URL, {"page": 2}).context["page"]
    assert (page.total, page.total_capped) == (2, True)


def test_the_overdue_box_says_by_how_many_days(client, cast) -> None:
    tip = _set(make_tip(ward=cast.ward_a), deadline=timezone.localdate() - dt.timedelta(days=3))
    make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = client.get(URL, {"box": "overdue"})
    assert _codes(response) == [tip.code]
    assert "quá hạn 3 ngày" in response.content.decode()


def test_an_open_tip_shows_the_days_left(client, cast) -> None:
    _set(make_tip(ward=cast.ward_a), deadline=timezone.localdate() + dt.timedelta(days=12))
    client.force_login(cast.ward_a_officer)
    assert "còn 12 ngày" in client.get(URL).content.decode()


def test_the_rows_show_the_received_time_urgency_and_channel(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a, category="chay-no", channel="phone")
    received = timezone.make_aware(dt.datetime(2026, 3, 5, 21, 7))
    _set(tip, received_at=received)
    client.force_login(cast.ward_a_officer)
    body = client.get(URL).content.decode()
    assert "05/03/2026 21:07" in body
    assert "Khẩn" in body and "Điện thoại" in body and "Cháy, nổ" in body


def test_unread_messages_of_the_tipster_are_flagged(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_message_post(tip=tip, body="Tôi bổ sung: có 3 người")
    services.tip_message_post(tip=tip, body="Họ đi xe máy")
    client.force_login(cast.ward_a_officer)
    response = client.get(URL)
    assert response.context["rows"][0]["unread"] == 2
    assert "2 tin nhắn mới" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "cat"}, ["urgent_fire"]),
        ({"status": "verifying"}, ["verifying"]),
        ({"channel": "sms"}, ["sms"]),
        ({"urgency": "urgent"}, ["urgent_fire"]),
        ({"date_from": "2026-03-02", "date_to": "2026-03-02"}, ["sms"]),
        ({"date_from": "02/03/2026"}, ["sms", "urgent_fire"]),
    ],
)
def test_the_filters_narrow_the_list(client, cast, params, expected) -> None:
    day = dt.datetime(2026, 3, 1, 9, 0)
    tips = {
        "verifying": make_tip(ward=cast.ward_a),
        "sms": make_tip(ward=cast.ward_a, channel="sms"),
        "urgent_fire": make_tip(ward=cast.ward_a, category="chay-no"),
    }
    for i, tip in enumerate(tips.values()):
        _set(tip, received_at=timezone.make_aware(day + dt.timedelta(days=i)))
    services.tip_transition(tip=tips["verifying"], to="verifying", actor=cast.department)
    if params.get("category") == "cat":
        params = {"category": str(TipCategory.objects.get(code="chay-no").pk)}
    client.force_login(cast.ward_a_officer)
    response = client.get(URL, params)
    assert sorted(_codes(response)) == sorted(tips[k].code for k in expected)


def test_a_ward_outside_the_officers_scope_is_ignored_as_a_filter(client, cast) -> None:
    mine = make_tip(ward=cast.ward_a)
    make_tip(ward=cast.ward_b)
    client.force_login(cast.ward_a_officer)
    response = client.get(URL, {"ward": cast.ward_b.pk, "status": "bogus"})
    assert response.status_code == 200
    assert _codes(response) == [mine.code]
    choices = [c[0] for c in response.context["form"].fields["ward"].choices]
    assert choices == ["", cast.ward_a.pk]


@pytest.mark.parametrize("url", ["/tin-bao/", "/tin-bao/xuat/"])
def test_a_date_beyond_the_calendar_is_dropped_not_a_server_error(client, cast, url) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.department)
    response = client.get(url, {"date_to": "9999-12-31", "date_from": "0001-01-01"})
    assert response.status_code == 200
    if url == "/tin-bao/":
        assert _codes(response) == [tip.code]


def test_the_department_filters_by_ward(client, cast) -> None:
    make_tip(ward=cast.ward_a)
    b = make_tip(ward=cast.ward_b)
    client.force_login(cast.department)
    assert _codes(client.get(URL, {"ward": cast.ward_b.pk})) == [b.code]


def test_the_search_box_finds_tips_without_diacritics(client, cast) -> None:
    found = make_tip(ward=cast.ward_a, text="Đối tượng lừa đảo bán vé giả ở bệnh viện")
    make_tip(ward=cast.ward_a, text="Có người trộm xe máy")
    client.force_login(cast.ward_a_officer)
    response = client.get(URL, {"q": "lua dao"})
    assert _codes(response) == [found.code]
    assert "<mark>" in response.content.decode()


def test_the_htmx_filter_returns_only_the_results_fragment(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a, channel="sms")
    make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = client.get(
        URL, {"channel": "sms"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tip-results"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert _codes(response) == [tip.code]
    # The tabs keep the filter.
    assert 'href="/tin-bao/?channel=sms&amp;box=mine"' in body


def test_an_empty_box_says_so_in_vietnamese(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    assert "Chưa có tin báo nào trong địa bàn của bạn." in client.get(URL).content.decode()
    body = client.get(URL, {"box": "overdue"}).content.decode()
    assert "Không có tin báo nào quá hạn xác minh." in body
    body = client.get(URL, {"channel": "sms"}).content.decode()
    assert "Không có tin báo nào phù hợp với điều kiện tìm kiếm." in body


def test_the_list_pages_through_many_tips(client, cast) -> None:
    for _ in range(51):
        make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    first = client.get(URL)
    second = client.get(URL, {"page": 2})
    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 1
    assert first.context["page"].total == 51


def test_the_export_link_appears_only_when_the_export_exists(client, cast) -> None:
    from django.urls import NoReverseMatch

    client.force_login(cast.department)
    body = client.get(URL, {"channel": "sms"}).content.decode()
    try:
        export = reverse("tipmanage:tip_export")
    except NoReverseMatch:
        assert "Xuất Excel" not in body
    else:
        assert f'href="{export}?channel=sms"' in body


# -- bulk assignment ----------------------------------------------------------------------


def test_the_department_assigns_several_tips_at_once(client, cast) -> None:
    a1, a2 = make_tip(ward=cast.ward_a), make_tip(ward=cast.ward_a)
    client.force_login(cast.department)
    response = client.post(
        reverse("tips:tip_bulk_assign"),
        {"tips": [a1.pk, a2.pk], "assignee": cast.ward_a_officer.pk, "next": "/tin-bao/?box="},
    )
    assert response.status_code == 302 and response["Location"] == "/tin-bao/?box="
    assert set(Tip.objects.filter(assignee=cast.ward_a_officer)) == {a1, a2}
    assert AuditEntry.objects.filter(action=AuditAction.ASSIGN).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert f"Đã phân công 2 tin báo cho {cast.ward_a_officer.get_full_name()}." in page


def test_bulk_assignment_refuses_all_when_one_tip_does_not_suit_the_officer(client, cast) -> None:
    a, b = make_tip(ward=cast.ward_a), make_tip(ward=cast.ward_b)
    client.force_login(cast.department)
    response = client.post(
        reverse("tips:tip_bulk_assign"),
        {"tips": [a.pk, b.pk], "assignee": cast.ward_a_officer.pk},
        follow=True,
    )
    body = response.content.decode()
    assert "Chưa phân công tin nào" in body and b.code in body
    assert Tip.objects.filter(assignee__isnull=False).count() == 0
    assert AuditEntry.objects.filter(action=AuditAction.ASSIGN).count() == 0


def test_bulk_assignment_without_a_tip_or_an_officer_explains_why(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    body = client.post(reverse("tips:tip_bulk_assign"), {}, follow=True).content.decode()
    assert "Hãy chọn ít nhất một tin báo." in body
    assert "Hãy chọn cán bộ được phân công." in body


def test_a_ward_officer_cannot_bulk_assign_another_wards_tip(client, cast) -> None:
    b = make_tip(ward=cast.ward_b)
    client.force_login(cast.ward_a_officer)
    response = client.post(
        reverse("tips:tip_bulk_assign"),
        {"tips": [b.pk], "assignee": cast.ward_a_officer.pk},
        follow=True,
    )
    assert "không còn trong phạm vi" in response.content.decode()
    assert Tip.objects.get().assignee is None


@pytest.mark.parametrize("role", ["leader", "unit_x_officer", "unit_x_head"])
def test_readers_may_not_bulk_assign(client, cast, role) -> None:
    tip = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    client.force_login(cast.by_name(role))
    response = client.post(
        reverse("tips:tip_bulk_assign"), {"tips": [tip.pk], "assignee": cast.department.pk}
    )
    assert response.status_code == 403
    assert Tip.objects.get().assignee is None


def test_bulk_assignment_does_not_redirect_off_site(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.department)
    response = client.post(
        reverse("tips:tip_bulk_assign"),
        {"tips": [tip.pk], "assignee": cast.department.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == URL


def test_bulk_assignment_is_post_only(client, cast) -> None:
    client.force_login(cast.department)
    assert client.get(reverse("tips:tip_bulk_assign")).status_code == 405


def test_the_number_of_queries_does_not_grow_with_the_rows(client, cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    def add_tips(n: int) -> None:
        for _ in range(n):
            tip = make_tip(ward=cast.ward_a)
            services.tip_message_post(tip=tip, body="Bổ sung")
            services.tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.department)

    client.force_login(cast.ward_a_officer)
    add_tips(2)
    few = queries()
    add_tips(20)
    assert queries() == few


def test_the_inbox_reads_a_fixed_number_of_queries_whatever_the_rows(client, cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.ward_a_officer)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"page": 1}).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    _set(make_tip(ward=cast.ward_a), assignee=cast.ward_a_officer)
    few = queries()
    for _ in range(4):
        _set(
            make_tip(ward=cast.ward_a, anonymous=False, reporter_name="Lê Văn Tám"),
            assignee=cast.ward_a_officer,
            deadline=timezone.localdate(),
        )
    many = queries()
    assert len(many) == len(few)
    # A line of the inbox never reads who sent the tip.
    assert not any("reporter_" in sql or "reply_to" in sql for sql in many)


@pytest.mark.parametrize("page", [1, 2, 3])
def test_an_officer_of_two_wards_pages_through_both_newest_first(
    client, cast, monkeypatch, page
) -> None:
    from antq.core import pagination
    from antq.tips import selectors

    # Pages of 2, and the merge ward by ward only for the first two pages.
    monkeypatch.setattr(selectors, "MERGE_ROWS_MAX", 4)
    cast.ward_a_officer.areas.add(cast.ward_b)
    tips = [make_tip(ward=(cast.ward_a, cast.ward_b)[n % 3 == 0]) for n in range(6)]
    for n, tip in enumerate(tips):
        _set(tip, received_at=timezone.now() - dt.timedelta(hours=n % 4, minutes=n))
    expected = list(
        Tip.objects.filter(pk__in=[t.pk for t in tips])
        .order_by("-received_at", "-id")
        .values_list("code", flat=True)
    )
    real = pagination.paginate
    monkeypatch.setattr(
        "antq.tips.views.paginate", lambda *a, **k: real(*a, **{**k, "per_page": 2})
    )
    client.force_login(cast.ward_a_officer)
    assert _codes(client.get(URL, {"page": page})) == expected[(page - 1) * 2 : page * 2]


@pytest.mark.parametrize("box", ["overdue", "due_soon"])
def test_the_boxes_of_deadlines_list_the_nearest_deadline_first(client, cast, box) -> None:
    today = timezone.localdate()
    sign = -1 if box == "overdue" else 1
    # Received in the opposite order of their deadlines.
    tips = [
        _set(make_tip(ward=cast.ward_a), deadline=today + dt.timedelta(days=sign * (3 - n)))
        for n in range(3)
    ]
    client.force_login(cast.ward_a_officer)
    codes = _codes(client.get(URL, {"box": box}))
    by_deadline = sorted(tips, key=lambda t: t.deadline)
    assert codes == [t.code for t in by_deadline]
