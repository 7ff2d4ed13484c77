"""Import and export of units (being written)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


unit_export = import_upload = import_template = import_preview = _todo
import_confirm = import_cancel = import_rejected = _todo
