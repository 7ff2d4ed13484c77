"""Load the official administrative areas (after 1 July 2025) from ``vietnam-provinces``.

The former names of each ward (before the 2025 merger) come from ``data/former_wards.json``,
built from the MIT-licensed ``vietnamadminunits`` package by ``scripts/build_former_wards.py``.
Loading is idempotent: existing areas are updated in place, never duplicated.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from antq.core.audit import audit_record
from antq.core.models import AuditAction
from antq.registry.models import AdministrativeArea, AreaAlias
from antq.registry.status import AreaLevel
from antq.textvn import fold

MERGER_DATE = dt.date(2025, 7, 1)
FORMER_WARDS_PATH = Path(__file__).parent / "data" / "former_wards.json"


@dataclass(frozen=True)
class LoadResult:
    provinces: int
    wards: int
    aliases: int


def _divisions() -> list[dict[str, Any]]:
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    return list(json.loads(Path(NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8")))


@cache
def _former_wards() -> dict[str, list[list[Any]]]:
    if not FORMER_WARDS_PATH.exists():
        return {}
    return dict(json.loads(FORMER_WARDS_PATH.read_text(encoding="utf-8")))


def province_choices() -> list[tuple[int, str]]:
    return [(p["code"], p["name"]) for p in _divisions()]


def _upsert(
    *, code: str, name: str, level: str, division_type: str, parent: AdministrativeArea | None
) -> AdministrativeArea:
    path = (parent.path if parent else "") + code + "/"
    area, _ = AdministrativeArea.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "name_folded": fold(name),
            "level": level,
            "division_type": division_type,
            "parent": parent,
            "path": path,
            "valid_from": MERGER_DATE,
        },
    )
    return area


@transaction.atomic
def areas_load(*, province_code: int | None = None) -> LoadResult:
    """Load every province (or one) with its wards and the wards' former names."""
    provinces = wards = aliases = 0
    former = _former_wards()
    for province in _divisions():
        if province_code is not None and province["code"] != province_code:
            continue
        p = _upsert(
            code=f"{province['code']:02d}",
            name=province["name"],
            level=AreaLevel.PROVINCE,
            division_type=province["division_type"],
            parent=None,
        )
        provinces += 1
        for ward in province["wards"]:
            w = _upsert(
                code=f"{ward['code']:05d}",
                name=ward["name"],
                level=AreaLevel.WARD,
                division_type=ward["division_type"],
                parent=p,
            )
            wards += 1
            existing = set(w.aliases.values_list("name_folded", flat=True))
            new_aliases = []
            for old_name, old_district, old_code, _split in former.get(w.code, []):
                # Tell apart homonyms: "Phường Hàng Bạc (Quận Hoàn Kiếm)". Island districts
                # that had no wards (Huyện Côn Đảo…) are the former name themselves.
                if old_name and old_district:
                    label = f"{old_name} ({old_district})"
                else:
                    label = old_name or old_district
                if not label:
                    continue
                folded = fold(label)
                if folded in existing:
                    continue
                existing.add(folded)
                new_aliases.append(
                    AreaAlias(
                        area=w,
                        name=label,
                        name_folded=folded,
                        former_code=old_code,
                        valid_until=MERGER_DATE,
                    )
                )
            AreaAlias.objects.bulk_create(new_aliases)
            aliases += len(new_aliases)
    return LoadResult(provinces, wards, aliases)


@transaction.atomic
def residential_area_create(
    *, ward: AdministrativeArea, name: str, kind: str = "Tổ dân phố", actor: Any = None
) -> AdministrativeArea:
    """Add a khu dân cư / tổ dân phố / thôn below a ward (local data, not in the package)."""
    number = AdministrativeArea.objects.filter(parent=ward).count() + 1
    code = f"{ward.code}-{number}"
    area = AdministrativeArea(
        code=code,
        name=name,
        name_folded=fold(name),
        level=AreaLevel.RESIDENTIAL,
        division_type=kind,
        parent=ward,
        path=f"{ward.path}{code}/",
    )
    area.full_clean()  # a taken code is refused, never overwritten
    area.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=area,
        after={"name": area.name, "division_type": kind, "parent": ward.pk},
        ward_id=ward.pk,
    )
    return area
