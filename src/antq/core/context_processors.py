"""What every page needs to draw the navigation for the current user's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from antq.accounts import permissions


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Error pages for static files are rendered before authentication ran.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "department_name": settings.ANTQ_DEPARTMENT_NAME,
        "can_manage_registry": permissions.can_manage_registry(user),
        "can_manage_users": permissions.can_manage_users(user),
        "demo_mode": settings.DEMO,
    }
