"""A case's notices and decisions: the pre-filled form that issues one, and its DOCX."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from antq.accounts import permissions, scoping
from antq.cases import documents, layout, services
from antq.cases.forms_documents import DocumentForm
from antq.cases.models import Case, CaseDocument
from antq.cases.status import DocumentType
from antq.core.forms import add_service_errors
from antq.core.http import private_file


def _case(request: HttpRequest, pk: int) -> Case:
    """A case the user may see, or 404."""
    return get_object_or_404(scoping.cases_for(request.user).select_related("unit", "ward"), pk=pk)


def _preview(form: DocumentForm, doc_type: str) -> dict[str, Any]:
    """The header of the document as it will be printed, from what the form holds now."""
    values = {name: str(form[name].value() or "").strip() for name in DocumentForm.ONE_LINE}
    try:
        day = form.fields["issued_on"].to_python(form["issued_on"].value())
    except ValidationError:
        day = None
    place = values["place"] or "…"
    return {
        **{name: value.upper() for name, value in values.items() if name != "number"},
        "number": values["number"],
        "signer": values["signer"],
        "title": values["title"],
        "date_line": layout.date_line(place, day) if day else f"{place}, ngày … tháng … năm …",
        "kind_name": documents.SPECS[doc_type].kind_name.upper(),
        "recipients": [
            line.strip()
            for line in str(form["recipients"].value() or "").splitlines()
            if line.strip()
        ],
    }


@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    doc_type = request.GET.get("type", "")
    if not documents.applies(case, doc_type):
        raise Http404(_("Văn bản này không áp dụng cho vụ việc ở bước hiện tại."))
    if not permissions.can_handle_case(request.user, case):
        raise PermissionDenied(_("Bạn chỉ được xem vụ việc này, không được ban hành văn bản."))
    if request.method == "POST":
        form = DocumentForm(request.POST)
        if form.is_valid():
            try:
                document = documents.document_issue(
                    case=case, actor=request.user, data={**form.cleaned_data, "doc_type": doc_type}
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã ban hành %(kind)s số %(number)s.")
                    % {"kind": DocumentType(doc_type).label, "number": document.number},
                )
                return redirect("cases:case_detail", pk=case.pk)
        messages.error(request, _("Chưa ban hành được, hãy xem lỗi ở ô tương ứng bên dưới."))
    else:
        form = DocumentForm(
            initial=documents.draft_for_case(case, doc_type, today=services.today())
        )
    context = {
        "case": case,
        "form": form,
        "doc_label": DocumentType(doc_type).label,
        "preview": _preview(form, doc_type),
    }
    return render(request, "cases/document_form.html", context)


@require_GET
def document_download(request: HttpRequest, pk: int, doc_id: int) -> FileResponse:
    case = _case(request, pk)
    document = get_object_or_404(CaseDocument, case=case, pk=doc_id)
    return private_file(
        document.file,
        filename=documents.download_name(document),
        content_type=layout.DOCX_TYPE,
    )
