"""The hotline's figures: the ``tip_statistics`` selector, its page and its workbook."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from antq.registry.models import AdministrativeArea
from antq.registry.status import UnitKind
from antq.tips.models import Tip, TipCategory
from antq.tips.statistics import Row, TipStats, tip_statistics
from antq.tips.status import Outcome, TipStatus
from tests.factories import make_tip, make_unit

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=HCM)


def tip_on(received: dt.datetime, **fields: Any) -> Tip:
    """A tip received at ``received``; ``status``, ``outcome``, ``closed_at``, ``deadline``
    are written straight to the row (history, not a workflow under test)."""
    state = {
        k: fields.pop(k) for k in ("status", "outcome", "closed_at", "deadline") if k in fields
    }
    tip = make_tip(**fields)
    Tip.objects.filter(pk=tip.pk).update(received_at=received, **state)
    return Tip.objects.get(pk=tip.pk)


def counts(rows: list[Row]) -> dict[str, int]:
    return {r.label: r.count for r in rows if r.count}


def stats_for(user: Any, period: tuple[dt.date, dt.date] = YEAR) -> TipStats:
    return tip_statistics(user, date_from=period[0], date_to=period[1])


def test_the_totals_count_the_tips_received_in_the_period(cast: Any) -> None:
    tip_on(at(2025, 1, 1, 0, 5), ward=cast.ward_a, urgency="urgent")
    tip_on(at(2025, 12, 31, 23, 55), ward=cast.ward_a)
    tip_on(at(2024, 12, 31, 23, 55), ward=cast.ward_a)  # the day before the period
    tip_on(at(2026, 1, 1, 0, 5), ward=cast.ward_a)  # the day after
    stats = stats_for(cast.department)
    assert (stats.total, stats.open, stats.closed, stats.urgent) == (2, 2, 0, 1)


def test_months_are_the_months_of_ha_noi_not_of_utc(cast: Any) -> None:
    # 31/01 23:30 in Hà Nội is 16:30 UTC, 01/02 00:30 is still 31/01 in UTC.
    tip_on(at(2025, 1, 31, 23, 30), ward=cast.ward_a)
    tip_on(at(2025, 2, 1, 0, 30), ward=cast.ward_a)
    tip_on(at(2025, 2, 20), ward=cast.ward_a)
    stats = stats_for(cast.department, (dt.date(2025, 1, 1), dt.date(2025, 4, 15)))
    assert [(r.key, r.label, r.count) for r in stats.by_month] == [
        ("2025-01", "01/2025", 1),
        ("2025-02", "02/2025", 2),
        ("2025-03", "03/2025", 0),
        ("2025-04", "04/2025", 0),
    ]


def test_the_breakdowns_by_channel_category_and_outcome_list_every_choice(cast: Any) -> None:
    tip_on(at(2025, 3, 1), ward=cast.ward_a, channel="sms", category="ma-tuy")
    tip_on(at(2025, 3, 2), ward=cast.ward_a, channel="phone", category="ma-tuy")
    tip_on(
        at(2025, 3, 3),
        ward=cast.ward_b,
        channel="phone",
        category="lua-dao",
        status=TipStatus.HANDLED,
        outcome=Outcome.SUSPECT_ARRESTED,
        closed_at=at(2025, 3, 10),
    )
    stats = stats_for(cast.department)
    assert counts(stats.by_channel) == {"Tin nhắn SMS": 1, "Điện thoại": 2}
    assert [r.key for r in stats.by_channel] == ["web", "sms", "phone", "api", "open311", "direct"]
    assert counts(stats.by_category) == {"Ma túy": 2, "Lừa đảo, tội phạm công nghệ cao": 1}
    assert len(stats.by_category) == TipCategory.objects.count()
    assert counts(stats.by_outcome) == {"Chưa có kết quả": 2, "Bắt giữ đối tượng": 1}
    assert stats.by_outcome[0].key == "none"
    assert counts(stats.by_status) == {"Mới": 2, "Đã xử lý": 1}


def test_a_retired_category_shows_only_if_it_had_tips(cast: Any) -> None:
    TipCategory.objects.filter(code__in=["chay-no", "ma-tuy"]).update(is_active=False)
    tip_on(at(2025, 3, 1), ward=cast.ward_a, category="khac")
    TipCategory.objects.filter(code="khac").update(is_active=False)
    labels = [r.label for r in stats_for(cast.department).by_category]
    assert "Khác" in labels
    assert "Ma túy" not in labels and "Cháy, nổ" not in labels


def test_wards_show_the_top_ones_then_the_others_then_the_unknown(cast: Any) -> None:
    for _ in range(3):
        tip_on(at(2025, 5, 1), ward=cast.ward_a)
    for _ in range(2):
        tip_on(at(2025, 5, 1), ward=cast.ward_b)
    third = AdministrativeArea.objects.filter(level="ward").exclude(
        pk__in=[cast.ward_a.pk, cast.ward_b.pk]
    )[0]
    tip_on(at(2025, 5, 1), ward=third)
    tip_on(at(2025, 5, 1))
    stats = tip_statistics(cast.department, date_from=YEAR[0], date_to=YEAR[1], ward_limit=1)
    assert [(r.key, r.label, r.count) for r in stats.by_ward] == [
        (str(cast.ward_a.pk), "Phường Hoàn Kiếm", 3),
        ("other", "Các xã, phường khác", 3),
        ("none", "Chưa xác định xã, phường", 1),
    ]


def test_blocks_come_from_the_kind_of_the_unit_the_tip_is_about(cast: Any) -> None:
    school = make_unit(area=cast.ward_a, kind=UnitKind.PRIMARY_SCHOOL)
    company = make_unit(area=cast.ward_a, kind=UnitKind.FOREIGN_ENTERPRISE)
    tip_on(at(2025, 6, 1), unit=cast.unit_x)  # hospital
    tip_on(at(2025, 6, 1), unit=cast.unit_y)  # high school
    tip_on(at(2025, 6, 1), unit=school)
    tip_on(at(2025, 6, 1), unit=company)
    tip_on(at(2025, 6, 1), ward=cast.ward_a)
    stats = stats_for(cast.department)
    assert [(r.key, r.count) for r in stats.by_block] == [
        ("co_quan", 0),
        ("doanh_nghiep", 1),
        ("y_te", 1),
        ("giao_duc", 2),
        ("khac", 0),
        ("none", 1),
    ]
    assert stats.by_block[-1].label == "Không gắn đơn vị"


def test_on_time_compares_the_local_closing_day_with_the_deadline(cast: Any) -> None:
    deadline = dt.date(2025, 4, 21)
    closed = {"status": TipStatus.HANDLED, "deadline": deadline}
    tip_on(at(2025, 4, 1), ward=cast.ward_a, closed_at=at(2025, 4, 21, 23, 50), **closed)
    tip_on(at(2025, 4, 1), ward=cast.ward_a, closed_at=at(2025, 4, 22, 0, 10), **closed)
    tip_on(at(2025, 4, 1), ward=cast.ward_a, closed_at=at(2025, 4, 5), **closed)
    # Closed without a deadline: nothing to be late for, not measured.
    tip_on(
        at(2025, 4, 1),
        ward=cast.ward_a,
        status=TipStatus.SPAM,
        closed_at=at(2025, 4, 2),
        deadline=None,
    )
    stats = stats_for(cast.department)
    assert (stats.closed, stats.closed_with_deadline, stats.closed_on_time) == (4, 3, 2)
    assert stats.on_time_share == pytest.approx(2 / 3)


def test_overdue_counts_open_tips_of_the_period_past_their_deadline_today(cast: Any) -> None:
    today = timezone.localdate()
    now = timezone.localtime()
    period = (today - dt.timedelta(days=60), today)
    tip_on(now - dt.timedelta(days=30), ward=cast.ward_a, deadline=today - dt.timedelta(days=1))
    tip_on(now - dt.timedelta(days=10), ward=cast.ward_a, deadline=today)
    tip_on(
        now - dt.timedelta(days=30),
        ward=cast.ward_a,
        deadline=today - dt.timedelta(days=5),
        status=TipStatus.HANDLED,
        closed_at=now - dt.timedelta(days=1),
    )
    stats = stats_for(cast.department, period)
    assert (stats.overdue_open, stats.on_time_share) == (1, 0.0)


def test_the_figures_are_scoped_to_what_the_user_may_see(cast: Any) -> None:
    tip_on(at(2025, 7, 1), ward=cast.ward_a)
    tip_on(at(2025, 7, 1), ward=cast.ward_b)
    tip_on(at(2025, 7, 1), unit=cast.unit_x, category="bao-luc-hoc-duong")
    tip_on(at(2025, 7, 1), unit=cast.unit_y, category="bao-luc-hoc-duong")
    assert stats_for(cast.leader).total == 4
    assert stats_for(cast.ward_a_officer).total == 2
    assert counts(stats_for(cast.ward_b_officer).by_ward) == {"Phường Cửa Nam": 2}
    unit = stats_for(cast.unit_x_officer)
    assert (unit.total, counts(unit.by_block)) == (1, {"Bệnh viện, cơ sở y tế": 1})


def test_the_figures_take_a_handful_of_queries_however_many_tips(
    cast: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        tip_on(at(2025, 1 + n % 12, 1 + n % 27), ward=cast.ward_a if n % 2 else cast.ward_b)
    with django_assert_max_num_queries(9):
        stats_for(cast.department)


def test_a_period_that_ends_before_it_starts_is_refused(cast: Any) -> None:
    with pytest.raises(ValueError):
        tip_statistics(cast.department, date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 1, 1))


# -- the page ---------------------------------------------------------------------------------

URL = "/tin-bao/thong-ke/"


def test_the_urls_are_the_statistics_page_and_its_export() -> None:
    assert reverse("tipmanage:statistics") == URL
    assert reverse("tipmanage:statistics_export") == "/tin-bao/thong-ke/xuat/"


def test_the_page_shows_the_figures_of_the_year_asked_for(client: Any, cast: Any) -> None:
    tip_on(at(2024, 5, 1), ward=cast.ward_a, channel="phone")
    tip_on(at(2024, 5, 2), ward=cast.ward_a, channel="phone")
    tip_on(at(2025, 5, 1), ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    html = client.get(URL, {"year": "2024"}).content.decode()
    assert "Tin báo tiếp nhận từ ngày 01/01/2024 đến ngày 31/12/2024" in html
    assert re.search(r'data-testid="stat-total">2<', html)
    data = json.loads(re.search(r'id="tip-stats-data"[^>]*>(.*?)</script>', html).group(1))
    channel = next(b for b in data["breakdowns"] if b["key"] == "channel")
    assert dict(zip(channel["labels"], channel["counts"], strict=True))["Điện thoại"] == 2
    assert len(next(b for b in data["breakdowns"] if b["key"] == "month")["labels"]) == 12
    assert '<td>Điện thoại</td><td class="num">2</td><td class="num">100,0%</td>' in html


def test_a_range_of_days_wins_over_the_year(client: Any, cast: Any) -> None:
    tip_on(at(2025, 3, 10), ward=cast.ward_a)
    tip_on(at(2025, 3, 20), ward=cast.ward_a)
    client.force_login(cast.department)
    html = client.get(
        URL, {"year": "2024", "date_from": "2025-03-15", "date_to": "31/03/2025"}
    ).content.decode()
    assert "từ ngày 15/03/2025 đến ngày 31/03/2025" in html
    assert re.search(r'data-testid="stat-total">1<', html)


def test_a_wrong_range_is_explained_and_this_year_is_shown(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    response = client.get(URL, {"date_from": "2025-03-15", "date_to": "2025-03-01"})
    html = response.content.decode()
    year = timezone.localdate().year
    assert response.status_code == 200
    assert "“Từ ngày” phải trước hoặc trùng “Đến ngày”." in html
    assert f"từ ngày 01/01/{year} đến ngày {timezone.localdate():%d/%m/%Y}" in html


def test_a_range_longer_than_five_years_is_refused(client: Any, cast: Any) -> None:
    client.force_login(cast.department)
    html = client.get(URL, {"date_from": "2015-01-01", "date_to": "2025-01-01"}).content.decode()
    assert "Mỗi lần chỉ thống kê được tối đa 60 tháng." in html


def test_chart_js_is_loaded_on_this_page_only_and_without_inline_script(
    client: Any, cast: Any
) -> None:
    client.force_login(cast.department)
    html = client.get(URL).content.decode()
    assert '<script src="/static/vendor/chart-4.6.1.umd.min.js" defer></script>' in html
    assert '<script src="/static/antq/tip-stats.js" defer></script>' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) == []
    assert "chart-4.6.1" not in client.get("/").content.decode()


def test_every_role_sees_the_page_within_its_scope(client: Any, cast: Any) -> None:
    tip_on(at(2025, 7, 1), ward=cast.ward_b)
    client.force_login(cast.unit_x_head)
    response = client.get(URL, {"year": "2025"})
    assert response.status_code == 200
    assert "Không có tin báo nào trong khoảng thời gian này." in response.content.decode()


# -- the workbook -------------------------------------------------------------------------------


def test_the_workbook_has_a_summary_and_one_sheet_per_breakdown(client: Any, cast: Any) -> None:
    tip_on(at(2025, 2, 1), ward=cast.ward_a, channel="phone")
    tip_on(
        at(2025, 2, 3),
        ward=cast.ward_a,
        status=TipStatus.HANDLED,
        deadline=dt.date(2025, 2, 23),
        closed_at=at(2025, 2, 10),
    )
    client.force_login(cast.department)
    response = client.get("/tin-bao/thong-ke/xuat/", {"year": "2025"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="thong-ke-tin-bao-20250101-20251231.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == [
        "Tổng hợp",
        "Tháng",
        "Kênh tiếp nhận",
        "Loại tin báo",
        "Xã, phường",
        "Khối",
        "Kết quả xử lý",
        "Trạng thái",
    ]
    summary = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary["Tổng số tin báo tiếp nhận"] == 2
    assert summary["Tỷ lệ kết thúc đúng hạn (%)"] == 100.0
    assert summary["Từ ngày"] == dt.datetime(2025, 1, 1)
    channels = list(book["Kênh tiếp nhận"].iter_rows(values_only=True))
    assert channels[0] == ("Kênh tiếp nhận", "Số tin báo", "Tỷ lệ (%)")
    assert ("Điện thoại", 1, 50.0) in channels
    assert channels[-1] == ("Cộng", 2, 100.0)
    months = list(book["Tháng"].iter_rows(min_row=2, values_only=True))
    assert months[1] == ("02/2025", 2, 100.0)
    assert len(months) == 13  # twelve months and the total


def test_the_workbook_is_scoped_like_the_page(client: Any, cast: Any) -> None:
    tip_on(at(2025, 2, 1), ward=cast.ward_a)
    tip_on(at(2025, 2, 1), ward=cast.ward_b)
    client.force_login(cast.ward_b_officer)
    response = client.get("/tin-bao/thong-ke/xuat/", {"year": "2025"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    wards = list(book["Xã, phường"].iter_rows(min_row=2, values_only=True))
    assert wards == [("Phường Cửa Nam", 1, 100.0), ("Cộng", 1, 100.0)]
