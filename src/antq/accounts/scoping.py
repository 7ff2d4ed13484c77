"""The one place that decides which areas, units and records a user may see.

Every list, detail, search, count, export and API endpoint starts from one of these
querysets; an object outside them does not exist for that user (404, never 403).
What a user may *do* with a visible object is decided in ``permissions``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from antq.accounts.roles import AREA_ROLES, CITY_ROLES, UNIT_ROLES
from antq.core.models import AuditEntry, Job
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import AreaLevel


def is_city_wide(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in CITY_ROLES)


def ward_ids_for(user: Any) -> set[int] | None:
    """The wards whose units the user may see; ``None`` means every ward."""
    if not (user.is_authenticated and user.is_active):
        return set()
    if user.role in CITY_ROLES:
        return None
    if user.role in AREA_ROLES:
        # Cache on the user object: one query per request, however many lists it shows.
        cached: set[int] | None = getattr(user, "_antq_ward_ids", None)
        if cached is None:
            paths = list(user.areas.values_list("path", flat=True))
            if not paths:
                cached = set()
            else:
                subtree = Q()
                for path in paths:
                    subtree |= Q(path__startswith=path)
                cached = set(
                    AdministrativeArea.objects.filter(subtree, level=AreaLevel.WARD).values_list(
                        "id", flat=True
                    )
                )
            user._antq_ward_ids = cached
        return cached
    if user.role in UNIT_ROLES and user.unit_id:
        return {user.unit.ward_id}
    return set()


def units_for(user: Any) -> QuerySet[Unit]:
    """Units the user may see."""
    qs = Unit.objects.all()
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.role in CITY_ROLES:
        return qs
    if user.role in AREA_ROLES:
        return qs.filter(ward_id__in=ward_ids_for(user) or [])
    if user.role in UNIT_ROLES and user.unit_id:
        return qs.filter(pk=user.unit_id)
    return qs.none()


def areas_for(user: Any) -> QuerySet[AdministrativeArea]:
    """Areas the user may see: all for city roles, the assigned subtree (and the wards of
    the user's unit) otherwise. Ancestors are not listed; they are shown only as names."""
    qs = AdministrativeArea.objects.all()
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.role in CITY_ROLES:
        return qs
    ward_ids = ward_ids_for(user) or set()
    if not ward_ids:
        return qs.none()
    paths = AdministrativeArea.objects.filter(id__in=ward_ids).values_list("path", flat=True)
    subtree = Q()
    for path in paths:
        subtree |= Q(path__startswith=path)
    return qs.filter(subtree)


def audit_for(user: Any) -> QuerySet[AuditEntry]:
    """Audit entries about objects the user may see."""
    qs = AuditEntry.objects.all()
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.role in CITY_ROLES:
        return qs
    if user.role in AREA_ROLES:
        return qs.filter(ward_id__in=ward_ids_for(user) or [])
    if user.role in UNIT_ROLES and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def jobs_for(user: Any) -> QuerySet[Job]:
    """Background jobs are private to whoever started them."""
    if not (user.is_authenticated and user.is_active):
        return Job.objects.none()
    return Job.objects.filter(owner=user)
