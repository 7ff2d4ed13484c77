"""The cases' reference pages: the deadline rules, the calendar of days off and swapped
working days, and the button that runs the deadline scan.

Every logged-in user may read the rules and the calendar (an officer checks which article
gives a deadline, or whether a day counts); only ``permissions.can_manage_case_rules`` (the
administrator and the department) change them or run the scan, others get a 403.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import holidays
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antq.accounts import permissions
from antq.cases import services_settings
from antq.cases.calendar import WorkCalendar
from antq.cases.forms_settings import CalendarDayForm, DeadlineRuleForm, ScanForm
from antq.cases.models import CalendarDay, DeadlineRule
from antq.cases.reminders import OVERDUE, deadline_scan
from antq.cases.services import work_calendar
from antq.cases.status import CaseKind, Stage
from antq.core.dates import day_text
from antq.core.forms import add_service_errors

# The calendar page shows the years the holidays package computes reliably.
FIRST_YEAR = 2000
YEARS_AHEAD = 5


def _require_manager(request: HttpRequest) -> None:
    if not permissions.can_manage_case_rules(request.user):
        raise PermissionDenied(
            _(
                "Chỉ quản trị hệ thống và cán bộ phòng Xây dựng phong trào được sửa quy định "
                "thời hạn, lịch ngày nghỉ và chạy quét thời hạn."
            )
        )


def _rule(rule_id: int) -> DeadlineRule:
    try:
        return DeadlineRule.objects.get(pk=rule_id)
    except DeadlineRule.DoesNotExist as exc:
        raise Http404 from exc


# -- deadline rules -----------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    rule: DeadlineRule
    status: str  # "current", "future" or "past"


@dataclass(frozen=True)
class StageGroup:
    label: str
    rows: list[RuleRow]


@dataclass(frozen=True)
class KindGroup:
    label: str
    stages: list[StageGroup]


def _rule_groups(today: dt.date) -> list[KindGroup]:
    """Every rule, by kind and stage in the order of the law, newest version first, each
    marked in force today, not yet in force, or replaced."""
    kinds, stages = list(CaseKind.values), list(Stage.values)
    rules = sorted(
        DeadlineRule.objects.all(),
        key=lambda r: (
            kinds.index(r.kind) if r.kind in kinds else len(kinds),
            stages.index(r.stage) if r.stage in stages else len(stages),
            r.private_enterprise,
            -r.effective_from.toordinal(),
        ),
    )
    current: set[tuple[str, str, bool]] = set()
    groups: list[KindGroup] = []
    for rule in rules:
        key = (rule.kind, rule.stage, rule.private_enterprise)
        if rule.effective_from > today:
            status = "future"
        elif key in current:
            status = "past"
        else:
            current.add(key)
            status = "current"
        kind_label = CaseKind(rule.kind).label if rule.kind in kinds else rule.kind
        if not groups or groups[-1].label != kind_label:
            groups.append(KindGroup(str(kind_label), []))
        stage_label = str(Stage(rule.stage).label if rule.stage in stages else rule.stage)
        stage_groups = groups[-1].stages
        if not stage_groups or stage_groups[-1].label != stage_label:
            stage_groups.append(StageGroup(stage_label, []))
        stage_groups[-1].rows.append(RuleRow(rule, status))
    return groups


@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    """The rules, read-only for everyone; edit links and the scan form for the managers."""
    today = timezone.localdate()
    can_manage = permissions.can_manage_case_rules(request.user)
    return render(
        request,
        "cases/rule_list.html",
        {
            "groups": _rule_groups(today),
            "today": today,
            "can_manage": can_manage,
            "scan_form": ScanForm() if can_manage else None,
        },
    )


@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    """A new rule; ``?from=<id>`` copies an existing one (a new law's version of a stage
    differs by its effective date and a few figures)."""
    _require_manager(request)
    source = None
    initial: dict[str, Any] = {}
    if request.GET.get("from"):
        try:
            source = _rule(int(request.GET["from"]))
        except ValueError as exc:
            raise Http404 from exc
        initial = {
            name: getattr(source, name)
            for name in services_settings.RULE_FIELDS
            if name not in ("effective_from", "note")
        }
    form = DeadlineRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services_settings.case_rule_create(actor=request.user, data=form.data_dict())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã thêm quy định thời hạn, có hiệu lực từ ngày %(date)s.")
                % {"date": day_text(rule.effective_from)},
            )
            return redirect("cases:rule_list")
    return render(request, "cases/rule_form.html", {"form": form, "rule": None, "source": source})


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    _require_manager(request)
    rule = _rule(rule_id)
    usage = services_settings.rule_usage(rule)
    form = DeadlineRuleForm(request.POST or None, instance=rule, locked=usage > 0)
    if request.method == "POST" and form.is_valid():
        try:
            _rule_saved, refreshed = services_settings.case_rule_update(
                actor=request.user, rule=rule, data=form.data_dict()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            message = _("Đã lưu quy định thời hạn.")
            if refreshed:
                message += " " + _("Đã tính lại thời hạn của %(n)s vụ việc.") % {"n": refreshed}
            messages.success(request, message)
            return redirect("cases:rule_list")
    return render(request, "cases/rule_form.html", {"form": form, "rule": rule, "usage": usage})


@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    _require_manager(request)
    rule = _rule(rule_id)
    label = str(rule)
    try:
        services_settings.case_rule_delete(actor=request.user, rule=rule)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:rule_edit", rule_id=rule.pk)
    messages.success(request, _("Đã xoá quy định thời hạn “%(rule)s”.") % {"rule": label})
    return redirect("cases:rule_list")


# -- calendar -----------------------------------------------------------------------------

# The holidays package's Vietnamese names, in the wording of Bộ luật Lao động 2019 Điều 112.
HOLIDAY_NAMES: dict[str, Promise] = {
    "Tết Dương lịch": gettext_lazy("Tết Dương lịch"),
    "29 Tết": gettext_lazy("29 Tết Nguyên đán"),
    "Giao thừa Tết Nguyên Đán": gettext_lazy("Giao thừa Tết Nguyên đán"),
    "Tết Nguyên Đán": gettext_lazy("Tết Nguyên đán (mùng 1)"),
    "Mùng hai Tết Nguyên Đán": gettext_lazy("Mùng 2 Tết Nguyên đán"),
    "Mùng ba Tết Nguyên Đán": gettext_lazy("Mùng 3 Tết Nguyên đán"),
    "Mùng bốn Tết Nguyên Đán": gettext_lazy("Mùng 4 Tết Nguyên đán"),
    "Mùng năm Tết Nguyên Đán": gettext_lazy("Mùng 5 Tết Nguyên đán"),
    "Mùng sáu Tết Nguyên Đán": gettext_lazy("Mùng 6 Tết Nguyên đán"),
    "Ngày Giỗ Tổ Hùng Vương": gettext_lazy("Giỗ Tổ Hùng Vương"),
    "Ngày Chiến thắng": gettext_lazy("Ngày Giải phóng miền Nam, thống nhất đất nước"),
    "Ngày Quốc tế Lao động": gettext_lazy("Ngày Quốc tế Lao động"),
    "Quốc khánh": gettext_lazy("Quốc khánh"),
    "Ngày Văn hóa Việt Nam": gettext_lazy("Ngày Văn hóa Việt Nam"),
}
SUBSTITUTED_RE = re.compile(r"^Ngày nghỉ \(thay cho ngày (\d\d/\d\d/\d{4})\)$")
TAGGED_RE = re.compile(r"^(?P<name>.+?) \((?P<tag>nghỉ bù|dự kiến|nghỉ bù, dự kiến)\)$")


def holiday_label(name: str) -> str:
    """A name the holidays package gives (in Vietnamese) as ANTQ writes it, translated."""
    substituted = SUBSTITUTED_RE.match(name)
    if substituted:
        return _("Ngày nghỉ bù (đi làm bù ngày %(date)s)") % {"date": substituted.group(1)}
    tagged = TAGGED_RE.match(name)
    if tagged:
        base = holiday_label(tagged.group("name"))
        if "dự kiến" in tagged.group("tag"):
            base = _("%(name)s (dự kiến)") % {"name": base}
        if "nghỉ bù" in tagged.group("tag"):
            base = _("%(name)s (nghỉ bù)") % {"name": base}
        return base
    label = HOLIDAY_NAMES.get(name)
    return str(label) if label is not None else name


@dataclass(frozen=True)
class OfficialDay:
    day: dt.date
    label: str
    working: bool  # a weekend day worked in exchange for a day off
    override: CalendarDay | None


def official_days(year: int, overrides: dict[dt.date, CalendarDay]) -> list[OfficialDay]:
    """The days off and the weekend days worked of ``year`` according to the holidays
    package, the source ``calendar.WorkCalendar`` counts with."""
    vn = holidays.country_holidays("VN", years=year, language="vi")
    days: list[OfficialDay] = [
        OfficialDay(day, holiday_label(name), False, overrides.get(day))
        for day, name in vn.items()
        if day.year == year
    ]
    # Which day off each worked weekend day pays for (the package names it by that date).
    paid_for = {
        m.group(1): day for day, name in vn.items() if (m := SUBSTITUTED_RE.match(name)) is not None
    }
    for day in getattr(vn, "weekend_workdays", ()):
        if day.year != year:
            continue
        off = paid_for.get(day_text(day))
        label = (
            _("Ngày làm bù (cho ngày nghỉ %(date)s)") % {"date": day_text(off)}
            if off
            else _("Ngày làm bù")
        )
        days.append(OfficialDay(day, label, True, overrides.get(day)))
    return sorted(days, key=lambda d: d.day)


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year + YEARS_AHEAD else this_year


def _calendar_url(year: int) -> str:
    return f"{reverse('cases:calendar_days')}?year={year}"


@require_http_methods(["GET", "POST"])
def calendar_days(request: HttpRequest) -> HttpResponse:
    """The official holidays of a year and the department's overrides; managers add an
    override here (POST) and delete one with ``calendar_day_delete``."""
    year = _year(request)
    can_manage = permissions.can_manage_case_rules(request.user)
    if request.method == "POST":
        _require_manager(request)
    form = CalendarDayForm(request.POST or None) if can_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry, refreshed = services_settings.calendar_day_create(
                actor=request.user, day=data["day"], kind=data["kind"], note=data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            message = _("Đã thêm điều chỉnh ngày %(date)s.") % {"date": day_text(entry.day)}
            if refreshed:
                message += " " + _("Đã tính lại thời hạn của %(n)s vụ việc.") % {"n": refreshed}
            messages.success(request, message)
            return redirect(_calendar_url(entry.day.year))
    overrides = {c.day: c for c in CalendarDay.objects.filter(day__year=year).order_by("day")}
    calendar, package = work_calendar(), WorkCalendar()
    this_year = timezone.localdate().year
    return render(
        request,
        "cases/calendar.html",
        {
            "year": year,
            "years": range(this_year + YEARS_AHEAD, FIRST_YEAR - 1, -1),
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < this_year + YEARS_AHEAD else None,
            "official": official_days(year, overrides),
            "overrides": [
                (c, package.is_working_day(c.day), calendar.is_working_day(c.day))
                for c in overrides.values()
            ],
            "form": form,
            "can_manage": can_manage,
        },
    )


@require_POST
def calendar_day_delete(request: HttpRequest, day_id: int) -> HttpResponse:
    _require_manager(request)
    try:
        entry = CalendarDay.objects.get(pk=day_id)
    except CalendarDay.DoesNotExist as exc:
        raise Http404 from exc
    day = entry.day
    refreshed = services_settings.calendar_day_delete(actor=request.user, entry=entry)
    message = _("Đã xoá điều chỉnh ngày %(date)s.") % {"date": day_text(day)}
    if refreshed:
        message += " " + _("Đã tính lại thời hạn của %(n)s vụ việc.") % {"n": refreshed}
    messages.success(request, message)
    return redirect(_calendar_url(day.year))


# -- deadline scan ------------------------------------------------------------------------


@require_POST
def scan_run(request: HttpRequest) -> HttpResponse:
    """Run the deadline scan now, for today or a later day (to show what a date brings);
    what was already sent is not sent again."""
    _require_manager(request)
    form = ScanForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("cases:rule_list")
    result = deadline_scan(day=form.cleaned_data["day"])
    overdue = result.alerts.get(OVERDUE, 0)
    messages.success(
        request,
        _(
            "Đã gửi %(reminders)s nhắc hạn, %(overdue)s cảnh báo quá hạn (%(n)s thông báo "
            "tới cán bộ) khi quét thời hạn ngày %(date)s."
        )
        % {
            "date": day_text(result.day),
            "reminders": result.total - overdue,
            "overdue": overdue,
            "n": result.notifications,
        },
    )
    return redirect("cases:rule_list")
