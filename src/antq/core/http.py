"""Request helpers: the type with django-htmx's ``htmx`` attribute, the search box's text."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# Longer search text finds nothing more, and makes SQLite refuse the LIKE pattern.
SEARCH_MAX_CHARS = 200


def search_text(request: HttpRequest, name: str = "q") -> str:
    """The text of a search box, safe to hand to a query: without NUL characters (which
    PostgreSQL refuses) and at most ``SEARCH_MAX_CHARS`` long."""
    return request.GET.get(name, "").replace("\x00", "")[:SEARCH_MAX_CHARS]
