from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from antq.registry.models import AdministrativeArea
from antq.registry.status import AreaLevel

pytestmark = pytest.mark.django_db


def _load(**options: object) -> str:
    out = io.StringIO()
    call_command("load-areas", stdout=out, **options)
    return out.getvalue()


def _counts() -> tuple[int, int]:
    areas = AdministrativeArea.objects
    return (
        areas.filter(level=AreaLevel.PROVINCE).count(),
        areas.filter(level=AreaLevel.WARD).count(),
    )


def test_it_loads_ha_noi_and_its_126_wards():
    output = _load(province=1)
    assert _counts() == (1, 126)
    assert "1 tỉnh, thành phố; 126 xã, phường, đặc khu" in output
    hoan_kiem = AdministrativeArea.objects.get(code="00070")
    assert (hoan_kiem.name, hoan_kiem.parent.name) == ("Phường Hoàn Kiếm", "Thành phố Hà Nội")
    assert hoan_kiem.path == "01/00070/"


def test_loading_again_changes_nothing():
    _load(province=1)
    before = list(AdministrativeArea.objects.values_list("id", "code", "path", "parent_id"))
    output = _load(province=1)
    assert "126 xã, phường, đặc khu" in output
    after = list(AdministrativeArea.objects.values_list("id", "code", "path", "parent_id"))
    assert after == before


def test_an_unknown_province_is_refused():
    with pytest.raises(CommandError, match="999"):
        _load(province=999)
    assert _counts() == (0, 0)
