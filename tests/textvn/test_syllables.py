from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antq.textvn.syllables import (
    canonical,
    has_marks,
    is_syllable,
    match_case,
    place_tone,
    split_tone,
    tone_position,
)


@pytest.mark.parametrize(
    ("written", "new", "old"),
    [
        # The two conventions differ only on an open oa, oe, uy.
        ("hoà", "hòa", "hoà"),
        ("hòa", "hòa", "hoà"),
        ("thuỷ", "thủy", "thuỷ"),
        ("tuý", "túy", "tuý"),
        ("khoẻ", "khỏe", "khoẻ"),
        ("loà", "lòa", "loà"),
        # Everywhere else they agree.
        ("hoàng", "hoàng", "hoàng"),  # closed: the last vowel
        ("toán", "toán", "toán"),
        ("quý", "quý", "quý"),  # qu: the u is a consonant
        ("quả", "quả", "quả"),
        ("quyết", "quyết", "quyết"),  # the shaped vowel
        ("giữa", "giữa", "giữa"),  # gi: the i is a consonant
        ("gìn", "gìn", "gìn"),  # ... unless it is the only vowel
        ("người", "người", "người"),  # ươ: on ơ
        ("ngoài", "ngoài", "ngoài"),  # three vowels: the middle one
        ("khuỷu", "khuỷu", "khuỷu"),
        ("mía", "mía", "mía"),
        ("hưu", "hưu", "hưu"),
        ("thuở", "thuở", "thuở"),
        ("ma", "ma", "ma"),
    ],
)
def test_tone_placement_follows_the_chosen_convention(written: str, new: str, old: str) -> None:
    assert canonical(written) == new
    assert canonical(written, "new") == new
    assert canonical(written, "old") == old


def test_split_tone_separates_the_tone_from_the_letters() -> None:
    assert split_tone("người") == ("ngươi", 1)
    assert split_tone("ma") == ("ma", 0)
    assert split_tone("túy") == ("tuy", 2)
    assert split_tone("ạ") == ("a", 5)


def test_a_syllable_without_vowel_has_no_tone_position() -> None:
    assert tone_position("kh") is None
    assert place_tone("kh", 2) == "kh"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("nguoi", True),
        ("người", True),
        ("khuya", True),
        ("street", False),
        ("ubnd", False),
        ("thpt", False),
        ("a", True),
    ],
)
def test_is_syllable(word: str, expected: bool) -> None:
    assert is_syllable(word) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("đi", True), ("ăn", True), ("bán", True), ("ban", False), ("Hà", True), ("HCM", False)],
)
def test_has_marks(word: str, expected: bool) -> None:
    assert has_marks(word) is expected


def test_match_case_copies_capitals() -> None:
    assert match_case("đường", "Duong") == "Đường"
    assert match_case("đường", "DUONG") == "ĐƯỜNG"
    assert match_case("đường", "duong") == "đường"
    assert match_case("đường", "dUong") == "đƯờng"


_BARE = st.sampled_from(["hoa", "thuy", "tuy", "khoe", "hoang", "nguoi", "ngoai", "quy", "gia"])


@given(_BARE, st.integers(min_value=0, max_value=5))
def test_converting_between_conventions_round_trips(bare: str, tone: int) -> None:
    new = place_tone(bare, tone, "new")
    old = place_tone(bare, tone, "old")
    assert canonical(old, "new") == new
    assert canonical(new, "old") == old
    assert split_tone(new) == (bare, tone) == split_tone(old)
