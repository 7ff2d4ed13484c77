"""Restoring diacritics with the shipped model: hand-checked sentences, what must stay as typed,
and properties that hold for any text."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antq.textvn import (
    diacritics,
    model_available,
    needs_restoration,
    restore_alternatives,
    restore_diacritics,
    strip_marks,
)
from antq.textvn.diacritics import MODEL_PATH, tokens
from antq.textvn.syllables import has_marks

HAND_CHECKED = Path(__file__).parent / "data" / "hand_checked.txt"


def _hand_checked() -> list[str]:
    lines = HAND_CHECKED.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_model_ships_small_and_versioned() -> None:
    assert model_available()
    assert MODEL_PATH.stat().st_size <= 10 * 1024 * 1024
    assert diacritics.restorer().meta["version"] == diacritics.MODEL_VERSION


def test_the_hotline_sms_of_the_issue() -> None:
    assert (
        restore_diacritics("co nguoi ban ma tuy o ngo 12 phuong hoan kiem")
        == "có người bán ma túy ở ngõ 12 phường hoàn kiếm"
    )


# Where the shipped model gets a hand-checked sentence wrong (a trigram sees two words back:
# "lấy trộm ví" needs "lấy" three words away), with what it reads. Kept as expected failures:
# a better model makes them pass, and then this table must shrink.
KNOWN_MISSES = {
    "thằng bé nhà tôi bị mấy bạn cùng trường trấn lột tiền": "… cùng trưởng trấn lột tiền",
    "bảo vệ bệnh viện bắt được kẻ lấy trộm ví của người nhà bệnh nhân": "… lấy trộm vị của …",
    "cháy nhà ở cuối ngõ cần xe chữa cháy gấp": "… xe chữa cháy gặp",
    "trộm đột nhập nhà dân lấy đi tiền và vàng": "… lấy đi tiền và vắng",
}


def _cases() -> list[object]:
    return [
        pytest.param(
            sentence,
            marks=pytest.mark.xfail(strict=True, reason=f"reads {KNOWN_MISSES[sentence]!r}"),
        )
        if sentence in KNOWN_MISSES
        else sentence
        for sentence in _hand_checked()
    ]


@pytest.mark.parametrize("sentence", _cases())
def test_hand_checked_sentences_are_restored(sentence: str) -> None:
    assert restore_diacritics(strip_marks(sentence)) == unicodedata.normalize("NFC", sentence)


def test_hand_checked_sentences_are_nearly_all_right() -> None:
    right = total = 0
    for sentence in _hand_checked():
        expected = sentence.split()
        got = restore_diacritics(strip_marks(sentence)).split()
        total += len(expected)
        right += sum(a == b for a, b in zip(expected, got, strict=True))
    assert right / total >= 0.97
    assert len(KNOWN_MISSES) <= len(_hand_checked()) // 8


@pytest.mark.parametrize(
    "kept",
    [
        "0912345678",
        "29A-123.45",
        "https://facebook.com/tin-bao",
        "www.congan.hanoi.gov.vn",
        "canbo@congan.vn",
        "zalo.me/0912345678",
        "UBND",
        "THPT",
        "12a",
        "B2",
        "street",
        "facebook",
    ],
)
def test_what_is_not_an_unmarked_syllable_is_kept_as_typed(kept: str) -> None:
    text = f"co nguoi goi {kept} bao tin"
    restored = restore_diacritics(text)
    assert kept in restored
    assert restored.startswith("có người gọi ")


def test_marked_words_are_kept_and_used_as_context() -> None:
    # "bàn" is typed with its mark: it stays, even where the model would prefer another.
    assert restore_diacritics("nguoi bàn ma tuy") == "người bàn ma túy"
    assert restore_diacritics("Hoà giai").startswith("Hoà ")


def test_capitals_are_kept() -> None:
    assert restore_diacritics("Co nguoi ban ma tuy") == "Có người bán ma túy"
    assert restore_diacritics("CO NGUOI BAN MA TUY") == "CÓ NGƯỜI BÁN MA TÚY"
    assert restore_diacritics("benh vien Bach Mai") == "bệnh viện Bạch Mai"


def test_the_spelling_convention_can_be_the_old_one(monkeypatch: pytest.MonkeyPatch) -> None:
    assert restore_diacritics("hoa giai") == "hòa giải"
    assert restore_diacritics("hoa giai", style="old") == "hoà giải"
    monkeypatch.setenv("ANTQ_TONE_STYLE", "old")
    assert restore_diacritics("ma tuy") == "ma tuý"


def test_alternatives_come_best_first_with_confidences() -> None:
    words = restore_alternatives("toi thay co nguoi ban ma tuy")
    assert [w.original for w in words] == ["toi", "thay", "co", "nguoi", "ban", "ma", "tuy"]
    restored = restore_diacritics("toi thay co nguoi ban ma tuy")
    assert " ".join(w.restored for w in words) == restored
    for word in words:
        assert word.alternatives[0][0] == word.restored
        confidences = [c for _, c in word.alternatives]
        assert confidences == sorted(confidences, reverse=True)
        assert 0 < sum(confidences) <= 1.001
        assert len(word.alternatives) <= 4
    ban = words[4]
    assert {"bán", "bạn", "bàn"} <= {
        form for form, _ in restore_alternatives("ban", limit=8)[0].alternatives
    }
    assert ban.restored == "bán"


def test_alternatives_of_a_text_without_candidates_are_empty() -> None:
    assert restore_alternatives("0912 345 678 — OK") == []
    assert restore_alternatives("") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("co nguoi ban ma tuy o ngo 12", True),
        ("Có người bán ma túy ở ngõ 12", False),
        ("co nguoi bán ma tuy o ngo", True),  # one mark in six
        ("ok 0912345678", False),
        ("ban oi", False),  # too short to say
        ("", False),
    ],
)
def test_needs_restoration(text: str, expected: bool) -> None:
    assert needs_restoration(text) is expected


def test_without_a_model_file_the_text_is_returned(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(diacritics, "MODEL_PATH", tmp_path / "missing.bin")
    assert not model_available()
    assert restore_diacritics("co nguoi ban") == "co nguoi ban"
    assert restore_alternatives("co nguoi ban") == []


def test_the_model_loads_lazily_and_without_the_training_code() -> None:
    code = (
        "import sys, antq.textvn\n"
        "from antq.textvn import diacritics\n"
        "assert diacritics._loaded is None\n"
        "assert diacritics.restore_diacritics('ma tuy') == 'ma túy'\n"
        "assert not [m for m in sys.modules if m.startswith('antq.textvn.training')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- properties ------------------------------------------------------------------------------

_SYLLABLES = st.sampled_from(
    [
        "co",
        "nguoi",
        "ban",
        "ma",
        "tuy",
        "o",
        "ngo",
        "phuong",
        "hoan",
        "kiem",
        "toi",
        "thay",
        "xe",
        "may",
        "danh",
        "nhau",
        "truong",
        "hoc",
        "benh",
        "vien",
        "cong",
        "an",
        "khieu",
        "nai",
        "to",
        "cao",
        "giai",
        "quyet",
        "thoi",
        "han",
        "ngay",
    ]
)
_OTHER = st.sampled_from(
    ["0912345678", "29A-123.45", "UBND", "street", "https://x.vn/a", "12", "ma túy", "Đà Nẵng"]
)
_SEPARATORS = st.sampled_from([" ", " ", " ", ", ", ". ", "\n", " - ", "  "])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(_SYLLABLES, _SYLLABLES, _OTHER), min_size=1, max_size=14))
    capitalised = [p.capitalize() if draw(st.integers(0, 5)) == 0 else p for p in parts]
    text = ""
    for part in capitalised:
        text += part + draw(_SEPARATORS)
    return text


@settings(max_examples=150, deadline=None)
@given(_texts())
def test_restoring_only_adds_marks_to_unmarked_words(text: str) -> None:
    restored = restore_diacritics(text)
    # Same tokens, same places; removing the marks gives back the input's unmarked words.
    before, after = tokens(text), tokens(restored)
    assert [(t.start, t.end, t.kind) for t in before] == [(t.start, t.end, t.kind) for t in after]
    assert strip_marks(restored) == strip_marks(text)
    for token in before:
        piece = text[token.start : token.end]
        if token.kind != "word" or has_marks(piece) or not piece.isascii():
            assert restored[token.start : token.end] == piece  # marked, numbers, codes, links
    for word in ("street", "UBND", "0912345678", "29A-123.45", "https://x.vn/a"):
        assert text.count(word) == restored.count(word)
