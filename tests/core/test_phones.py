from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antq.core.phones import InvalidPhone, display_phone, normalize_phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("024 3825 1234", "+842438251234"),
        ("(024) 3825-1234", "+842438251234"),
        ("", ""),
    ],
)
def test_it_normalises_vietnamese_numbers_to_plus_84(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    "raw", ["12345", "091234", "0012345678", "09123456789012", "abc", "+1 202 555 0100"]
)
def test_it_refuses_what_is_not_a_vietnamese_number(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_it_displays_numbers_in_the_local_form() -> None:
    assert display_phone("+84912345678") == "0912 345 678"
    assert display_phone("+842438251234") == "024 3825 1234"


@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True))
def test_normalising_twice_changes_nothing(raw: str) -> None:
    once = normalize_phone(raw)
    assert normalize_phone(once) == once
    assert display_phone(once).replace(" ", "") == raw
