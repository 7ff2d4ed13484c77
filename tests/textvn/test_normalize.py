from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antq.textvn import fold, nfc, squash_spaces, strip_marks


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Bệnh viện Hữu Nghị Việt Đức", "benh vien huu nghi viet duc"),
        ("ĐỒNG ĐA", "dong da"),
        ("Trường THPT  Phan Đình Phùng", "truong thpt phan dinh phung"),
        ("Phường\u00a0Hoàn Kiếm", "phuong hoan kiem"),
        ("Lừa\u200b đảo", "lua dao"),
        ("", ""),
    ],
)
def test_it_folds_accents_case_and_spaces(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_it_folds_decomposed_and_composed_text_alike() -> None:
    composed = "Hoàn Kiếm"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert fold(decomposed) == fold(composed) == "hoan kiem"
    assert nfc(decomposed) == composed


def test_it_squashes_invisible_characters_and_spaces() -> None:
    assert squash_spaces("  a \t\n b\u200e ") == "a b"


@given(st.text())
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_folded_text_has_no_vietnamese_marks(text: str) -> None:
    folded = fold(text)
    assert "đ" not in folded
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", folded))


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("Đà Nẵng, ngõ 12!", "Da Nang, ngo 12!"),
        ("CÓ NGƯỜI BÁN", "CO NGUOI BAN"),
        (unicodedata.normalize("NFD", "Hoàn Kiếm"), "Hoan Kiem"),
        ("already plain", "already plain"),
    ],
)
def test_strip_marks_keeps_capitals_spaces_and_punctuation(text: str, stripped: str) -> None:
    assert strip_marks(text) == stripped
