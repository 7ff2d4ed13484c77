from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from antq.accounts import permissions
from antq.accounts.models import ApiToken, User


def user_list_for(actor: Any, *, q: str = "", role: str = "") -> QuerySet[User]:
    """Only administrators see the list of users; for anyone else it does not exist."""
    if not permissions.can_manage_users(actor):
        raise Http404
    qs = User.objects.select_related("unit").prefetch_related("areas")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("username")


def user_get_for(actor: Any, pk: Any) -> User:
    try:
        return user_list_for(actor).get(pk=int(pk))
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def token_get_for(actor: Any, pk: Any) -> ApiToken:
    if not permissions.can_manage_users(actor):
        raise Http404
    try:
        return ApiToken.objects.select_related("user").get(pk=int(pk))
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
