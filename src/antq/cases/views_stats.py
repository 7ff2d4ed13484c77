"""The overdue board and the statistics of cases, for everyone signed in, within his scope.

A ward officer sees his wards, a unit's officer and head their unit, the city roles the
whole city (``scoping``); nothing here changes anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from antq.accounts import permissions, scoping
from antq.cases import selectors, services
from antq.cases.models import CaseDeadline
from antq.cases.statistics import (
    XLSX_CONTENT_TYPE,
    case_statistics,
    percent,
    statistics_filename,
    statistics_xlsx_bytes,
)
from antq.cases.status import CaseKind, Stage
from antq.core.dates import day_text
from antq.core.pagination import paginate
from antq.registry.status import AreaLevel
from antq.tips.forms_manage import StatisticsForm

# The board counts its rows up to this (the totals by ward beside it are exact).
COUNT_CAP = 1000
PER_PAGE = 50


class OverdueFilterForm(forms.Form):
    """The board's filters; a value that is not a choice is ignored, not an error page."""

    stage = forms.ChoiceField(label=gettext_lazy("Giai đoạn"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Loại vụ việc"), required=False)
    ward = forms.TypedChoiceField(
        label=gettext_lazy("Xã, phường"), required=False, coerce=int, empty_value=None
    )
    block = forms.ChoiceField(label=gettext_lazy("Khối"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("Tất cả"))]
        self._set_choices("stage", [*everything, *Stage.choices])
        self._set_choices("kind", [*everything, *CaseKind.choices])
        self._set_choices("block", [*everything, *selectors.block_choices()])
        wards = (
            scoping.areas_for(user)
            .filter(level=AreaLevel.WARD)
            .order_by("name")
            .values_list("pk", "name")
        )
        self._set_choices("ward", [*everything, *wards])

    def _set_choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def filters(self) -> dict[str, Any]:
        """The valid filters (by the selector's names); invalid ones are left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        found = {
            "stage": data.get("stage") or None,
            "kind": data.get("kind") or None,
            "ward_id": data.get("ward") or None,
            "block": data.get("block") or None,
        }
        return {k: v for k, v in found.items() if v is not None}


@dataclass(frozen=True)
class BoardRow:
    code: str
    url: str
    subject: str
    kind: str
    stage: str
    status: str
    status_code: str
    ward: str
    unit: str
    due: str
    days_late: int
    handler: str


def _row(deadline: CaseDeadline, today: dt.date) -> BoardRow:
    case = deadline.case
    handler = case.handler
    assert deadline.due_on is not None  # the board's rows all have a day
    return BoardRow(
        code=case.code,
        url=reverse("cases:case_detail", kwargs={"pk": case.pk}),
        subject=case.subject,
        kind=case.get_kind_display(),
        stage=selectors.stage_label(deadline.stage),
        status=case.get_status_display(),
        status_code=case.status,
        ward=case.ward.name,
        unit=case.unit.name if case.unit else "",
        due=day_text(deadline.due_on),
        days_late=(today - deadline.due_on).days,
        handler=(handler.get_full_name() or handler.username) if handler else "",
    )


def _board_day(request: HttpRequest) -> tuple[dt.date, bool]:
    """Today, or the day ``?ngay=`` asks for when the user manages the deadline rules (to
    see what will be overdue then); whether it is a preview."""
    raw = request.GET.get("ngay", "")
    if raw and permissions.can_manage_case_rules(request.user):
        try:
            return dt.date.fromisoformat(raw), True
        except ValueError:
            pass
    return services.today(), False


def _with(request: HttpRequest, **changes: Any) -> str:
    """This page's URL with the filters changed (and back to the first page)."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value:
            query[name] = value
    encoded = query.urlencode()
    return reverse("cases:overdue_board") + (f"?{encoded}" if encoded else "")


@require_GET
def overdue_board(request: HttpRequest) -> HttpResponse:
    form = OverdueFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    today, preview = _board_day(request)
    deadlines = selectors.overdue_for(request.user, today=today, **filters)
    page = paginate(request, deadlines, PER_PAGE, by_id=True, count_cap=COUNT_CAP)
    summary = selectors.overdue_summary(deadlines)
    active_ward = str(filters.get("ward_id", ""))
    wards = [
        {
            "label": t.label,
            "count": t.count,
            "url": _with(request, ward="" if t.key == active_ward else t.key),
            "active": t.key == active_ward,
        }
        for t in summary.by_ward
    ]
    return render(
        request,
        "cases/overdue.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(d, today) for d in page.items],
            "summary": summary,
            "wards": wards,
            "today": today,
            "preview": preview,
            "ngay": request.GET.get("ngay", "") if preview else "",
            "filtered": bool(filters),
        },
    )


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.GET or None)
    start, end = form.period()
    stats = case_statistics(
        scoping.cases_for(request.user), start=start, end=end, today=services.today()
    )
    tables = [(b, [(r, percent(r.count, stats.total)) for r in b.rows]) for b in stats.breakdowns()]
    return render(
        request,
        "cases/statistics.html",
        {
            "form": form,
            "stats": stats,
            "tables": tables,
            "data": stats.chart_data(),
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.GET or None)
    start, end = form.period()
    with translation.override("vi"):  # labels of the rows, as the workbook's headers
        stats = case_statistics(
            scoping.cases_for(request.user), start=start, end=end, today=services.today()
        )
        content = statistics_xlsx_bytes(stats)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{statistics_filename(stats)}"'
    return response
