"""Reads of cross-cutting records, scoped."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from antq.accounts import scoping
from antq.core.models import AuditEntry, Job


def job_get_for(user: Any, pk: Any) -> Job:
    try:
        return scoping.jobs_for(user).get(pk=int(pk))
    except (Job.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def audit_list_for(
    user: Any, *, object_type: str = "", action: str = "", q: str = ""
) -> QuerySet[AuditEntry]:
    qs = scoping.audit_for(user)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if action:
        qs = qs.filter(action=action)
    if q:
        qs = qs.filter(object_repr__icontains=q.strip())
    return qs.order_by("-id")


def audit_get_for(user: Any, pk: Any) -> AuditEntry:
    try:
        return scoping.audit_for(user).get(pk=int(pk))
    except (AuditEntry.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
