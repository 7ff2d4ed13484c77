"""Small plain factories. Each writes through the model directly (no audit rows), except
where a test is about the service itself."""

from __future__ import annotations

import itertools
from typing import Any

from antq.accounts.models import User
from antq.accounts.roles import Role
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import UnitKind
from antq.textvn import fold
from antq.tips.models import Tip, TipCategory
from antq.tips.services import Receipt, tip_receive

_seq = itertools.count(1)
PASSWORD = "mat-khau-thu-nghiem-2026"


def ward(code: str = "00070") -> AdministrativeArea:
    return AdministrativeArea.objects.get(code=code)


def make_unit(
    *,
    area: AdministrativeArea | None = None,
    kind: str = UnitKind.HOSPITAL,
    name: str | None = None,
    **fields: Any,
) -> Unit:
    n = next(_seq)
    name = name or f"Đơn vị thử nghiệm số {n}"
    return Unit.objects.create(
        name=name,
        name_folded=fold(name),
        kind=kind,
        ward=area or ward(),
        **fields,
    )


def make_user(
    role: str,
    *,
    username: str | None = None,
    unit: Unit | None = None,
    areas: list[AdministrativeArea] | None = None,
    **fields: Any,
) -> User:
    n = next(_seq)
    user = User(
        username=username or f"{role}{n}",
        full_name=fields.pop("full_name", f"Người dùng {role} {n}"),
        role=role,
        unit=unit,
        **fields,
    )
    user.set_password(PASSWORD)
    user.save()
    if areas:
        user.areas.set(areas)
    return user


def make_admin() -> User:
    return make_user(Role.ADMIN)


def receive_tip(
    *,
    category: str = "khac",
    text: str = "Có người lạ đứng trước cổng nhiều đêm liền",
    channel: str = "web",
    **fields: Any,
) -> Receipt:
    """A tip as a citizen files it (through the service, with its audit row)."""
    return tip_receive(
        channel=channel, category=TipCategory.objects.get(code=category), text=text, **fields
    )


def make_tip(**fields: Any) -> Tip:
    return receive_tip(**fields).tip
