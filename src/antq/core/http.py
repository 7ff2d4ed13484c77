"""Request and response helpers: the type with django-htmx's ``htmx`` attribute, the search
box's text, private downloads."""

from __future__ import annotations

from typing import TypeVar

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# Longer search text finds nothing more, and makes SQLite refuse the LIKE pattern.
SEARCH_MAX_CHARS = 200


def search_text(request: HttpRequest, name: str = "q") -> str:
    """The text of a search box, safe to hand to a query: without NUL characters (which
    PostgreSQL refuses) and at most ``SEARCH_MAX_CHARS`` long."""
    return request.GET.get(name, "").replace("\x00", "")[:SEARCH_MAX_CHARS]


def private_file(field_file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download only its reader gets: never rendered by the browser
    (``nosniff``, a sandbox policy), never kept by a cache; 404 when it left the disk."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Tệp không còn trên máy chủ.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    return private(response)


R = TypeVar("R", bound=HttpResponseBase)


def private(response: R) -> R:
    """Headers of a download that must not be rendered nor cached (see ``private_file``)."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
