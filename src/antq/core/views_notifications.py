"""The user's own inbox of notifications (deadline reminders, overdue alerts).

Each user reads only his own (``scoping.notifications_for``); another's notification is a
404. Opening one marks it read and follows its link, which is always a path on this site:
a stored URL that is not one is never followed (no open redirect).
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from antq.accounts import scoping
from antq.accounts.models import User
from antq.core.notifications import mark_read
from antq.core.pagination import paginate

PER_PAGE = 30
# A longer number is no id, and overflows the database's integer.
MAX_ID_DIGITS = 18


def local_path(url: str) -> str:
    """``url`` if it is a path on this site ("/khieu-nai-to-cao/12/"), else ""."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return ""
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=set()) else ""


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # LoginRequiredMiddleware lets no anonymous user in
    return user


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """Unread first, then the newest."""
    inbox = (
        scoping.notifications_for(request.user)
        .alias(
            is_read=Case(
                When(read_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("is_read", "-id")
    )
    page = paginate(request, inbox, per_page=PER_PAGE)
    return render(request, "core/notifications.html", {"page": page})


@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification read, or only the one posted as ``id``; back to the
    page the user came from (``next``, a local path) or to the inbox."""
    raw = request.POST.get("id", "")
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS):
            raise Http404
        mark_read(_user(request), [int(raw)])  # filtered by user: another's id does nothing
    else:
        mark_read(_user(request))
    return redirect(local_path(request.POST.get("next", "")) or "core:notification_list")


@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points."""
    notification = scoping.notifications_for(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        mark_read(_user(request), [notification.pk])
    return redirect(local_path(notification.url) or "core:notification_list")
