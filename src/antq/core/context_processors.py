"""What every page needs to draw the navigation for the current user's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from antq.accounts import permissions, scoping
from antq.core.notifications import unread_count
from antq.tips.status import TipStatus

# The "Tin báo" badge counts new tips up to this number, then shows "99+".
NEW_TIPS_CAP = 100


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Error pages for static files are rendered before authentication ran.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "department_name": settings.ANTQ_DEPARTMENT_NAME,
        "can_manage_registry": permissions.can_manage_registry(user),
        "can_manage_users": permissions.can_manage_users(user),
        "can_take_calls": permissions.can_take_calls(user),
        "can_publish_bulletins": permissions.can_publish_bulletins(user),
        "can_manage_tip_settings": permissions.can_manage_tip_settings(user),
        "tips_new": _new_tips(user),
        "notifications_unread": _unread_notifications(user),
        "demo_mode": settings.DEMO,
    }


def _new_tips(user: Any) -> int:
    if not (user.is_authenticated and user.is_active):
        return 0
    new = scoping.tips_for(user).filter(status=TipStatus.NEW).order_by()
    return new[:NEW_TIPS_CAP].count()


def _unread_notifications(user: Any) -> int:
    """The bell's badge: unread notifications, counted up to 100 (shown as "99+")."""
    if not (user.is_authenticated and user.is_active):
        return 0
    return unread_count(user)
