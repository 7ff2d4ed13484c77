"""Normalisation and accent folding for search and matching.

``fold("Bệnh viện Đa khoa")`` → ``"benh vien da khoa"``: it lets a user who types without
diacritics (or with a keyboard that produces decomposed NFD characters) find what was entered
with them. Stored ``*_folded`` columns hold this form so the database can use a plain index.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

_SPACES = re.compile(r"\s+")
# A word is a run of letters and digits; everything else (punctuation, "_", spaces) separates
# words — the same rule SQLite's unicode61 tokenizer and PostgreSQL's parser apply.
_WORD = re.compile(r"[^\W_]+")
# Đ/đ are letters of their own, not D/d with a combining mark, so NFD does not split them.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})
_D_AS_LETTER = str.maketrans({"đ": "d", "Đ": "D"})
# Invisible characters that sneak in from copy-paste and break matching.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff")
)


def nfc(text: str) -> str:
    """Compose to NFC, the form every stored Vietnamese text uses."""
    return unicodedata.normalize("NFC", text)


def squash_spaces(text: str) -> str:
    """Strip invisible characters and collapse runs of whitespace to one space."""
    return _SPACES.sub(" ", text.translate(_INVISIBLE)).strip()


def _without_combining(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case, remove every diacritic, map đ→d and collapse whitespace."""
    stripped = _without_combining(text.translate(_SPECIAL))
    return squash_spaces(stripped.casefold().translate(_SPECIAL))


def strip_marks(text: str) -> str:
    """``text`` as typed on a phone without Vietnamese input: every mark removed, đ as d,
    capitals, spaces and punctuation kept (NFC): ``"Đà Nẵng!"`` → ``"Da Nang!"``."""
    return unicodedata.normalize("NFC", _without_combining(text.translate(_D_AS_LETTER)))


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """``fold`` of one character that is neither a combining mark nor invisible (cached:
    a text has a few dozen distinct characters, and highlighting folds every one)."""
    decomposed = unicodedata.normalize("NFD", ch.translate(_SPECIAL))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold().translate(_SPECIAL)


class Word(NamedTuple):
    """A folded word and where it is in the original text: ``text[start:end]``."""

    folded: str
    start: int
    end: int


def words(text: str) -> list[str]:
    """The folded words of a text: ``words("Lừa đảo, qua mạng!")`` → ``["lua", "dao", "qua",
    "mang"]``."""
    return _WORD.findall(fold(text))


def word_spans(text: str) -> list[Word]:
    """The folded words of ``text`` with their positions in it, so that a match found in the
    folded form can be shown in the original (with its diacritics, NFC or NFD).

    Folding is per character except that combining marks and invisible characters vanish:
    each folded character remembers the original character it came from, and a word's end is
    extended over the combining marks of its last letter. A text whose every character folds
    to exactly one (NFC Vietnamese, ASCII: nearly every text) keeps its positions and is
    folded at once.
    """
    table, other = _one_to_one()
    if other.search(text) is None:
        return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text.translate(table))]
    return _word_spans_by_character(text)


def _word_spans_by_character(text: str) -> list[Word]:
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        if unicodedata.combining(ch) or ord(ch) in _INVISIBLE:
            continue
        for out in _fold_char(ch):
            folded.append(out)
            origin.append(index)
    spans = []
    for match in _WORD.finditer("".join(folded)):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        spans.append(Word(match.group(), start, end))
    return spans


@functools.cache
def _one_to_one() -> tuple[dict[int, str], re.Pattern[str]]:
    """The characters of the Latin blocks (Vietnamese's among them) that fold to exactly one
    character, as a ``str.translate`` table, and a pattern that finds any other character."""
    table: dict[int, str] = {}
    for code in [*range(0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(code)
        if unicodedata.combining(ch) or code in _INVISIBLE:
            continue
        folded = _fold_char(ch)
        if len(folded) == 1:
            table[code] = folded
    known = "".join(re.escape(chr(code)) for code in table)
    return table, re.compile(f"[^{known}]")
