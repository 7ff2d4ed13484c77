"""What every page needs to draw the navigation for the current user's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from antq.accounts import permissions


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "department_name": settings.ANTQ_DEPARTMENT_NAME,
        "can_manage_registry": permissions.can_manage_registry(user),
        "can_manage_users": permissions.can_manage_users(user),
        "demo_mode": settings.DEMO,
    }
