"""Home dashboard, job progress, the audit trail, error pages and the health check."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from antq.accounts import permissions, scoping
from antq.cases.services import today
from antq.cases.status import OPEN_STATUSES
from antq.core import selectors
from antq.core.http import HtmxHttpRequest
from antq.core.jobs import job_result_file
from antq.core.models import AuditAction
from antq.core.pagination import paginate
from antq.registry.selectors import unit_block_counts, unit_ward_counts, ward_list_for
from antq.registry.status import UnitStatus
from antq.tips.selectors import Box, tip_box_count

# The tip boxes on the dashboard, counted up to TIP_COUNT_CAP.
HOME_BOXES = (
    (Box.MINE, _("tin báo của tôi đang xử lý")),
    (Box.UNASSIGNED, _("tin báo chưa phân công")),
    (Box.DUE_SOON, _("tin báo sắp quá hạn")),
    (Box.OVERDUE, _("tin báo quá hạn xác minh")),
)
TIP_COUNT_CAP = 1000


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    units = scoping.units_for(request.user)
    active = units.filter(status=UnitStatus.ACTIVE)
    trail = scoping.audit_for(request.user)
    context = {
        "unit_active": active.count(),
        "unit_closed": units.filter(status=UnitStatus.CLOSED).count(),
        "change_count": trail.filter(at__gte=timezone.now() - timedelta(days=30)).count(),
        "blocks": unit_block_counts(active),
        "wards": unit_ward_counts(active, limit=10),
        "ward_total": ward_list_for(request.user).count(),
        "recent": trail.order_by("-id")[:8],
        "case_boxes": _case_boxes(request.user),
        "tip_boxes": [
            (box, label, *tip_box_count(request.user, box, cap=TIP_COUNT_CAP))
            for box, label in HOME_BOXES
            # Leaders and units follow the deadlines; they have no tips of their own to take.
            if permissions.can_handle_tips(request.user) or box in (Box.DUE_SOON, Box.OVERDUE)
        ],
    }
    return render(request, "core/home.html", context)


def _case_boxes(user: Any) -> list[tuple[str, str, int, bool]]:
    """Open complaint and denunciation cases and the overdue ones (counted up to a cap)."""
    open_cases = scoping.cases_for(user).filter(status__in=OPEN_STATUSES).order_by()
    overdue = open_cases.filter(next_due_on__lt=today())
    boxes = []
    for query, label, qs in (
        ("status=open", _("vụ việc khiếu nại, tố cáo đang giải quyết"), open_cases),
        ("status=overdue", _("vụ việc khiếu nại, tố cáo quá hạn"), overdue),
    ):
        count = qs[: TIP_COUNT_CAP + 1].count()
        boxes.append((query, str(label), min(count, TIP_COUNT_CAP), count > TIP_COUNT_CAP))
    return boxes


@require_GET
def job_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get_for(request.user, pk)
    template = "core/_job.html" if request.htmx else "core/job.html"
    return render(request, template, {"job": job, "result": job_result_file(job) is not None})


@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.job_get_for(request.user, pk)
    path = job_result_file(job)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)


@require_GET
def audit_list(request: HtmxHttpRequest) -> HttpResponse:
    entries = selectors.audit_list_for(
        request.user,
        object_type=request.GET.get("object_type", ""),
        action=request.GET.get("action", ""),
        q=request.GET.get("q", ""),
    )
    page = paginate(request, entries, per_page=50)
    template = "core/_audit_rows.html" if request.htmx else "core/audit_list.html"
    return render(
        request,
        template,
        {"page": page, "actions": AuditAction.choices, "filters": request.GET},
    )


@require_GET
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.audit_get_for(request.user, pk)
    return render(request, "core/audit_detail.html", {"entry": entry})


@require_GET
def liveness(request: HttpRequest) -> HttpResponse:
    """The process answers (no database): for a supervisor's liveness probe, and the
    baseline the benchmarks compare real pages with."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "errors/403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)
