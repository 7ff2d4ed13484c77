"""Properties of the textvn functions over generated text (hypothesis)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from antq.textvn import expand, fold, index_text, nfc, word_spans, words

# Every letter of Vietnamese with every tone, in both cases, composed.
_BASES = "aăâeêioôơuưy"
_TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
VIETNAMESE_LETTERS = sorted(
    {nfc(base + tone) for base in _BASES for tone in _TONES}
    | {nfc(base + tone).upper() for base in _BASES for tone in _TONES}
    | set("bcdđghklmnpqrstvxfjwzBCDĐGHKLMNPQRSTVXFJWZ")
)
vietnamese = st.text(
    alphabet=st.sampled_from([*VIETNAMESE_LETTERS, *"0123456789 ,.;:!?-()\"'\n\t"]), max_size=80
)
# Anything at all, including decomposed marks, invisible characters and other scripts.
anything = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
_INVISIBLE = set("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff")


@given(anything)
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(anything)
def test_composed_and_decomposed_text_fold_alike(text: str) -> None:
    assert fold(unicodedata.normalize("NFC", text)) == fold(text)
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


@given(vietnamese)
def test_folding_vietnamese_keeps_one_plain_letter_per_letter(text: str) -> None:
    folded = fold(text)
    assert folded.isascii()
    assert len(folded.replace(" ", "")) == len("".join(text.split()))
    assert fold(unicodedata.normalize("NFD", text)) == folded


@given(anything)
def test_folding_loses_no_character_but_marks_and_spaces(text: str) -> None:
    """Every character that is not a combining mark, a space or invisible is still there,
    folded (lower-cased, đ as d), in the same order."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    kept = [
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and not ch.isspace() and ch not in _INVISIBLE
    ]
    expected = "".join(ch.casefold() for ch in kept).replace("đ", "d").replace("ð", "d")
    assert fold(text).replace(" ", "") == expected


@given(anything)
def test_word_spans_point_at_the_words_in_the_original_text(text: str) -> None:
    spans = word_spans(text)
    assert [span.folded for span in spans] == words(text)
    for span in spans:
        assert span.folded in fold(text[span.start : span.end])
        assert not unicodedata.combining(text[span.start])
        assert span.end == len(text) or not unicodedata.combining(text[span.end])


@given(anything)
def test_decomposed_text_has_the_same_words(text: str) -> None:
    decomposed = unicodedata.normalize("NFD", text)
    assert [span.folded for span in word_spans(decomposed)] == words(text)


@given(vietnamese)
def test_word_spans_of_vietnamese_cover_whole_letters(text: str) -> None:
    for source in (text, unicodedata.normalize("NFD", text)):
        for span in word_spans(source):
            assert fold(source[span.start : span.end]) == span.folded


@given(st.one_of(anything, vietnamese, st.just("Báo ANTT, UBND và HĐND")))
def test_expansion_never_loses_the_original_words(text: str) -> None:
    expanded = expand(text).split()
    remaining = iter(expanded)
    assert all(word in remaining for word in words(text))  # a subsequence, in order
    assert index_text(text).split()[: len(expanded)] == expanded


@given(st.one_of(anything, vietnamese, st.just("Họp ANTT (an ninh, trật tự) tại TT y tế")))
def test_expansion_is_idempotent_on_folded_text(text: str) -> None:
    folded = fold(text)
    assert expand(expand(folded)) == expand(folded)


@given(st.one_of(vietnamese, anything))
def test_word_spans_at_once_are_those_found_character_by_character(text: str) -> None:
    from antq.textvn.normalize import _word_spans_by_character

    assert word_spans(text) == _word_spans_by_character(text)
