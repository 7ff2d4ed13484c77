"""Abbreviations of police and administrative Vietnamese, so that search understands them.

The list is data (``data/abbreviations.tsv``), loaded once. ``expand("Họp ANTT")`` →
``"hop antt an ninh trat tu"``: a tip's search text carries the expansion of every
abbreviation it contains, so a search for "an ninh trat tu" finds a tip that only says "ANTT";
``query_variants`` gives the other direction — a search for "ANTT" also looks for the phrase.

An abbreviation is recognised only as a whole word written without diacritics (apart from Đ,
which folds to D, so "HĐND" and "HDND" are the same): "cấp" is never "CAP". Entries marked
``upper`` in the data are recognised only in capitals, because once accents are dropped they
are ordinary words too ("cat", "cap", "ca").
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from importlib import resources

from antq.textvn.normalize import fold, nfc, word_spans, words

DATA_FILE = "abbreviations.tsv"
_UPPER_FLAG = "upper"


class AbbreviationDataError(ValueError):
    """A line of the abbreviation data file is malformed."""


@dataclass(frozen=True)
class Abbreviation:
    key: str  # folded: "hdnd"
    expansions: tuple[tuple[str, ...], ...]  # folded words of each meaning
    upper_only: bool = False

    @property
    def expansion_words(self) -> tuple[str, ...]:
        """All meanings one after the other, as they are written into the search text."""
        return tuple(word for expansion in self.expansions for word in expansion)


def _is_plain(word: str) -> bool:
    """Written without diacritics, Đ/đ apart ("HĐND" yes, "cấp" no)."""
    decomposed = unicodedata.normalize("NFD", word.replace("Đ", "D").replace("đ", "d"))
    return not any(unicodedata.combining(ch) for ch in decomposed)


def parse_abbreviations(data: str) -> dict[str, Abbreviation]:
    """Parse the TSV data; a repeated abbreviation collects several meanings."""
    meanings: dict[str, list[tuple[str, ...]]] = {}
    upper: dict[str, bool] = {}
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = [column.strip() for column in line.split("\t")]
        if len(columns) not in (2, 3) or (len(columns) == 3 and columns[2] not in ("", "upper")):
            raise AbbreviationDataError(
                f"line {number}: expected abbreviation<TAB>expansion[<TAB>upper]: {line!r}"
            )
        short, expansion = nfc(columns[0]), columns[1]
        key = words(short)
        if len(key) != 1 or key[0] != fold(short) or not _is_plain(short):
            raise AbbreviationDataError(
                f"line {number}: an abbreviation is one word without diacritics: {short!r}"
            )
        expanded = tuple(words(expansion))
        if not expanded:
            raise AbbreviationDataError(f"line {number}: empty expansion for {short!r}")
        meanings.setdefault(key[0], [])
        if expanded not in meanings[key[0]]:
            meanings[key[0]].append(expanded)
        flag = len(columns) == 3 and columns[2] == _UPPER_FLAG
        if upper.setdefault(key[0], flag) != flag:
            raise AbbreviationDataError(f"line {number}: {short!r} is marked upper elsewhere")
    table = {
        key: Abbreviation(key, tuple(expansions), upper[key])
        for key, expansions in meanings.items()
    }
    # An expansion that contained an abbreviation would be expanded again by a second pass,
    # and the search text would grow on every re-index.
    for entry in table.values():
        for word in entry.expansion_words:
            other = table.get(word)
            if other is not None and not other.upper_only:
                raise AbbreviationDataError(
                    f"the expansion of {entry.key!r} contains the abbreviation {word!r}"
                )
    return table


@functools.cache
def abbreviations() -> dict[str, Abbreviation]:
    """The abbreviation table by folded key, read once from the package data."""
    data = resources.files("antq.textvn").joinpath("data", DATA_FILE).read_text("utf-8")
    return parse_abbreviations(data)


def lookup(word: str) -> Abbreviation | None:
    """The abbreviation a word of the original text stands for, if it is one."""
    word = nfc(word)
    entry = abbreviations().get(fold(word))
    if entry is None or not _is_plain(word):
        return None
    if entry.upper_only and not word.isupper():
        return None
    return entry


def expand(text: str) -> str:
    """The folded words of ``text``, each abbreviation followed by its folded expansion.

    Idempotent: an abbreviation already followed by its expansion is left as it is.
    """
    text = nfc(text)
    spans = word_spans(text)
    folded = [span.folded for span in spans]
    out: list[str] = []
    for index, span in enumerate(spans):
        out.append(span.folded)
        entry = lookup(text[span.start : span.end])
        if entry is None:
            continue
        expansion = list(entry.expansion_words)
        if folded[index + 1 : index + 1 + len(expansion)] != expansion:
            out.extend(expansion)
    return " ".join(out)


def query_variants(word: str) -> list[tuple[str, ...]]:
    """What a query word may match: itself, then each meaning if it is an abbreviation.

    ``query_variants("ANTT")`` → ``[("antt",), ("an", "ninh", "trat", "tu")]``.
    """
    folded = words(word)
    if not folded:
        return []
    variants: list[tuple[str, ...]] = [tuple(folded)]
    entry = lookup(word) if len(folded) == 1 else None
    if entry is not None:
        variants.extend(entry.expansions)
    return variants
