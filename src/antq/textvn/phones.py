"""Phone numbers inside free text, so that "0912 345 678" and "+84912345678" find each other.

``normalize_phone`` (to +84) lives in ``antq.core.phones`` and is re-exported here; this module
finds numbers written in a text in groups ("0912.345.678", "(024) 3825 1234") and gives each
its one searchable word: the national form with a leading 0, "0912345678".
"""

from __future__ import annotations

import re

from antq.core.phones import InvalidPhone, normalize_phone
from antq.textvn.normalize import Word

__all__ = ["InvalidPhone", "merge_phone_words", "normalize_phone", "phone_word"]

# What may stand between the digit groups of one number.
_BETWEEN = re.compile(r"[ .\-()]{0,3}")
# A number is written in at most this many groups ("0 912 345 678", "+84 24 3825 1234").
_MAX_GROUPS = 5


def phone_word(number: str) -> str:
    """``"+84 912 345 678"`` → ``"0912345678"``; raises ``InvalidPhone``."""
    return "0" + normalize_phone(number)[3:]


def merge_phone_words(text: str, spans: list[Word]) -> list[Word]:
    """``spans`` (the words of ``text``) with each phone number written in digit groups merged
    into one word, its ``phone_word``, spanning the whole number in ``text``."""
    merged: list[Word] = []
    index = 0
    while index < len(spans):
        found = _phone_at(text, spans, index)
        if found is None:
            merged.append(spans[index])
            index += 1
        else:
            word, index = found
            merged.append(word)
    return merged


def _phone_at(text: str, spans: list[Word], first: int) -> tuple[Word, int] | None:
    """The longest phone number starting at word ``first``, and the index after it."""
    if not spans[first].folded.isascii() or not spans[first].folded.isdigit():
        return None
    best: tuple[Word, int] | None = None
    digits = ""
    for last in range(first, min(first + _MAX_GROUPS, len(spans))):
        span = spans[last]
        if not span.folded.isascii() or not span.folded.isdigit():
            break
        if last > first and not _BETWEEN.fullmatch(text[spans[last - 1].end : span.start]):
            break
        digits += span.folded
        try:
            word = phone_word(digits)
        except InvalidPhone:
            continue
        best = (Word(word, spans[first].start, span.end), last + 1)
    return best
