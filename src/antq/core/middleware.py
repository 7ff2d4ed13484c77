"""Every page needs a logged-in user except the few listed as public."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

# Prefixes served without a session: login itself, language switch, static files, the API
# (which authenticates with its own token or session and answers in JSON), and the hotline's
# public side: the tip form, the tipster's follow-up, the bulletins, the SMS gateway's
# webhook and Open311 (which authenticate by key or signature, or not at all).
PUBLIC_PREFIXES = (
    "/tai-khoan/dang-nhap/",
    "/i18n/",
    "/static/",
    "/api/",
    "/healthz",
    "/gui-tin-bao/",
    "/tra-cuu/",
    "/canh-bao/",
    "/webhooks/",
    "/open311/",
)


class LoginRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
