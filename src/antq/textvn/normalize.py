"""Normalisation and accent folding for search and matching.

``fold("Bệnh viện Đa khoa")`` → ``"benh vien da khoa"``: it lets a user who types without
diacritics (or with a keyboard that produces decomposed NFD characters) find what was entered
with them. Stored ``*_folded`` columns hold this form so the database can use a plain index.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Đ/đ are letters of their own, not D/d with a combining mark, so NFD does not split them.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})
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


def fold(text: str) -> str:
    """Lower-case, remove every diacritic, map đ→d and collapse whitespace."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return squash_spaces(stripped.casefold().translate(_SPECIAL))
