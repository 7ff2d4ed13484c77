"""Login, password, and the administrator's management of users and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antq.accounts import selectors, services
from antq.accounts.forms import DeactivateForm, LoginForm, TokenForm, UserForm
from antq.accounts.roles import Role
from antq.core.http import search_text
from antq.core.pagination import paginate


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form: Any) -> HttpResponse:
        # Through the service, so the change is audited like an administrator's reset.
        user = form.user  # the logged-in user, typed
        services.user_set_password(
            actor=user, user=user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return redirect(self.success_url)


@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    users = selectors.user_list_for(
        request.user, q=search_text(request), role=request.GET.get("role", "")
    )
    page = paginate(request, users)
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "roles": Role.choices, "filters": request.GET},
    )


@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get_for(request.user, pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "tokens": user.api_tokens.all(),
            "token_form": TokenForm(),
            "deactivate_form": DeactivateForm(),
        },
    )


def _user_form_page(request: HttpRequest, subject: object | None) -> HttpResponse:
    form = UserForm(request.POST or None, instance=subject)
    if request.method == "POST" and form.is_valid():
        try:
            if subject is None:
                user = services.user_create(
                    actor=request.user,
                    data=form.user_data(),
                    areas=form.cleaned_data["areas"],
                    password=form.cleaned_data["password"],
                )
                messages.success(request, _("Đã tạo tài khoản %(u)s.") % {"u": user.username})
            else:
                user = services.user_update(
                    actor=request.user,
                    user=subject,  # type: ignore[arg-type]
                    data=form.user_data(),
                    areas=form.cleaned_data["areas"],
                )
                if form.cleaned_data["password"]:
                    services.user_set_password(
                        actor=request.user, user=user, password=form.cleaned_data["password"]
                    )
                messages.success(request, _("Đã lưu tài khoản %(u)s.") % {"u": user.username})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "subject": subject})


@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    selectors.user_list_for(request.user)  # 404 for anyone but an administrator
    return _user_form_page(request, None)


@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_form_page(request, selectors.user_get_for(request.user, pk))


@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get_for(request.user, pk)
    form = DeactivateForm(request.POST)
    form.is_valid()
    activate = request.POST.get("active") == "1"
    try:
        services.user_set_active(
            actor=request.user,
            user=user,
            active=activate,
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Đã mở khoá tài khoản.") if activate else _("Đã khoá tài khoản.")
        )
    return redirect("accounts:user_detail", pk=user.pk)


@require_POST
def token_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get_for(request.user, pk)
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy nhập tên ứng dụng cho token."))
        return redirect("accounts:user_detail", pk=user.pk)
    token, raw = services.token_create(
        actor=request.user, user=user, name=form.cleaned_data["name"]
    )
    # Shown once, on this response only; it is not stored anywhere, not even in a cache.
    response = render(
        request, "accounts/token_created.html", {"subject": user, "token": token, "raw": raw}
    )
    add_never_cache_headers(response)
    return response


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_get_for(request.user, pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Đã thu hồi token %(name)s.") % {"name": token.name})
    return redirect("accounts:user_detail", pk=token.user_id)
