"""Staff pages of the hotline around the inbox: the operator's call form, the export of the
tip list, the statistics, and the reference data (categories, deadline rules)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antq.accounts import permissions, scoping
from antq.accounts.roles import Role
from antq.core.forms import add_service_errors
from antq.tips import exporting, services, services_manage
from antq.tips.forms import TipFilterForm
from antq.tips.forms_manage import (
    OperatorTipForm,
    RestoreTextForm,
    StatisticsForm,
    TipCategoryForm,
    TipDeadlineRuleForm,
)
from antq.tips.models import Tip, TipCategory, TipDeadlineRule
from antq.tips.restoration import RestorationUnavailable, restoration_of
from antq.tips.statistics import percent, tip_statistics
from antq.tips.status import Channel


def _tip_url(tip: Tip) -> str:
    """The staff page of a tip (the inbox's ``tips:tip_detail``)."""
    try:
        return reverse("tips:tip_detail", kwargs={"pk": tip.pk})
    except NoReverseMatch:
        return ""


# -- operator ------------------------------------------------------------------------------


def _require_operator(request: HttpRequest) -> None:
    if not permissions.can_take_calls(request.user):
        raise PermissionDenied(
            _("Chỉ cán bộ trực đường dây nóng được nhập tin báo qua điện thoại.")
        )


@require_http_methods(["GET", "POST"])
def operator_form(request: HttpRequest) -> HttpResponse:
    """A phoned-in tip. After saving, the same page with an empty form and the code and
    passphrase to read to the caller (shown once: the response is not cached, not
    redirected through a cookie).

    Without JavaScript, "Thêm dấu" and "Hoàn tác" post the form here too: the page comes
    back with the text restored (or as typed again) and nothing saved."""
    _require_operator(request)
    if request.method == "POST" and ("restore" in request.POST or "restore_undo" in request.POST):
        return _operator_restore(request)
    form = OperatorTipForm(request.POST or None, user=request.user)
    receipt = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            receipt = services.tip_receive(
                channel=Channel.PHONE,
                category=data["category"],
                text=data["text"],
                ward=data["ward"],
                place=data["place"],
                occurred_at=data["occurred_at"],
                urgency=data["urgency"] or None,
                anonymous=data["anonymous"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                idempotency_key=f"phone:{request.user.pk}:{data['nonce']}",
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = OperatorTipForm(user=request.user)
    context: dict[str, Any] = {"form": form, "receipt": receipt}
    if receipt is not None:
        visible = scoping.tips_for(request.user).filter(pk=receipt.tip.pk).exists()
        context["tip_url"] = _tip_url(receipt.tip) if visible else ""
    response = render(request, "tips/manage/operator_form.html", context)
    if receipt is not None:
        add_never_cache_headers(response)  # the passphrase must not stay in any cache
    return response


def _restore_context(form: RestoreTextForm) -> dict[str, Any]:
    """The context of ``tips/_restore_panel.html`` for a bound form: the restoration, or the
    error to show instead."""
    if not form.is_valid():
        return {"restore_error": " ".join(str(e) for e in form.errors.get("text", []))}
    try:
        return {"restoration": restoration_of(form.cleaned_data["text"])}
    except RestorationUnavailable:
        return {"restore_error": _("Chưa thêm dấu được lúc này; hãy kiểm tra và tự thêm dấu.")}


def _operator_restore(request: HttpRequest) -> HttpResponse:
    """The operator's form as posted, its text restored ("Thêm dấu") or back as he typed it
    ("Hoàn tác"), with every other field kept and no error shown: nothing is saved."""
    initial: dict[str, Any] = {
        name: request.POST.get(name, "") for name in OperatorTipForm.base_fields
    }
    initial["anonymous"] = "anonymous" in request.POST
    context: dict[str, Any] = {}
    if "restore_undo" in request.POST:
        initial["text"] = request.POST.get("typed", "")
    else:
        restore = RestoreTextForm({"text": initial["text"]})
        context = _restore_context(restore)
        if "restoration" in context:
            initial["text"] = context["restoration"].text
        context["form_restore"] = restore
    form = OperatorTipForm(initial={k: v for k, v in initial.items() if v != ""}, user=request.user)
    return render(
        request, "tips/manage/operator_form.html", {"form": form, "receipt": None, **context}
    )


@never_cache
@require_POST
def text_restore(request: HttpRequest) -> HttpResponse:
    """ "Thêm dấu" with JavaScript: the restored text of ``text`` and the words to check, as the
    panel the page shows under the text (400 with the reason when it cannot)."""
    _require_operator(request)
    form = RestoreTextForm(request.POST)
    context = _restore_context(form)
    status = 400 if not form.is_valid() else 200
    return render(request, "tips/_restore_panel.html", {"form": form, **context}, status=status)


# -- export --------------------------------------------------------------------------------


@require_GET
def tip_export(request: HttpRequest) -> HttpResponse:
    """The inbox as filtered (tips the user may see only) as .xlsx, or .csv with
    ``?format=csv``; large lists are written by the worker."""
    form = TipFilterForm(request.GET or None, user=request.user)
    filters, q = form.filters(), form.query()
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    tips = exporting.tips_for_export(request.user, filters, q)
    total = tips.count()
    if total > settings.BACKGROUND_THRESHOLD_ROWS:
        job = exporting.tips_export_queue(
            owner=request.user, filters=filters, q=q, fmt=fmt, total=total
        )
        messages.info(
            request,
            _("Danh sách có %(n)s tin báo nên tệp được tạo ở chế độ nền; trang sẽ tự cập nhật.")
            % {"n": total},
        )
        return redirect("core:job", pk=job.pk)
    response = HttpResponse(
        exporting.tips_export_bytes(tips, fmt), content_type=exporting.content_type(fmt)
    )
    filename = exporting.export_filename(timezone.localtime(), fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


# -- statistics ----------------------------------------------------------------------------


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.GET or None)
    date_from, date_to = form.period()
    stats = tip_statistics(request.user, date_from=date_from, date_to=date_to)
    tables = [(b, [(r, percent(r.count, stats.total)) for r in b.rows]) for b in stats.breakdowns()]
    return render(
        request,
        "tips/manage/statistics.html",
        {
            "form": form,
            "stats": stats,
            "tables": tables,
            "on_time_percent": percent(stats.closed_on_time, stats.closed_with_deadline),
            "data": stats.chart_data(),
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def statistics_export(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.GET or None)
    date_from, date_to = form.period()
    with translation.override("vi"):  # the workbook is a Vietnamese document
        stats = tip_statistics(request.user, date_from=date_from, date_to=date_to)
        content = exporting.statistics_xlsx_bytes(stats)
    response = HttpResponse(content, content_type=exporting.XLSX_CONTENT_TYPE)
    filename = exporting.statistics_filename(stats)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- categories and deadline rules -----------------------------------------------------------


def _may_view_settings(user: Any) -> bool:
    """The department reads the lists (it explains them to the wards); only the
    administrator changes them."""
    return permissions.can_manage_tip_settings(user) or (
        user.is_authenticated and user.is_active and user.role == Role.DEPARTMENT
    )


def _require_viewer(request: HttpRequest) -> None:
    if not _may_view_settings(request.user):
        raise PermissionDenied(_("Bạn không có quyền xem danh mục tin báo."))


def _require_manager(request: HttpRequest) -> None:
    if not permissions.can_manage_tip_settings(request.user):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được sửa danh mục và thời hạn tin báo."))


def _category(pk: int) -> TipCategory:
    try:
        return TipCategory.objects.get(pk=pk)
    except TipCategory.DoesNotExist as exc:
        raise Http404 from exc


def _rule(pk: int) -> TipDeadlineRule:
    try:
        return TipDeadlineRule.objects.select_related("category").get(pk=pk)
    except TipDeadlineRule.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    usage = dict(
        Tip.objects.order_by()
        .values("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    categories = [(c, usage.get(c.pk, 0)) for c in TipCategory.objects.all()]
    return render(
        request,
        "tips/manage/category_list.html",
        {
            "categories": categories,
            "can_manage": permissions.can_manage_tip_settings(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def category_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = TipCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services_manage.tip_category_create(
                actor=request.user, data=form.data_dict()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm loại tin báo “%(name)s”.") % {"name": category})
            return redirect("tipmanage:category_list")
    return render(request, "tips/manage/category_form.html", {"form": form, "category": None})


@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    category = _category(pk)
    form = TipCategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            services_manage.tip_category_update(
                actor=request.user, category=category, data=form.data_dict()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu loại tin báo “%(name)s”.") % {"name": category})
            return redirect("tipmanage:category_list")
    return render(
        request,
        "tips/manage/category_form.html",
        {
            "form": form,
            "category": category,
            "usage": services_manage.tip_category_usage(category),
        },
    )


@require_POST
def category_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    category = _category(pk)
    try:
        services_manage.tip_category_delete(actor=request.user, category=category)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tipmanage:category_edit", pk=category.pk)
    messages.success(request, _("Đã xoá loại tin báo “%(name)s”.") % {"name": category.name})
    return redirect("tipmanage:category_list")


@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    rules = TipDeadlineRule.objects.select_related("category").order_by(
        F("category__sort_order").asc(nulls_first=True), "category__name", "-effective_from"
    )
    today = timezone.localdate()
    # The rule in force today for each category (None = the general rule).
    in_force: dict[int | None, int] = {}
    for rule in rules:
        if rule.effective_from <= today and rule.category_id not in in_force:
            in_force[rule.category_id] = rule.pk
    return render(
        request,
        "tips/manage/rule_list.html",
        {
            "rules": [(r, in_force.get(r.category_id) == r.pk) for r in rules],
            "today": today,
            "can_manage": permissions.can_manage_tip_settings(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = TipDeadlineRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_manage.tip_rule_create(actor=request.user, data=form.data_dict())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm quy định thời hạn."))
            return redirect("tipmanage:rule_list")
    return render(request, "tips/manage/rule_form.html", {"form": form, "rule": None})


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    rule = _rule(pk)
    form = TipDeadlineRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services_manage.tip_rule_update(actor=request.user, rule=rule, data=form.data_dict())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu quy định thời hạn."))
            return redirect("tipmanage:rule_list")
    return render(request, "tips/manage/rule_form.html", {"form": form, "rule": rule})
