"""The overdue board across the city and the figures of cases (``case_statistics``, its page
and its workbook), each within the user's scope."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from antq.accounts import scoping
from antq.cases import selectors, services
from antq.cases.models import Case, CaseDeadline
from antq.cases.statistics import CaseStats, DaysBetween, Row, case_statistics
from antq.cases.status import CaseKind, CaseStatus, Stage
from antq.registry.models import AdministrativeArea, Unit

BOARD = reverse("cases:overdue_board")
STATS = reverse("cases:statistics")
XLSX = reverse("cases:statistics_xlsx")
YEAR_2026 = {"date_from": "01/01/2026", "date_to": "31/12/2026"}


def register(
    actor: Any,
    *,
    received_on: dt.date,
    ward: AdministrativeArea | None = None,
    unit: Unit | None = None,
    kind: str = CaseKind.COMPLAINT_FIRST,
    subject: str = "Khiếu nại quyết định xử phạt",
) -> Case:
    return services.case_register(
        actor=actor,
        kind=kind,
        subject=subject,
        content="Nội dung đơn khiếu nại.",
        channel="direct",
        received_on=received_on,
        ward_id=ward.pk if ward is not None else None,
        unit=unit,
        filer_name="Nguyễn Văn An",
    )


def accept(case: Case, actor: Any, on: dt.date) -> Case:
    case = services.case_transition(case=case, to=CaseStatus.INITIAL, actor=actor, on=on)
    case = services.case_transition(case=case, to=CaseStatus.ACCEPTED, actor=actor, on=on)
    return services.case_transition(case=case, to=CaseStatus.VERIFYING, actor=actor, on=on)


def conclude(case: Case, actor: Any, *, accepted: dt.date, concluded: dt.date) -> Case:
    case = accept(case, actor, accepted)
    return services.case_transition(
        case=case,
        to=CaseStatus.CONCLUDED,
        actor=actor,
        on=concluded,
        conclusion="Khiếu nại đúng một phần.",
    )


def codes(response: Any) -> set[str]:
    return {row.code for row in response.context["rows"]}


def nonzero(rows: list[Row]) -> dict[str, int]:
    return {r.key: r.count for r in rows if r.count}


# -- the board -----------------------------------------------------------------------------


@pytest.fixture
def board(cast: Any) -> dict[str, Case]:
    """Overdue: a complaint about unit X (ward A), a petition in ward A without a unit, a
    complaint about unit Y (ward B). Not overdue: one received today, one closed."""
    old = dt.date(2026, 6, 1)
    cases = {
        "x": register(cast.department, received_on=old, unit=cast.unit_x),
        "a": register(cast.department, received_on=old, ward=cast.ward_a, kind=CaseKind.PETITION),
        "y": register(cast.department, received_on=old, unit=cast.unit_y),
        "fresh": register(cast.department, received_on=services.today(), unit=cast.unit_x),
        "withdrawn": register(cast.department, received_on=old, unit=cast.unit_x),
    }
    services.case_transition(
        case=cases["withdrawn"],
        to=CaseStatus.WITHDRAWN,
        actor=cast.department,
        reason="Người khiếu nại rút đơn",
        on=dt.date(2026, 6, 3),
    )
    return {name: Case.objects.get(pk=case.pk) for name, case in cases.items()}


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("department", {"x", "a", "y"}),
        ("leader", {"x", "a", "y"}),
        ("ward_a_officer", {"x", "a"}),
        ("ward_b_officer", {"y"}),
        ("unit_x_officer", {"x"}),
        ("unit_x_head", {"x"}),
        ("unit_y_officer", {"y"}),
    ],
)
def test_the_board_shows_the_overdue_cases_of_the_users_scope_only(
    client: Client, cast: Any, board: dict[str, Case], user: str, visible: set[str]
) -> None:
    client.force_login(cast.by_name(user))
    response = client.get(BOARD)
    assert response.status_code == 200
    assert codes(response) == {board[name].code for name in visible}
    html = response.content.decode()
    for name in {"x", "a", "y"} - visible:
        assert board[name].code not in html


def test_a_row_says_how_late_the_stage_is_and_links_to_the_case(
    client: Client, cast: Any, board: dict[str, Case]
) -> None:
    client.force_login(cast.ward_b_officer)
    response = client.get(BOARD)
    [row] = response.context["rows"]
    deadline = CaseDeadline.objects.get(case=board["y"], stage=Stage.ACCEPTANCE)
    assert deadline.due_on is not None
    assert row.days_late == (services.today() - deadline.due_on).days > 0
    assert row.stage == str(Stage.ACCEPTANCE.label)
    assert row.url == reverse("cases:case_detail", kwargs={"pk": board["y"].pk})
    assert f'href="{row.url}"' in response.content.decode()


def test_the_totals_by_ward_count_the_overdue_deadlines(
    client: Client, cast: Any, board: dict[str, Case]
) -> None:
    client.force_login(cast.department)
    summary = client.get(BOARD).context["summary"]
    assert [(t.label, t.count) for t in summary.by_ward] == [
        (cast.ward_a.name, 2),
        (cast.ward_b.name, 1),
    ]
    assert [(t.key, t.count) for t in summary.by_stage] == [(Stage.ACCEPTANCE, 3)]
    assert summary.total == 3


@pytest.mark.parametrize(
    ("query", "visible"),
    [
        ({"kind": CaseKind.PETITION}, {"a"}),
        ({"kind": CaseKind.COMPLAINT_FIRST}, {"x", "y"}),
        ({"ward": "B"}, {"y"}),
        ({"block": "y_te"}, {"x"}),
        ({"block": "giao_duc"}, {"y"}),
        ({"block": selectors.NO_UNIT}, {"a"}),
        ({"stage": Stage.RESOLUTION}, set()),
        ({"stage": Stage.ACCEPTANCE, "block": "y_te"}, {"x"}),
    ],
)
def test_the_board_filters(
    client: Client,
    cast: Any,
    board: dict[str, Case],
    query: dict[str, str],
    visible: set[str],
) -> None:
    if query.get("ward") == "B":
        query = {**query, "ward": str(cast.ward_b.pk)}
    client.force_login(cast.department)
    response = client.get(BOARD, query)
    assert codes(response) == {board[name].code for name in visible}


def test_a_ward_outside_the_scope_is_ignored_not_shown(
    client: Client, cast: Any, board: dict[str, Case]
) -> None:
    client.force_login(cast.ward_a_officer)
    response = client.get(BOARD, {"ward": str(cast.ward_b.pk)})
    # Not a choice for him: the filter is dropped and he still sees only his own ward.
    assert codes(response) == {board["x"].code, board["a"].code}


def test_the_board_says_so_when_nothing_is_overdue(client: Client, cast: Any) -> None:
    register(cast.department, received_on=services.today(), unit=cast.unit_x)
    client.force_login(cast.department)
    response = client.get(BOARD)
    assert response.context["rows"] == []
    assert "Không có vụ việc quá hạn." in response.content.decode()


def test_the_department_may_preview_a_later_day(
    client: Client, cast: Any, board: dict[str, Case]
) -> None:
    later = (services.today() + dt.timedelta(days=60)).isoformat()
    client.force_login(cast.department)
    response = client.get(BOARD, {"ngay": later})
    assert response.context["preview"] is True
    assert board["fresh"].code in codes(response)


def test_a_ward_officer_cannot_move_the_day(
    client: Client, cast: Any, board: dict[str, Case]
) -> None:
    later = (services.today() + dt.timedelta(days=60)).isoformat()
    client.force_login(cast.ward_a_officer)
    response = client.get(BOARD, {"ngay": later})
    assert response.context["preview"] is False
    assert codes(response) == {board["x"].code, board["a"].code}


def test_the_board_reads_the_deadlines_without_joining_the_cases(cast: Any) -> None:
    # The page's ids come from the deadline table and its indexes alone (ward copy, due day).
    ids = selectors.overdue_for(cast.ward_a_officer, today=services.today()).values("pk")
    sql = str(ids.query)
    assert "JOIN" not in sql.upper()
    assert "ward_id_copy" in sql
    ids = selectors.overdue_for(cast.unit_x_officer, today=services.today()).values("pk")
    assert "unit_id_copy" in str(ids.query)


def test_overdue_deadlines_limits_to_the_given_cases(cast: Any, board: dict[str, Case]) -> None:
    cases = scoping.cases_for(cast.ward_b_officer)
    rows = selectors.overdue_deadlines(cases, today=services.today())
    assert [d.case_id for d in rows] == [board["y"].pk]
    summary = selectors.overdue_summary(rows)
    assert [(t.label, t.count) for t in summary.by_ward] == [(cast.ward_b.name, 1)]


def test_the_board_pages_with_the_filters_kept(
    client: Client, cast: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from antq.cases import views_stats

    monkeypatch.setattr(views_stats, "PER_PAGE", 2)
    for day in (1, 2, 3):
        register(cast.department, received_on=dt.date(2026, 5, day), unit=cast.unit_x)
    client.force_login(cast.department)
    first = client.get(BOARD, {"block": "y_te"})
    page = first.context["page"]
    assert (len(first.context["rows"]), page.has_next, page.total) == (2, True, 3)
    second = client.get(BOARD + page.next_url)
    assert len(second.context["rows"]) == 1
    assert second.context["page"].query == {"block": "y_te"}


# -- statistics ----------------------------------------------------------------------------


@pytest.fixture
def figures(cast: Any) -> dict[str, Case]:
    """2026: A (unit X, ward A) resolved on its due day 03/04; B (ward A, no unit) resolved
    a week late; C (petition, unit Y, ward B) still waiting to be accepted, overdue.
    D (ward B) was received in 2025 and resolved in January 2026, on time."""
    actor = cast.department
    a = register(actor, received_on=dt.date(2026, 3, 2), unit=cast.unit_x)
    a = conclude(a, actor, accepted=dt.date(2026, 3, 4), concluded=dt.date(2026, 4, 3))
    b = register(actor, received_on=dt.date(2026, 3, 2), ward=cast.ward_a)
    b = conclude(b, actor, accepted=dt.date(2026, 3, 4), concluded=dt.date(2026, 4, 10))
    c = register(actor, received_on=dt.date(2026, 4, 1), unit=cast.unit_y, kind=CaseKind.PETITION)
    d = register(actor, received_on=dt.date(2025, 12, 15), ward=cast.ward_b)
    d = conclude(d, actor, accepted=dt.date(2025, 12, 17), concluded=dt.date(2026, 1, 10))
    return {"a": a, "b": b, "c": c, "d": d}


def stats_for(user: Any) -> CaseStats:
    return case_statistics(
        scoping.cases_for(user),
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        today=services.today(),
    )


def test_the_resolution_deadlines_of_the_hand_made_set_are_as_the_law_says(
    figures: dict[str, Case],
) -> None:
    # 30 calendar days from the day after acceptance (Luật Khiếu nại Điều 28).
    due = {
        name: CaseDeadline.objects.get(case=figures[name], stage=Stage.RESOLUTION).due_on
        for name in ("a", "b", "d")
    }
    assert due == {
        "a": dt.date(2026, 4, 3),
        "b": dt.date(2026, 4, 3),
        "d": dt.date(2026, 1, 16),
    }


def test_the_city_figures(cast: Any, figures: dict[str, Case]) -> None:
    stats = stats_for(cast.department)
    assert (stats.total, stats.open, stats.closed) == (3, 3, 0)
    # A (on time, 32 days), B (7 days late, 39 days), D (on time, 26 days).
    assert (stats.resolved, stats.resolved_with_deadline, stats.resolved_on_time) == (3, 3, 2)
    assert stats.on_time_percent == 66.7
    assert stats.average_days == 32.3
    assert stats.overdue_now == 1
    assert nonzero(stats.by_kind) == {CaseKind.COMPLAINT_FIRST: 2, CaseKind.PETITION: 1}
    assert nonzero(stats.by_status) == {CaseStatus.CONCLUDED: 2, CaseStatus.RECEIVED: 1}
    assert nonzero(stats.by_block) == {"y_te": 1, "giao_duc": 1, selectors.NO_UNIT: 1}
    assert [(r.label, r.count) for r in stats.by_ward] == [
        (cast.ward_a.name, 2),
        (cast.ward_b.name, 1),
    ]
    assert [(r.label, r.count) for r in stats.by_unit] == [
        (cast.unit_x.name, 1),
        (cast.unit_y.name, 1),
        (selectors.no_unit_label(), 1),
    ]
    assert nonzero(stats.by_month) == {"2026-03": 2, "2026-04": 1}
    assert len(stats.by_month) == 12


def test_a_ward_officer_gets_the_figures_of_his_ward_only(
    cast: Any, figures: dict[str, Case]
) -> None:
    stats = stats_for(cast.ward_a_officer)
    assert (stats.total, stats.resolved, stats.resolved_on_time) == (2, 2, 1)
    assert stats.on_time_percent == 50.0
    assert stats.average_days == 35.5
    assert stats.overdue_now == 0
    assert [r.label for r in stats.by_ward] == [cast.ward_a.name]


def test_nothing_resolved_means_no_rate_and_no_average(cast: Any) -> None:
    register(cast.department, received_on=dt.date(2026, 3, 2), ward=cast.ward_a)
    stats = stats_for(cast.department)
    assert (stats.total, stats.resolved, stats.on_time_percent, stats.average_days) == (
        1,
        0,
        None,
        None,
    )


def test_days_between_counts_calendar_days_in_the_database(
    cast: Any, figures: dict[str, Case]
) -> None:
    days = dict(
        Case.objects.filter(concluded_on__isnull=False)
        .annotate(days=DaysBetween("received_on", "concluded_on"))
        .values_list("pk", "days")
    )
    assert days == {figures["a"].pk: 32, figures["b"].pk: 39, figures["d"].pk: 26}


def test_the_statistics_page_shows_the_figures(
    client: Client, cast: Any, figures: dict[str, Case]
) -> None:
    client.force_login(cast.department)
    response = client.get(STATS, YEAR_2026)
    assert response.status_code == 200
    assert response.context["stats"].total == 3
    html = response.content.decode()
    assert "66,7%" in html or "66.7%" in html
    assert 'id="tip-stats-data"' in html
    assert "<script>" not in html  # no inline script under the CSP


def test_the_statistics_page_of_a_unit_officer_is_his_units(
    client: Client, cast: Any, figures: dict[str, Case]
) -> None:
    client.force_login(cast.unit_y_officer)
    response = client.get(STATS, YEAR_2026)
    stats = response.context["stats"]
    assert (stats.total, stats.resolved, stats.overdue_now) == (1, 0, 1)
    assert cast.ward_a.name not in response.content.decode()


def workbook_of(response: Any) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_workbook_holds_the_figures(
    client: Client, cast: Any, figures: dict[str, Case]
) -> None:
    client.force_login(cast.department)
    response = client.get(XLSX, {"year": "2026"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="thong-ke-khieu-nai-to-cao-2026.xlsx"'
    )
    sheets = workbook_of(response)
    assert list(sheets) == [
        "Tổng hợp",
        "Tháng",
        "Loại vụ việc",
        "Giai đoạn",
        "Khối",
        "Xã, phường",
        "Đơn vị",
    ]
    summary = {row[0]: row[1] for row in sheets["Tổng hợp"][1:]}
    assert summary["Số vụ việc nhận đơn trong kỳ"] == 3
    assert summary["Đã kết luận, quyết định giải quyết trong kỳ"] == 3
    assert summary["Giải quyết đúng hạn"] == 2
    assert summary["Tỷ lệ giải quyết đúng hạn (%)"] == 66.7
    assert summary["Số ngày giải quyết trung bình (từ ngày nhận đơn)"] == 32.3
    assert sheets["Xã, phường"][0] == ("Xã, phường", "Số vụ việc", "Tỷ lệ (%)")
    assert sheets["Xã, phường"][1:] == [
        (cast.ward_a.name, 2, 66.7),
        (cast.ward_b.name, 1, 33.3),
        ("Cộng", 3, 100.0),
    ]


def test_the_workbook_of_a_ward_officer_holds_no_other_wards_numbers(
    client: Client, cast: Any, figures: dict[str, Case]
) -> None:
    client.force_login(cast.ward_a_officer)
    sheets = workbook_of(client.get(XLSX, YEAR_2026))
    summary = {row[0]: row[1] for row in sheets["Tổng hợp"][1:]}
    assert summary["Số vụ việc nhận đơn trong kỳ"] == 2
    cells = {value for rows in sheets.values() for row in rows for value in row}
    assert cast.ward_b.name not in cells
    assert cast.unit_y.name not in cells
    assert sheets["Xã, phường"][1:] == [(cast.ward_a.name, 2, 100.0), ("Cộng", 2, 100.0)]


def test_a_period_that_is_not_a_year_names_its_days(
    client: Client, cast: Any, figures: dict[str, Case]
) -> None:
    client.force_login(cast.department)
    response = client.get(XLSX, {"date_from": "01/03/2026", "date_to": "30/04/2026"})
    assert response["Content-Disposition"] == (
        'attachment; filename="thong-ke-khieu-nai-to-cao-20260301-20260430.xlsx"'
    )
