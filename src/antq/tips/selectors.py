"""Reads of tips, always scoped by ``accounts.scoping.tips_for``."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from antq.accounts import scoping
from antq.core.models import AuditEntry
from antq.core.pagination import PageIds
from antq.tips.models import Tip
from antq.tips.status import OPEN_STATUSES


class Box:
    """The inbox views of an officer."""

    ALL = ""
    MINE = "mine"
    UNASSIGNED = "unassigned"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


# The boxes of deadlines list the nearest (or most overdue) deadline first: the tip to verify
# next. From the index tip_status_deadline, whatever the age of the tips.
DEADLINE_ORDER = ("deadline", "-received_at", "-id")


@dataclass(frozen=True)
class TipFilters:
    box: str = Box.ALL
    category: int | None = None
    ward: int | None = None
    status: str = ""
    channel: str = ""
    urgency: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def tip_list_for(user: Any, filters: TipFilters | None = None) -> QuerySet[Tip]:
    """Tips the user may see, filtered by an inbox view and criteria; newest first, except in
    the boxes of deadlines (nearest deadline first)."""
    qs = scoping.tips_for(user).select_related("category", "ward", "assignee")
    if filters is None:
        return qs
    today = timezone.localdate()
    if filters.box == Box.MINE:
        qs = qs.filter(assignee_id=user.pk, status__in=OPEN_STATUSES)
    elif filters.box == Box.UNASSIGNED:
        qs = qs.filter(assignee__isnull=True, status__in=OPEN_STATUSES)
    elif filters.box == Box.DUE_SOON:
        soon = today + dt.timedelta(days=settings.TIP_DUE_SOON_DAYS)
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__gte=today, deadline__lte=soon)
        qs = qs.order_by(*DEADLINE_ORDER)
    elif filters.box == Box.OVERDUE:
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=today).order_by(*DEADLINE_ORDER)
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    if filters.ward:
        qs = qs.filter(ward_id=filters.ward)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.date_from:
        qs = qs.filter(received_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        qs = qs.filter(received_at__lt=_local_midnight(filters.date_to + dt.timedelta(days=1)))
    return qs


# A scope of at most this many wards is paged ward by ward (``tip_page_ids_for``), up to this
# many rows deep; deeper, reading that many rows of each ward costs more than the sort.
MERGE_WARDS_MAX = 8
MERGE_ROWS_MAX = 2000


def tip_page_ids_for(user: Any, filters: TipFilters) -> PageIds | None:
    """How to find the ids of an inbox page when the user's scope is a few wards: each ward's
    tips newest first (an index walk that stops after the page), merged. Neither database
    merges the ranges of an index for ``ward IN (...)``: they sort every tip of those wards,
    a hundred thousand in a busy pair. ``None`` when the plain query is as good."""
    wards = scoping.ward_ids_for(user)
    if filters.ward or not wards or not 1 < len(wards) <= MERGE_WARDS_MAX:
        return None
    if filters.box in (Box.DUE_SOON, Box.OVERDUE):
        return None  # ordered by deadline, and few

    def ids(qs: QuerySet[Tip], offset: int, limit: int) -> list[int]:
        if offset + limit > MERGE_ROWS_MAX:
            return list(qs.values_list("pk", flat=True)[offset : offset + limit])
        streams = [
            qs.filter(ward_id=ward)
            .order_by("-received_at", "-id")
            .values_list("received_at", "id")[: offset + limit]
            for ward in sorted(wards)
        ]
        merged = heapq.merge(*streams, reverse=True)
        return [pk for _at, pk in itertools.islice(merged, offset, offset + limit)]

    return ids


def tip_box_count(user: Any, box: str, *, cap: int) -> tuple[int, bool]:
    """How many tips wait in an inbox view, counted up to ``cap`` (cheap on a million tips):
    ``(count, more_than_cap)``."""
    qs = tip_list_for(user, TipFilters(box=box)).select_related(None).order_by()
    counted = qs[: cap + 1].count()
    return min(counted, cap), counted > cap


def tip_get_for(user: Any, pk: Any) -> Tip:
    """One tip, or 404 if it does not exist *or* is outside the user's scope."""
    try:
        return (
            scoping.tips_for(user)
            .select_related("category", "ward", "unit", "assignee", "merged_into", "partner")
            .get(pk=int(pk))
        )
    except (Tip.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def tip_history_for(user: Any, tip: Tip) -> QuerySet[AuditEntry]:
    """The audit trail of a tip (its timeline), oldest first."""
    return (
        AuditEntry.objects.filter(object_type="tips.tip", object_id=str(tip.pk))
        .select_related("actor")
        .order_by("id")
    )


def tip_for_partner(partner: Any, code: str) -> Tip | None:
    return Tip.objects.filter(partner=partner, code=code).first() if partner else None
