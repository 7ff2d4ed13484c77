"""The case register and the case file: list, register, page, correct, move, files,
unseal the denunciator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antq.accounts import permissions, scoping
from antq.cases import services
from antq.cases.deadlines import add_working_days
from antq.cases.forms import (
    CaseEditForm,
    CaseFilterForm,
    CaseForm,
    FilesForm,
    TransitionForm,
    UnsealForm,
    unit_choices,
)
from antq.cases.models import Case, CaseAttachment
from antq.cases.status import FINAL_STATUSES, OPEN_STATUSES, CaseStatus, Stage
from antq.core.forms import add_service_errors
from antq.core.http import private, private_file
from antq.core.pagination import paginate


def _case(request: HttpRequest, pk: int) -> Case:
    """A case the user may see, or 404."""
    return get_object_or_404(
        scoping.cases_for(request.user).select_related("unit", "ward", "handler"), pk=pk
    )


def _handled(request: HttpRequest, pk: int) -> Case:
    case = _case(request, pk)
    if not permissions.can_handle_case(request.user, case):
        raise PermissionDenied(_("Bạn chỉ được xem vụ việc này, không được xử lý."))
    return case


def _filtered(request: HttpRequest, form: CaseFilterForm) -> QuerySet[Case]:
    qs = scoping.cases_for(request.user)
    if not form.is_valid():
        return qs
    data = form.cleaned_data
    if data["kind"]:
        qs = qs.filter(kind=data["kind"])
    status = data["status"]
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, next_due_on__lt=services.today())
    elif status == "due_soon":
        today = services.today()
        soon = add_working_days(
            today, max(settings.CASE_REMIND_DAYS, default=5), services.work_calendar()
        )
        qs = qs.filter(status__in=OPEN_STATUSES, next_due_on__gte=today, next_due_on__lte=soon)
    elif status:
        qs = qs.filter(status=status)
    if data["ward"]:
        qs = qs.filter(ward=data["ward"])
    if data["unit"]:
        qs = qs.filter(unit_id=data["unit"])
    if data["year"]:
        qs = qs.filter(
            received_on__gte=dt.date(data["year"], 1, 1),
            received_on__lte=dt.date(data["year"], 12, 31),
        )
    q = (data["q"] or "").strip()
    if q:
        qs = qs.filter(Q(code__iexact=q) | Q(subject__icontains=q) | Q(respondent__icontains=q))
    return qs


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, user=request.user)
    qs = (
        _filtered(request, form)
        .select_related("unit", "ward", "handler")
        .order_by("-received_on", "-id")
    )
    page = paginate(request, qs, 50, by_id=True, count_cap=1000)
    today = services.today()
    rows = []
    for case in page.items:
        days_left = (case.next_due_on - today).days if case.next_due_on else None
        overdue = case.status in OPEN_STATUSES and days_left is not None and days_left < 0
        rows.append(
            {
                "case": case,
                "overdue": overdue,
                "late": -days_left if overdue and days_left is not None else 0,
                "days_left": days_left,
            }
        )
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "unit": _unit_of(request, form),
            "filtered": any(
                request.GET.get(name) for name in ("q", "kind", "status", "ward", "year", "unit")
            ),
            "can_register": permissions.can_register_case(request.user),
        },
    )


def _unit_of(request: HttpRequest, form: CaseFilterForm) -> Any:
    """The unit the list is narrowed to (from its page), if the user may see it."""
    if not form.is_valid() or not form.cleaned_data["unit"]:
        return None
    return scoping.units_for(request.user).filter(pk=form.cleaned_data["unit"]).first()


def _tip_for(request: HttpRequest) -> Any:
    tip_id = request.GET.get("tip") or request.POST.get("tip")
    if not tip_id:
        return None
    try:
        return scoping.tips_for(request.user).get(pk=int(tip_id))
    except (ValueError, Exception) as exc:
        raise Http404(_("Không tìm thấy tin báo.")) from exc


@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_register_case(request.user):
        raise PermissionDenied(_("Bạn không có quyền đăng ký vụ việc khiếu nại, tố cáo."))
    tip = _tip_for(request)
    form = CaseForm(request.POST or None, request.FILES or None, user=request.user, tip=tip)
    finding = request.POST.get("action") == "find_unit"  # the unit search without scripts
    if request.method == "POST" and not finding and form.is_valid():
        data = form.cleaned_data
        unit = data["unit_obj"]
        sealed = None
        if data["kind"] == "denunciation":
            sealed = services.SealedInput(
                name=data["sealed_name"],
                address=data["sealed_address"],
                contact=data["sealed_contact"],
                petition=data.get("sealed_petition"),
            )
        try:
            case = services.case_register(
                actor=request.user,
                files=data["attachments"],
                kind=data["kind"],
                subject=data["subject"],
                content=data["content"],
                channel=data["channel"],
                received_on=data["received_on"],
                unit=unit,
                ward_id=None if unit else data["ward"].pk,
                filer_name=data["filer_name"],
                respondent=data["respondent"],
                complexity=data["complexity"],
                remote_area=data["remote_area"],
                handler=data["handler"],
                tip=tip,
                sealed=sealed,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            deadline = case.deadlines.filter(stage=Stage.ACCEPTANCE).first()
            if deadline is not None and deadline.due_on:
                messages.success(
                    request,
                    _("Đã đăng ký vụ việc %(code)s. Hạn %(stage)s: %(due)s (%(basis)s).")
                    % {
                        "code": case.code,
                        "stage": Stage(deadline.stage).label.lower(),
                        "due": deadline.due_on.strftime("%d/%m/%Y"),
                        "basis": f"{deadline.rule.get_law_display()} {deadline.rule.article}",
                    },
                )
            else:
                messages.success(request, _("Đã đăng ký vụ việc %(code)s.") % {"code": case.code})
            return redirect("cases:case_detail", pk=case.pk)
    if request.method == "POST" and not finding:
        messages.error(request, _("Chưa đăng ký được, hãy xem lỗi ở ô tương ứng bên dưới."))
    if finding:
        form.errors.clear()  # only the list of units was asked for: no error yet
    return render(request, "cases/case_form.html", _form_context(form, tip))


def _form_context(form: CaseForm, tip: Any) -> dict[str, Any]:
    unit_field = form.fields.get("unit")
    source = form.data if form.is_bound else form.initial
    return {
        "form": form,
        "tip": tip,
        "unit_options": unit_field.choices if unit_field is not None else [],  # type: ignore[attr-defined]
        "unit_chosen": str(source.get("unit") or ""),
    }


@require_GET
def unit_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s of the units of a ward matching a search, for the register form (htmx)."""
    if not permissions.can_register_case(request.user):
        raise PermissionDenied(_("Bạn không có quyền đăng ký vụ việc khiếu nại, tố cáo."))
    choices = unit_choices(
        request.user, request.GET.get("ward"), request.GET.get("unit_q", "")[:100]
    )
    return render(
        request,
        "cases/case_form.html#unit_options",
        {"unit_options": choices, "unit_chosen": ""},
    )


def _deadline_rows(case: Case) -> list[dict[str, Any]]:
    today = services.today()
    rows = []
    for d in case.deadlines.select_related("rule").order_by("starts_on", "id"):
        state = (
            "met"
            if d.met_on
            else ("paused" if d.due_on is None else ("overdue" if d.due_on < today else "open"))
        )
        rows.append(
            {
                "deadline": d,
                "label": Stage(d.stage).label,
                "state": state,
                "late": (d.met_on - d.due_on).days
                if d.met_on and d.due_on and d.met_on > d.due_on
                else 0,
                "days_left": (d.due_on - today).days if d.due_on and not d.met_on else None,
                "overdue_days": (today - d.due_on).days if state == "overdue" and d.due_on else 0,
                "basis": f"{d.rule.get_law_display()}, {d.rule.article}",
                "count": d.rule.get_day_count_display(),
            }
        )
    return rows


def _detail(request: HttpRequest, case: Case, forms: dict[str, Any] | None = None) -> HttpResponse:
    user = request.user
    can_handle = permissions.can_handle_case(user, case)
    context: dict[str, Any] = {
        "case": case,
        "can_handle": can_handle,
        "is_final": case.status in FINAL_STATUSES,
        "deadlines": _deadline_rows(case),
        "events": case.events.select_related("actor").order_by("at", "id"),
        "attachments": case.attachments.order_by("id"),
        "documents": case.documents.order_by("issued_on", "id"),
        "suspensions": case.suspensions.order_by("starts_on"),
        "can_unseal": case.sealed and permissions.can_unseal_identity(user, case),
        "available_documents": [],
    }
    if can_handle:
        from antq.cases import documents

        context["available_documents"] = documents.available_documents(case)
        context["transition_form"] = TransitionForm(case=case)
        context["files_form"] = FilesForm()
    if context["can_unseal"]:
        context["unseal_form"] = UnsealForm()
    context.update(forms or {})
    return render(request, "cases/case_detail.html", context)


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _case(request, pk))


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _handled(request, pk)
    if case.status in FINAL_STATUSES:
        messages.info(request, _("Vụ việc đã kết thúc, không sửa được nữa."))
        return redirect("cases:case_detail", pk=case.pk)
    form = CaseEditForm(request.POST or None, instance=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Không có gì thay đổi."))
            return redirect("cases:case_detail", pk=case.pk)
        try:
            services.case_update(
                case=case, actor=request.user, data=changes, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_edit.html", {"form": form, "case": case})


@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = _handled(request, pk)
    form = TransitionForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            updated = services.case_transition(
                case=case,
                to=data["to"],
                actor=request.user,
                reason=data["reason"],
                on=data["on"],
                conclusion=data.get("conclusion", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Vụ việc %(code)s đã chuyển sang “%(status)s”.")
                % {"code": updated.code, "status": CaseStatus(updated.status).label},
            )
            return redirect("cases:case_detail", pk=case.pk)
    messages.error(request, _("Chưa chuyển được, hãy xem lỗi ở ô tương ứng bên dưới."))
    return _detail(request, case, {"transition_form": form})


@require_POST
def case_add_files(request: HttpRequest, pk: int) -> HttpResponse:
    case = _handled(request, pk)
    form = FilesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = services.case_add_files(
                case=case, actor=request.user, files=form.cleaned_data["attachments"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm %(n)s tệp vào hồ sơ.") % {"n": count})
            return redirect("cases:case_detail", pk=case.pk)
    messages.error(request, _("Chưa thêm được tệp, hãy xem lỗi bên dưới."))
    return _detail(request, case, {"files_form": form})


@require_GET
def attachment_download(request: HttpRequest, pk: int, token: str) -> FileResponse:
    case = _case(request, pk)
    attachment = get_object_or_404(CaseAttachment, case=case, token=token)
    return private_file(
        attachment.file, filename=attachment.name, content_type=attachment.content_type
    )


@require_http_methods(["GET", "POST"])
def case_unseal(request: HttpRequest, pk: int) -> HttpResponse:
    """The denunciator's identity, shown once on this page to a named role with a reason.
    GET goes back to the case page: reading it always takes the form (and its audit)."""
    case = _case(request, pk)
    if not case.sealed:
        raise Http404(_("Vụ việc này không có thông tin người tố cáo được bảo mật."))
    if not permissions.can_unseal_identity(request.user, case):
        raise PermissionDenied(
            _("Chỉ lãnh đạo có thẩm quyền được xem thông tin người tố cáo (Luật Tố cáo Điều 47).")
        )
    if request.method == "GET":
        return redirect(reverse("cases:case_detail", args=[case.pk]) + "#nguoi-to-cao")
    form = UnsealForm(request.POST)
    if form.is_valid():
        try:
            identity = services.case_unseal(
                case=case, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if request.POST.get("petition") and identity.petition_name:
                response: HttpResponse = HttpResponse(
                    services.case_petition(case), content_type=identity.petition_type
                )
                response["Content-Disposition"] = (
                    content_disposition_header(True, identity.petition_name) or "attachment"
                )
                private(response)
            else:
                response = render(
                    request,
                    "cases/case_identity.html",
                    {"case": case, "identity": identity, "reason": form.cleaned_data["reason"]},
                )
            response["Cache-Control"] = "private, no-store"
            return response
    messages.error(request, _("Chưa xem được, hãy xem lỗi bên dưới."))
    return _detail(request, case, {"unseal_form": form})
