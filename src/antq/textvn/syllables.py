"""Vietnamese syllables: their tone mark, where it sits, and the two spelling conventions.

A written syllable is letters (some with a shape mark: ă â ê ô ơ ư đ) plus at most one tone
mark (huyền, sắc, hỏi, ngã, nặng) on one vowel. Two conventions place the tone of an open
*oa, oe, uy*: the "new" one (the Ministry of Education's, used in this product's texts) on the
first vowel — *hòa, khỏe, thủy, túy* — and the "old" one on the second — *hoà, khoẻ, thuỷ,
tuý*. Everywhere else both agree. The restorer trains and decodes in the new convention and
writes either (:func:`place_tone`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Literal

Style = Literal["new", "old"]
STYLES: tuple[Style, ...] = ("new", "old")

# Each vowel with its five tones, in the order none, huyền, sắc, hỏi, ngã, nặng.
_TONED = {
    "a": "aàáảãạ",
    "ă": "ăằắẳẵặ",
    "â": "âầấẩẫậ",
    "e": "eèéẻẽẹ",
    "ê": "êềếểễệ",
    "i": "iìíỉĩị",
    "o": "oòóỏõọ",
    "ô": "ôồốổỗộ",
    "ơ": "ơờớởỡợ",
    "u": "uùúủũụ",
    "ư": "ưừứửữự",
    "y": "yỳýỷỹỵ",
}
# toned vowel → (bare vowel, tone number 0-5)
_SPLIT = {ch: (base, tone) for base, row in _TONED.items() for tone, ch in enumerate(row)}
VOWELS = frozenset(_TONED)
_SHAPED = frozenset("ăâêôơư")
# Lower-case letters a Vietnamese syllable may contain (marks included).
LETTERS = frozenset("bcdđghklmnpqrstvx") | frozenset(_SPLIT)
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"[aăâeêioôơuưy]{1,3}"
    r"(?:ng|nh|ch|[cmnpt])?"
)


def split_tone(syllable: str) -> tuple[str, int]:
    """``("hoa", 1)`` for *hòa* or *hoà*: the syllable without its tone, and the tone (0 for
    none). Lower-case NFC input; a character that is not a toned vowel passes through."""
    bare = []
    tone = 0
    for ch in syllable:
        base, mark = _SPLIT.get(ch, (ch, 0))
        if mark:
            tone = mark
        bare.append(base)
    return "".join(bare), tone


def _nucleus(bare: str) -> tuple[int, int]:
    """Start and end of the vowel nucleus of a tone-less, lower-case syllable."""
    start = 0
    while start < len(bare) and bare[start] not in VOWELS:
        start += 1
    # "qu" and "gi" before another vowel: the u and the i belong to the initial consonant.
    glide = (bare[:start], bare[start : start + 1]) in (("q", "u"), ("g", "i"))
    if glide and start < len(bare) - 1 and bare[start + 1] in VOWELS:
        start += 1
    end = start
    while end < len(bare) and bare[end] in VOWELS:
        end += 1
    return start, end


def tone_position(bare: str, style: Style = "new") -> int | None:
    """Index of the vowel that carries the tone of ``bare`` (a tone-less lower-case syllable),
    or None when it has no vowel."""
    start, end = _nucleus(bare)
    if start == end:
        return None
    nucleus = bare[start:end]
    shaped = [i for i, ch in enumerate(nucleus) if ch in _SHAPED]
    if shaped:  # ươ → ơ, iê/yê → ê, uô → ô, ưu → ư
        return start + shaped[-1]
    if end < len(bare):  # closed syllable: the last vowel (hoàng, toán, quỳnh)
        return end - 1
    if len(nucleus) == 3:  # ngoài, khuỷu, ngoẹo
        return start + 1
    if len(nucleus) == 2 and style == "old" and nucleus in ("oa", "oe", "uy"):
        return start + 1
    return start


def place_tone(bare: str, tone: int, style: Style = "new") -> str:
    """The syllable ``bare`` with ``tone`` put where ``style`` wants it."""
    if not tone:
        return bare
    position = tone_position(bare, style)
    if position is None:
        return bare
    return bare[:position] + _TONED[bare[position]][tone] + bare[position + 1 :]


@functools.lru_cache(maxsize=65536)
def canonical(syllable: str, style: Style = "new") -> str:
    """A lower-case syllable spelt in one convention: ``canonical("thuỷ")`` → ``"thủy"``."""
    bare, tone = split_tone(unicodedata.normalize("NFC", syllable))
    return place_tone(bare, tone, style)


def is_syllable(word: str) -> bool:
    """Whether a lower-case NFC word is shaped like one Vietnamese syllable (initial, one to
    three vowels, final); says nothing of whether it is in use."""
    bare, _ = split_tone(word)
    return _SYLLABLE.fullmatch(bare) is not None


def has_marks(word: str) -> bool:
    """Whether a word carries any Vietnamese mark (a tone, a shape mark or đ)."""
    return any((ch in _SPLIT and ch not in "aeiouy") or ch in "đĐ" for ch in word.lower())


def match_case(form: str, like: str) -> str:
    """``form`` with the capitals of ``like`` (same length: a syllable and its restoration)."""
    if like.islower():
        return form
    if like.isupper():
        return form.upper()
    return "".join(c.upper() if o.isupper() else c for c, o in zip(form, like, strict=False))
