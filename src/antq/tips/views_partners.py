"""The administrator's list of partner applications (API and Open311 clients) and their keys.

A key is shown once, on the page that answers its creation; only its SHA-256 is stored.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antq.accounts import permissions
from antq.tips import services
from antq.tips.models import Partner


class PartnerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên ứng dụng"), max_length=200)
    contact = forms.CharField(
        label=gettext_lazy("Đầu mối liên hệ"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Cơ quan, người phụ trách và số điện thoại của ứng dụng."),
    )


def _require_admin(request: HttpRequest) -> None:
    if not permissions.can_manage_tip_settings(request.user):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được quản lý ứng dụng đối tác."))


@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    partners = Partner.objects.annotate(tip_count=Count("tips")).order_by("name", "id")
    return render(request, "tips/partners/partner_list.html", {"partners": partners})


@require_http_methods(["GET", "POST"])
def partner_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner, key = services.partner_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Shown on this response only: the key is not stored anywhere, not even a cache.
            response = render(
                request, "tips/partners/partner_created.html", {"partner": partner, "key": key}
            )
            add_never_cache_headers(response)
            return response
    return render(request, "tips/partners/partner_form.html", {"form": form})


@require_POST
def partner_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    partner = get_object_or_404(Partner, pk=pk)
    active = request.POST.get("active") == "1"
    services.partner_set_active(actor=request.user, partner=partner, active=active)
    if active:
        messages.success(request, _("Đã mở lại ứng dụng %(name)s.") % {"name": partner.name})
    else:
        messages.success(
            request,
            _("Đã ngừng ứng dụng %(name)s: khoá của nó không còn dùng được.")
            % {"name": partner.name},
        )
    return redirect("partners:partner_list")
