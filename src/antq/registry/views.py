"""Pages of the unit registry: list with filters and facets, detail with history, edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from antq.accounts import permissions
from antq.core.http import HtmxHttpRequest, search_text
from antq.core.pagination import paginate
from antq.registry import selectors, services
from antq.registry.forms import UnitDeleteForm, UnitFilterForm, UnitForm
from antq.textvn import fold


@require_GET
def unit_list(request: HtmxHttpRequest) -> HttpResponse:
    form = UnitFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    units = selectors.unit_list_for(request.user, filters)
    page = paginate(request, units, by_id=True)
    context = {"form": form, "page": page, "filters": filters}
    if request.htmx and request.htmx.target == "unit-results":
        return render(request, "registry/unit_list.html#results", context)
    context["blocks"] = selectors.unit_block_counts(units)
    context["wards"] = selectors.unit_ward_counts(units, limit=15)
    return render(request, "registry/unit_list.html", context)


@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for(request.user, pk)
    history = selectors.unit_history_for(request.user, unit)[:50]
    return render(
        request,
        "registry/unit_detail.html",
        {
            "unit": unit,
            "history": history,
            "can_edit": permissions.can_edit_unit(request.user, unit),
            "can_delete": permissions.can_manage_registry(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_registry(request.user):
        raise PermissionDenied(_("Chỉ cán bộ phòng Xây dựng phong trào được thêm đơn vị."))
    form = UnitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, data=form.changed_data_dict())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã thêm đơn vị."))
            return redirect("registry:unit_detail", pk=unit.pk)
    return render(request, "registry/unit_form.html", {"form": form, "unit": None})


@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for(request.user, pk)
    if not permissions.can_edit_unit(request.user, unit):
        raise PermissionDenied(_("Bạn chỉ được xem, không được sửa đơn vị này."))
    form = UnitForm(
        request.POST or None,
        instance=unit,
        user=request.user,
        editable=permissions.unit_editable_fields(request.user, unit),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, data=form.changed_data_dict())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("registry:unit_detail", pk=unit.pk)
    return render(request, "registry/unit_form.html", {"form": form, "unit": unit})


@require_http_methods(["GET", "POST"])
def unit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for(request.user, pk)
    if not permissions.can_manage_registry(request.user):
        raise PermissionDenied(_("Bạn không được xoá đơn vị."))
    form = UnitDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_delete(actor=request.user, unit=unit, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã xoá đơn vị %(name)s.") % {"name": unit.name})
            return redirect("registry:unit_list")
    return render(request, "registry/unit_delete.html", {"form": form, "unit": unit})


@require_GET
def area_list(request: HttpRequest) -> HttpResponse:
    """The wards of the department's province (or of the user's scope), with unit counts."""
    q = search_text(request)
    wards = selectors.ward_list_for(request.user).select_related("parent").order_by("name_folded")
    if q:
        wards = wards.filter(name_folded__contains=fold(q))
    counts = {
        int(f.value): f.count
        for f in selectors.unit_ward_counts(selectors.unit_list_for(request.user))
    }
    page = paginate(request, wards, per_page=100)
    rows = [(ward, counts.get(ward.pk, 0)) for ward in page.items]
    return render(request, "registry/area_list.html", {"page": page, "rows": rows, "q": q})


@require_GET
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.area_get_for(request.user, pk)
    return render(
        request,
        "registry/area_detail.html",
        {
            "area": area,
            "children": selectors.area_list_for(request.user, parent=area).order_by("name"),
            "aliases": area.aliases.order_by("name_folded"),
            "unit_count": selectors.unit_list_for(request.user)
            .filter(ward__path__startswith=area.path)
            .count(),
        },
    )
