"""Security headers that Django 5.2 does not send itself.

``Content-Security-Policy`` (Django has it only from 6.0), ``Permissions-Policy`` and
``Cross-Origin-Resource-Policy``. The policies are settings (``ANTQ_CSP``,
``ANTQ_PERMISSIONS_POLICY``): see docs/security.md.

Pages carry no inline script, no inline style and no event-handler attribute, and htmx is
told not to evaluate code or insert its own ``<style>`` (``htmx-config`` in base.html), so the
policy needs neither ``'unsafe-inline'`` nor ``'unsafe-eval'``. Swagger UI (``/api/v1/docs``)
needs nothing more: django-ninja serves it from static files with no inline script.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    """Adds the site's security policies to every response, static files included.

    A response that already has a ``Content-Security-Policy`` keeps it: a view sets its own
    only to be stricter (an attachment download's ``sandbox`` runs no script at all).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.ANTQ_CSP)
        response.setdefault("Permissions-Policy", settings.ANTQ_PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
