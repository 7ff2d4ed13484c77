from __future__ import annotations

import pytest

from antq.registry.selectors import ward_resolve


def _names(found) -> list[str]:
    return [w.name for w in found]


@pytest.mark.parametrize(
    "text", ["Phường Hoàn Kiếm", "phuong hoan kiem", "Hoàn Kiếm", "P. Hoàn Kiếm", "  HOAN  KIEM "]
)
def test_it_finds_a_ward_by_its_current_name_however_written(areas, text) -> None:
    assert _names(ward_resolve(text)) == ["Phường Hoàn Kiếm"]


def test_it_finds_the_ward_that_absorbed_a_former_ward(areas) -> None:
    assert _names(ward_resolve("Phường Hàng Bạc")) == ["Phường Hoàn Kiếm"]
    assert _names(ward_resolve("hang bac, quan hoan kiem")) == ["Phường Hoàn Kiếm"]


def test_a_former_ward_split_in_several_is_ambiguous(areas) -> None:
    # Phường Điện Biên (Quận Ba Đình) was divided between several new wards.
    assert len(ward_resolve("Phường Điện Biên, Quận Ba Đình")) > 1


def test_an_unknown_name_finds_nothing(areas) -> None:
    assert ward_resolve("Phường Không Có") == []
    assert ward_resolve("") == []
