"""Reads from the registry, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from antq.accounts import scoping
from antq.core.models import AuditEntry
from antq.registry.models import AdministrativeArea, ImportBatch, Unit
from antq.registry.status import KIND_BLOCK, AreaLevel, Block, kinds_of_block
from antq.textvn import fold


@dataclass(frozen=True)
class UnitFilters:
    q: str = ""
    block: str = ""
    kind: str = ""
    ward: int | None = None
    status: str = ""


def unit_list_for(user: Any, filters: UnitFilters | None = None) -> QuerySet[Unit]:
    """Units the user may see, filtered; ordered by name (accent-insensitive)."""
    qs = scoping.units_for(user).select_related("ward")
    if filters is None:
        return qs
    if filters.q:
        folded = fold(filters.q)
        code = filters.q.strip().replace(" ", "")
        qs = qs.filter(Q(name_folded__contains=folded) | Q(code=code))
    if filters.block:
        qs = qs.filter(kind__in=kinds_of_block(filters.block))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.ward:
        qs = qs.filter(ward_id=filters.ward)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


def unit_get_for(user: Any, pk: Any) -> Unit:
    """One unit, or 404 if it does not exist *or* is outside the user's scope."""
    try:
        return scoping.units_for(user).select_related("ward", "ward__parent").get(pk=int(pk))
    except (Unit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def unit_history_for(user: Any, unit: Unit) -> QuerySet[AuditEntry]:
    return scoping.audit_for(user).filter(object_type="registry.unit", object_id=str(unit.pk))


@dataclass(frozen=True)
class Facet:
    value: str
    label: str
    count: int


def unit_block_counts(qs: QuerySet[Unit]) -> list[Facet]:
    """Counts of ``qs`` by block, in the order of ``Block``. The facets count rows (``*``),
    not ids: PostgreSQL then answers from the index ``unit_kind_ward`` alone."""
    by_kind = dict(
        qs.order_by().values_list("kind").annotate(n=Count("*")).values_list("kind", "n")
    )
    totals = {block: 0 for block in Block.values}
    for kind, n in by_kind.items():
        totals[KIND_BLOCK[kind]] += n
    return [Facet(b.value, str(b.label), totals[b.value]) for b in Block]


def unit_ward_counts(qs: QuerySet[Unit], limit: int | None = None) -> list[Facet]:
    """Counts of ``qs`` by ward, largest first (then by name). Grouped by the ward's id alone
    (a scan of an index) and named afterwards: grouping by the joined name costs 4x more."""
    counts = dict(qs.order_by().values_list("ward_id").annotate(n=Count("*")))
    names = dict(AdministrativeArea.objects.filter(pk__in=counts).values_list("id", "name"))
    rows = sorted(counts.items(), key=lambda item: (-item[1], names.get(item[0], "")))
    return [Facet(str(pk), names.get(pk, ""), n) for pk, n in rows[:limit]]


def ward_choices_for(user: Any) -> list[tuple[int, str]]:
    """Wards the user may pick (filters, unit forms)."""
    return list(ward_list_for(user).order_by("name_folded").values_list("id", "name"))


def ward_list_for(user: Any) -> QuerySet[AdministrativeArea]:
    """Wards the user may see and put units in (forms and the API use the same rule)."""
    return scoping.areas_for(user).filter(level=AreaLevel.WARD)


def area_list_for(
    user: Any, *, parent: AdministrativeArea | None = None, q: str = ""
) -> QuerySet[AdministrativeArea]:
    qs = scoping.areas_for(user)
    if parent is not None:
        qs = qs.filter(parent=parent)
    if q:
        qs = qs.filter(name_folded__contains=fold(q))
    return qs


def area_get_for(user: Any, pk: Any) -> AdministrativeArea:
    try:
        return scoping.areas_for(user).select_related("parent").get(pk=int(pk))
    except (AdministrativeArea.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


_WARD_PREFIXES = ("", "phuong ", "xa ", "dac khu ", "thi tran ")
_ABBREVIATIONS = {"p.": "phuong ", "p ": "phuong ", "x.": "xa ", "tt.": "thi tran "}


def ward_resolve(name: str, *, province_code: str | None = None) -> list[AdministrativeArea]:
    """Wards whose current or former name is ``name`` (accent-insensitive).

    "Hoàn Kiếm", "phuong hoan kiem" and "P. Hoàn Kiếm" all find Phường Hoàn Kiếm; a former
    name ("Phường Hàng Bạc", optionally ", Quận Hoàn Kiếm") finds the ward(s) that absorbed
    it. More than one result means the name is ambiguous.
    """
    folded = fold(name)
    for short, full in _ABBREVIATIONS.items():
        if folded.startswith(short):
            folded = full + folded[len(short) :]
    folded = " ".join(folded.split())
    if not folded:
        return []
    district = ""
    if "," in folded:
        folded, district = (part.strip() for part in folded.split(",", 1))
    candidates = [prefix + folded for prefix in _WARD_PREFIXES]
    province = province_code or scoping.province_path().rstrip("/")
    wards = AdministrativeArea.objects.filter(level=AreaLevel.WARD, parent__code=province)
    if not district:
        current = list(wards.filter(name_folded__in=candidates))
        if current:
            return current
    alias = Q()
    for candidate in candidates:
        if district:
            alias |= Q(aliases__name_folded=f"{candidate} ({district})")
        else:
            alias |= Q(aliases__name_folded=candidate)
            alias |= Q(aliases__name_folded__startswith=candidate + " (")
    return list(wards.filter(alias).distinct().order_by("name_folded"))


def import_batch_get_for(user: Any, pk: Any) -> ImportBatch:
    """An import batch is private to the user who uploaded it."""
    try:
        return ImportBatch.objects.get(pk=int(pk), owner=user)
    except (ImportBatch.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
