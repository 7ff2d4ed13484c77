"""Pages to import units from a spreadsheet and to export the unit list to Excel.

Import: upload → preview (every row with its errors) → confirm or cancel. Large files are
checked and imported by the worker; meanwhile the preview page shows a progress bar that
polls the same URL with htmx and reloads the page once the worker is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from antq.accounts import permissions
from antq.core.http import HtmxHttpRequest
from antq.core.models import JobStatus
from antq.core.pagination import paginate
from antq.core.uploads import upload_too_large
from antq.registry import exporting, importing, selectors
from antq.registry.forms import UnitFilterForm
from antq.registry.models import AdministrativeArea, ImportBatch, ImportRow, ImportStatus
from antq.registry.status import UnitKind


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx) hoặc CSV"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": gettext_lazy("Hãy chọn một tệp để tải lên.")},
    )


def _require_manager(request: HttpRequest) -> None:
    if not permissions.can_manage_registry(request.user):
        raise PermissionDenied(_("Chỉ cán bộ phòng Xây dựng phong trào được nhập đơn vị từ tệp."))


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exporting.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def unit_export(request: HttpRequest) -> HttpResponse:
    """The units of the list as the user filtered it (and may see them), as .xlsx."""
    form = UnitFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    units = selectors.unit_list_for(request.user, filters)
    total = units.count()
    if total > settings.BACKGROUND_THRESHOLD_ROWS:
        job = exporting.units_export_queue(owner=request.user, filters=filters, total=total)
        messages.info(
            request,
            _("Danh sách có %(n)s đơn vị nên tệp được tạo ở chế độ nền; trang sẽ tự cập nhật.")
            % {"n": total},
        )
        return redirect("core:job", pk=job.pk)
    return _download(
        exporting.units_xlsx_bytes(units), exporting.export_filename(timezone.localtime())
    )


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = (
        ImportUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else ImportUploadForm()
    )
    if form.is_bound and upload_too_large(request):
        # The upload handler dropped the file while it streamed in: say why, not "choose one".
        form.is_valid()
        form.errors["file"] = form.error_class([importing.too_large_error().message])
    elif form.is_bound and form.is_valid():
        try:
            result = importing.import_batch_create(
                owner=request.user, upload=form.cleaned_data["file"]
            )
        except importing.ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            if result.unknown_columns:
                messages.warning(
                    request,
                    _("Các cột không nhận ra, sẽ bỏ qua: %(cols)s.")
                    % {"cols": ", ".join(f"«{c}»" for c in result.unknown_columns)},
                )
            batch = result.batch
            if result.background:
                messages.info(
                    request,
                    _("Tệp lớn nên được kiểm tra ở chế độ nền; trang sẽ tự cập nhật khi xong."),
                )
            else:
                messages.info(
                    request,
                    _(
                        "Đã đọc %(n)s dòng: %(ok)s dòng hợp lệ, %(bad)s dòng có lỗi. Chưa có "
                        "đơn vị nào được nhập; hãy xem lại rồi xác nhận."
                    )
                    % {"n": batch.total_rows, "ok": batch.valid_rows, "bad": batch.invalid_rows},
                )
            return redirect("registry:import_preview", pk=batch.pk)
    return render(
        request,
        "registry/import_upload.html",
        {
            "form": form,
            "columns": importing.COLUMNS,
            "batches": list(importing.recent_batches_for(request.user)),
            "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
            "max_rows": importing.MAX_ROWS,
        },
    )


@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return _download(exporting.import_template_bytes(), "mau-nhap-don-vi.xlsx")


@dataclass(frozen=True)
class PreviewRow:
    """One row as the preview table shows it: what the file said, and what it resolved to."""

    line: int
    name: str
    kind: str
    ward: str
    ward_resolved: str
    code: str
    phone: str
    email: str
    errors: list[str]
    valid: bool


def _preview_rows(rows: list[ImportRow], columns: dict[str, str]) -> list[PreviewRow]:
    """``columns`` is the batch's {unit field: header of the file}."""
    ward_ids = {r.cleaned["ward"] for r in rows if r.cleaned.get("ward")}
    wards = dict(AdministrativeArea.objects.filter(pk__in=ward_ids).values_list("pk", "name"))
    kinds = dict(UnitKind.choices)
    result = []
    for row in rows:

        def raw(name: str, row: ImportRow = row) -> str:
            return str(row.raw.get(columns.get(name, ""), ""))

        ward = raw("ward")
        resolved = wards.get(row.cleaned.get("ward"), "")
        result.append(
            PreviewRow(
                line=row.line,
                name=raw("name"),
                kind=str(kinds.get(row.cleaned.get("kind", ""), raw("kind"))),
                ward=ward,
                ward_resolved=resolved if resolved and resolved != ward else "",
                code=raw("code"),
                phone=raw("phone"),
                email=raw("email"),
                errors=list(row.errors),
                valid=row.valid,
            )
        )
    return result


def _notice(batch: ImportBatch) -> str:
    """What the worker said about this batch, when the page should repeat it: why the check
    failed, or why a background import went back to the preview."""
    job = batch.job
    if job is None or job.status != JobStatus.FAILED:
        return ""
    if batch.status in (ImportStatus.FAILED, ImportStatus.PREVIEW):
        return job.message
    return ""


VIEWS = (
    ("", gettext_lazy("Mọi dòng, theo thứ tự trong tệp")),
    ("loi-truoc", gettext_lazy("Mọi dòng, dòng lỗi lên trước")),
    ("loi", gettext_lazy("Chỉ dòng lỗi")),
)


@require_GET
def import_preview(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    batch = selectors.import_batch_get_for(request.user, pk)
    _require_manager(request)
    working = batch.status in importing.WORKER_STATUSES
    context: dict[str, Any] = {
        "batch": batch,
        "job": batch.job,
        "working": working,
        "stuck": importing.batch_stuck(batch),
        "can_cancel": importing.batch_cancellable(batch),
    }
    if request.htmx:
        # The progress bar polls here; once the worker is done, reload the whole page.
        if working:
            return render(request, "registry/import_preview.html#progress", context)
        return HttpResponseClientRefresh()
    view = request.GET.get("xem", "")
    if view not in dict(VIEWS):
        view = ""
    if not working:
        page = paginate(request, importing.batch_rows(batch, view))
        can_confirm = batch.status == ImportStatus.PREVIEW
        context.update(
            page=page,
            rows=_preview_rows(page.items, batch.columns),
            view=view,
            views=VIEWS,
            notice=_notice(batch),
            can_confirm=can_confirm,
            previous=importing.previous_import(batch) if can_confirm else None,
        )
    return render(request, "registry/import_preview.html", context)


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.import_batch_get_for(request.user, pk)
    _require_manager(request)
    only_valid = request.POST.get("mode") == "valid"
    result = importing.import_batch_confirm(batch=batch, actor=request.user, only_valid=only_valid)
    level, text = importing.confirm_message(result, batch.filename)
    messages.add_message(request, level, text)
    return redirect("registry:import_preview", pk=batch.pk)


@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.import_batch_get_for(request.user, pk)
    _require_manager(request)
    if importing.import_batch_cancel(batch=batch):
        messages.success(
            request,
            _("Đã huỷ lần nhập tệp «%(file)s»; không có đơn vị nào được thêm.")
            % {"file": batch.filename},
        )
        return redirect("registry:import_upload")
    messages.error(request, _("Không huỷ được: lần nhập này đã được nhập hoặc đang nhập."))
    return redirect("registry:import_preview", pk=batch.pk)


@require_GET
def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.import_batch_get_for(request.user, pk)
    _require_manager(request)
    return _download(exporting.rejected_rows_bytes(batch), f"dong-loi-lan-nhap-{batch.pk}.xlsx")
