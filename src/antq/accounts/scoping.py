"""The one place that decides which areas, units and records a user may see.

Every list, detail, search, count, export and API endpoint starts from one of these
querysets; an object outside them does not exist for that user (404, never 403).
What a user may *do* with a visible object is decided in ``permissions``.

Scopes: city roles see the department's province (``ANTQ_PROVINCE_CODE``); a ward officer
sees the wards he is assigned (and everything below them); a unit's officer and head see
their unit. A later app adds its ``<things>_for(user)`` here, built with :func:`by_scope`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet

from antq.accounts.roles import AREA_ROLES, CITY_ROLES, UNIT_ROLES, Role
from antq.cases.models import Case
from antq.core.models import AuditEntry, Job, Notification
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import AreaLevel
from antq.tips.models import Tip

M = TypeVar("M", bound=Model)

# Audit entries about accounts are shown only to administrators, like the accounts themselves.
ACCOUNT_OBJECT_TYPES = ("accounts.user", "accounts.apitoken")
TIP_OBJECT_TYPES = ("tips.tip",)


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_city_wide(user: Any) -> bool:
    return _active(user) and user.role in CITY_ROLES


def province_path() -> str:
    """Path prefix of the department's province in the area tree ("01/")."""
    return f"{settings.ANTQ_PROVINCE_CODE:02d}/"


def _subtree(paths: Iterable[str]) -> Q:
    """Areas at or below any of ``paths``; matches nothing when there are none."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def ward_ids_for(user: Any) -> set[int] | None:
    """The wards whose records the user may see; ``None`` means every ward of the province."""
    if not _active(user):
        return set()
    if user.role in CITY_ROLES:
        return None
    if user.role in UNIT_ROLES and user.unit_id:
        return {user.unit.ward_id}
    if user.role not in AREA_ROLES:
        return set()
    # Cached on the user object: one query per request, however many lists it shows.
    cached: set[int] | None = getattr(user, "_antq_ward_ids", None)
    if cached is None:
        paths = list(user.areas.values_list("path", flat=True))
        cached = set(
            AdministrativeArea.objects.filter(_subtree(paths), level=AreaLevel.WARD).values_list(
                "id", flat=True
            )
        )
        user._antq_ward_ids = cached
    return cached


def by_scope(qs: QuerySet[M], user: Any, *, ward_field: str, unit_field: str) -> QuerySet[M]:
    """Filter records that carry a ward and a unit by the user's scope: city roles keep
    everything, ward officers the records of their wards, unit roles those of their unit."""
    if not _active(user):
        return qs.none()
    if user.role in CITY_ROLES:
        return qs
    if user.role in UNIT_ROLES and user.unit_id:
        return qs.filter(**{unit_field: user.unit_id})
    if user.role in AREA_ROLES:
        return qs.filter(**{f"{ward_field}__in": ward_ids_for(user) or []})
    return qs.none()


def units_for(user: Any) -> QuerySet[Unit]:
    """Units the user may see."""
    qs = Unit.objects.all()
    if is_city_wide(user):
        # Said as "not in a ward of another province" rather than as a join on the ward's
        # path: the list then walks the units' name index instead of sorting all of them,
        # and when only the province's areas are loaded the condition costs nothing.
        elsewhere = AdministrativeArea.objects.exclude(path__startswith=province_path())
        qs = qs.exclude(ward_id__in=elsewhere.values("id"))
    return by_scope(qs, user, ward_field="ward_id", unit_field="pk")


def areas_for(user: Any) -> QuerySet[AdministrativeArea]:
    """Areas the user may see: the province for city roles, otherwise the assigned wards
    (or the ward of the user's unit) and what lies below them."""
    qs = AdministrativeArea.objects.all()
    if not _active(user):
        return qs.none()
    if user.role in CITY_ROLES:
        return qs.filter(path__startswith=province_path())
    ward_ids = ward_ids_for(user) or set()
    paths = AdministrativeArea.objects.filter(id__in=ward_ids).values_list("path", flat=True)
    return qs.filter(_subtree(paths))


def audit_for(user: Any) -> QuerySet[AuditEntry]:
    """Audit entries about objects the user may see."""
    qs = by_scope(AuditEntry.objects.all(), user, ward_field="ward_id", unit_field="unit_id")
    if _active(user) and user.role != Role.ADMIN:
        qs = qs.exclude(object_type__in=ACCOUNT_OBJECT_TYPES)
    if _active(user) and user.role in UNIT_ROLES:
        # A tip about a unit is not the unit's business unless it was routed to it; the
        # trail of the tips that were is on their own pages.
        qs = qs.exclude(object_type__in=TIP_OBJECT_TYPES)
    return qs


def jobs_for(user: Any) -> QuerySet[Job]:
    """Background jobs are private to whoever started them."""
    if not _active(user):
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def tips_for(user: Any) -> QuerySet[Tip]:
    """Tips the user may see: the city roles all of them, a ward officer those of his wards,
    a unit's officer and head the tips about their unit that were routed to them."""
    qs = Tip.objects.all()
    if not _active(user):
        return qs.none()
    if user.role in CITY_ROLES:
        return qs
    if user.role in UNIT_ROLES and user.unit_id:
        return qs.filter(unit_id=user.unit_id, unit_notified=True)
    if user.role in AREA_ROLES:
        return qs.filter(ward_id__in=ward_ids_for(user) or [])
    return qs.none()


def cases_for(user: Any) -> QuerySet[Case]:
    """Complaint and denunciation cases the user may see: the city roles all of them, a
    ward officer those of his wards, a unit's officer and head those of their unit."""
    return by_scope(Case.objects.all(), user, ward_field="ward_id", unit_field="unit_id")


def notifications_for(user: Any) -> QuerySet[Notification]:
    """A user's own inbox; nobody reads another's."""
    if not _active(user):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)
