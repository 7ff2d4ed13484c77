"""Reading the open deadlines of cases: the overdue board and its totals.

The board is read from ``CaseDeadline`` alone: its partial indexes hold the open deadlines
by due date (``case_deadline_open_due``) and by ward (``case_deadline_open_ward``), and the
rows carry copies of the case's ward and unit, so the user's scope is a filter on the
deadline table and a page of 100,000 open cases costs an index range, not a join.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from antq.accounts import scoping
from antq.cases.models import Case, CaseDeadline
from antq.cases.status import Stage
from antq.core.choices import choice_label
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import Block, kinds_of_block

# The "block" of a case without a unit: the police received it directly.
NO_UNIT = "none"


def _open_overdue(
    qs: QuerySet[CaseDeadline],
    *,
    today: dt.date,
    stage: str | None = None,
    kind: str | None = None,
    ward_id: int | None = None,
    block: str | None = None,
) -> QuerySet[CaseDeadline]:
    """The deadlines of ``qs`` still open whose day has passed, filtered, oldest first."""
    # ``due_on IS NOT NULL`` repeats the condition of the partial indexes so that every
    # database sees they apply (a suspended case's open deadline has no day).
    qs = qs.filter(met_on__isnull=True, due_on__isnull=False, due_on__lt=today)
    if stage:
        qs = qs.filter(stage=stage)
    if ward_id:
        qs = qs.filter(ward_id_copy=ward_id)
    if block == NO_UNIT:
        qs = qs.filter(unit_id_copy__isnull=True)
    elif block:
        units = Unit.objects.filter(kind__in=kinds_of_block(block)).values("id")
        qs = qs.filter(unit_id_copy__in=units)
    if kind:
        qs = qs.filter(case__kind=kind)
    return qs.select_related("case", "case__unit", "case__ward", "case__handler").order_by(
        "due_on", "id"
    )


def overdue_for(
    user: Any,
    *,
    today: dt.date,
    stage: str | None = None,
    kind: str | None = None,
    ward_id: int | None = None,
    block: str | None = None,
) -> QuerySet[CaseDeadline]:
    """Overdue open deadlines of the cases ``user`` may see (the rule of
    ``scoping.cases_for``, applied to the copies of ward and unit on the deadline)."""
    qs = scoping.by_scope(
        CaseDeadline.objects.all(), user, ward_field="ward_id_copy", unit_field="unit_id_copy"
    )
    return _open_overdue(qs, today=today, stage=stage, kind=kind, ward_id=ward_id, block=block)


def overdue_deadlines(
    qs_cases: QuerySet[Case],
    *,
    today: dt.date,
    stage: str | None = None,
    kind: str | None = None,
    ward_id: int | None = None,
    block: str | None = None,
) -> QuerySet[CaseDeadline]:
    """Overdue open deadlines of the cases of ``qs_cases`` (already scoped), oldest first.
    For a list of cases chosen otherwise than by scope; the board uses ``overdue_for``."""
    qs = CaseDeadline.objects.filter(case__in=qs_cases.order_by().values("pk"))
    return _open_overdue(qs, today=today, stage=stage, kind=kind, ward_id=ward_id, block=block)


@dataclass(frozen=True)
class Total:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class OverdueSummary:
    total: int
    by_ward: list[Total]
    by_stage: list[Total]


def overdue_summary(deadlines: QuerySet[CaseDeadline]) -> OverdueSummary:
    """How many of ``deadlines`` (from ``overdue_for`` or ``overdue_deadlines``) fall in each
    ward, most first, and in each stage, in the order of the law."""
    # One pass over the rows, grouped by both (at most wards × stages groups).
    cells = list(deadlines.order_by().values("ward_id_copy", "stage").annotate(n=Count("*")))
    wards: dict[int, int] = {}
    stages: dict[str, int] = {}
    for r in cells:
        wards[r["ward_id_copy"]] = wards.get(r["ward_id_copy"], 0) + r["n"]
        stages[r["stage"]] = stages.get(r["stage"], 0) + r["n"]
    names = dict(AdministrativeArea.objects.filter(pk__in=list(wards)).values_list("pk", "name"))
    by_ward = sorted(
        (Total(str(pk), names.get(pk, "—"), n) for pk, n in wards.items()),
        key=lambda t: (-t.count, t.label),
    )
    by_stage = [
        Total(value, str(label), stages[value])
        for value, label in Stage.choices
        if stages.get(value)
    ]
    return OverdueSummary(total=sum(wards.values()), by_ward=by_ward, by_stage=by_stage)


def block_choices() -> list[tuple[str, str]]:
    """The blocks a case can be counted in, "received by the police" (no unit) last."""
    return [*((b.value, str(b.label)) for b in Block), (NO_UNIT, no_unit_label())]


def no_unit_label() -> str:
    return _("Công an tiếp nhận (không gắn đơn vị)")


def stage_label(stage: str) -> str:
    return choice_label(Stage, stage)
