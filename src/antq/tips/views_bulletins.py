"""Crime-prevention bulletins: the public list, page and feed, and the department's desk
where they are written, published and taken down."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antq.accounts import permissions
from antq.core.forms import add_service_errors
from antq.core.pagination import paginate
from antq.tips import services_bulletins as services
from antq.tips.forms_bulletins import BulletinForm, PublishForm
from antq.tips.models import Bulletin

PUBLIC_PAGE_SIZE = 20


# -- public ---------------------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    bulletins = Bulletin.objects.filter(is_published=True).select_related("category")
    page = paginate(request, bulletins.order_by("-published_at", "-id"), PUBLIC_PAGE_SIZE)
    return render(request, "tips/bulletins/public_list.html", {"page": page})


@require_GET
def public_detail(request: HttpRequest, slug: str) -> HttpResponse:
    bulletin = get_object_or_404(
        Bulletin.objects.select_related("category"), slug=slug, is_published=True
    )
    others = (
        Bulletin.objects.filter(is_published=True)
        .exclude(pk=bulletin.pk)
        .order_by("-published_at", "-id")[:5]
    )
    return render(
        request,
        "tips/bulletins/public_detail.html",
        {"bulletin": bulletin, "others": others},
    )


# -- the department's desk ---------------------------------------------------------------


def _require_publisher(request: HttpRequest) -> None:
    if not permissions.can_publish_bulletins(request.user):
        raise PermissionDenied(
            _("Chỉ quản trị và cán bộ phòng Xây dựng phong trào được quản lý cảnh báo.")
        )


@require_GET
def bulletin_list(request: HttpRequest) -> HttpResponse:
    _require_publisher(request)
    # Drafts first, then the most recently published.
    bulletins = Bulletin.objects.select_related("category", "author").order_by(
        F("published_at").desc(nulls_first=True), "-id"
    )
    page = paginate(request, bulletins)
    return render(request, "tips/bulletins/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def bulletin_create(request: HttpRequest) -> HttpResponse:
    _require_publisher(request)
    form = BulletinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.bulletin_create(
                actor=request.user,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                body=form.cleaned_data["body"],
                category=form.cleaned_data["category"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Đã lưu bản nháp. Bấm “Đăng” để cảnh báo hiện trên trang công khai.")
            )
            return redirect("bulletins:bulletin_edit", pk=bulletin.pk)
    return render(request, "tips/bulletins/form.html", {"form": form, "bulletin": None})


@require_http_methods(["GET", "POST"])
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_publisher(request)
    bulletin = get_object_or_404(Bulletin, pk=pk)
    form = BulletinForm(request.POST or None, instance=bulletin)
    if request.method == "POST" and form.is_valid():
        try:
            services.bulletin_update(
                actor=request.user, bulletin=bulletin, data=form.changed_data_dict()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("bulletins:bulletin_edit", pk=bulletin.pk)
    # The form's instance holds what was typed; the header shows what is stored.
    stored = Bulletin.objects.get(pk=bulletin.pk)
    return render(request, "tips/bulletins/form.html", {"form": form, "bulletin": stored})


@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _require_publisher(request)
    bulletin = get_object_or_404(Bulletin, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thao tác không hợp lệ."))
        return redirect("bulletins:bulletin_list")
    published = form.cleaned_data["published"]
    bulletin = services.bulletin_set_published(
        actor=request.user, bulletin=bulletin, published=published
    )
    if published:
        messages.success(request, _("Đã đăng cảnh báo “%(title)s”.") % {"title": bulletin.title})
    else:
        messages.success(
            request,
            _("Đã gỡ cảnh báo “%(title)s” khỏi trang công khai.") % {"title": bulletin.title},
        )
    if request.POST.get("next") == "edit":
        return redirect("bulletins:bulletin_edit", pk=bulletin.pk)
    return redirect("bulletins:bulletin_list")
