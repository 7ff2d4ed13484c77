"""What full-text search indexes and looks for, as plain words — no SQL here.

``index_text`` turns a document into the words a database full-text index stores (folded,
abbreviations expanded, phone numbers in one piece). ``search_terms`` turns what a user typed
into terms that must all match, each with its alternatives (an abbreviation or its meaning);
the last term matches as a prefix so that "lua da" already finds "lừa đảo". ``match_spans``
finds the same matches in an original text, to highlight them. ``marked_words`` and
``marked_hits`` let a query typed with diacritics prefer the texts that carry the same ones.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from antq.textvn.abbreviations import abbreviations, expand, lookup, query_variants
from antq.textvn.normalize import fold, nfc, word_spans
from antq.textvn.phones import merge_phone_words
from antq.textvn.syllables import canonical

# A query is cut to this length and this many words: enough for any real search, and a
# pasted page of text cannot turn into a query that takes the database seconds.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
# BM25's term-frequency saturation and length normalisation, for a tip of typical length.
K1 = 1.2
B = 0.75
AVERAGE_WORDS = 60
# A word that only starts with the prefix term counts for this much of an exact match.
PREFIX_WEIGHT = 0.5


@dataclass(frozen=True)
class SearchTerm:
    """One word of a query: it matches if any alternative (a phrase of folded words) does."""

    alternatives: tuple[tuple[str, ...], ...]
    # The first alternative (the word as typed) also matches words that start with it.
    prefix: bool = False

    @property
    def word(self) -> str:
        return self.alternatives[0][0]


def index_text(text: str) -> str:
    """The searchable form of a document: ``expand`` plus, for each phone number written in
    groups, its one-word form."""
    text = nfc(text)
    expanded = expand(text)
    present = set(expanded.split())
    extra = []
    for word in merge_phone_words(text, word_spans(text)):
        if word.folded not in present:
            present.add(word.folded)
            extra.append(word.folded)
    return " ".join([expanded, *extra]) if extra else expanded


def search_terms(query: str) -> list[SearchTerm]:
    """The terms of a user's query; empty if it has no word (only punctuation, say)."""
    query = nfc(query[:MAX_QUERY_LENGTH])
    spans = merge_phone_words(query, word_spans(query))[:MAX_TERMS]
    terms = []
    for index, span in enumerate(spans):
        variants = query_variants(query[span.start : span.end])
        if not variants or variants[0] != (span.folded,):
            # A phone number in groups ("0912 345 678"): its one-word form, as indexed.
            variants = [(span.folded,)]
        terms.append(SearchTerm(tuple(variants), prefix=index == len(spans) - 1))
    return terms


def relevance(document: str, terms: list[SearchTerm]) -> float:
    """How well an indexed document (``index_text``) matches the terms, higher is better.

    BM25's term-frequency and length parts: more occurrences count, with diminishing
    returns, and a short tip that matches beats a long one that mentions the words in
    passing. No IDF: every candidate contains every term, so how rare a term is across the
    table does not change their order. On top, the words typed side by side in the same
    order ("lua dao" in "lừa đảo qua mạng", not in "đảo ... lừa") add one term's worth.
    """
    words = document.split()
    counts = Counter(words)
    norm = 1 - B + B * len(words) / AVERAGE_WORDS
    score = 0.0
    for term in terms:
        frequency = 0.0
        for position, alternative in enumerate(term.alternatives):
            if len(alternative) > 1:
                frequency += _phrase_count(words, alternative)
                continue
            word = alternative[0]
            frequency += counts[word]
            if term.prefix and position == 0:
                frequency += PREFIX_WEIGHT * sum(
                    n for other, n in counts.items() if other != word and other.startswith(word)
                )
        score += frequency * (K1 + 1) / (frequency + K1 * norm)
    typed = [term.word for term in terms]
    if len(typed) > 1 and _typed_in_order(words, typed, prefix=terms[-1].prefix):
        score += (K1 + 1) / (1 + K1 * norm)
    return score


def marked_words(query: str) -> frozenset[str]:
    """The words of a query typed with their diacritics, lower case, in one spelling of the
    tone (``syllables.canonical``: *hoà* and *hòa* alike): ``"bán ma tuy"`` → ``{"bán"}``.
    Search matches folded words; these say which of the readings the user meant."""
    query = nfc(query[:MAX_QUERY_LENGTH])
    found = set()
    for span in word_spans(query)[:MAX_TERMS]:
        word = query[span.start : span.end].lower()
        if word != span.folded:
            found.add(canonical(word))
    return frozenset(found)


def marked_hits(text: str, marked: frozenset[str]) -> int:
    """How many of the ``marked`` words of a query ``text`` contains as written — diacritics
    and all, any case, either tone spelling. "bán" is in "có người bán", not in "bạn bè"."""
    if not marked:
        return 0
    text = nfc(text)
    wanted = {fold(word) for word in marked}
    present = {
        canonical(text[span.start : span.end].lower())
        for span in word_spans(text)
        if span.folded in wanted  # only the words that could be one of them
    }
    return len(marked & present)


def _phrase_count(words: list[str], phrase: tuple[str, ...]) -> int:
    size = len(phrase)
    return sum(
        1
        for i in range(len(words) - size + 1)
        if words[i] == phrase[0] and tuple(words[i : i + size]) == phrase
    )


def _typed_in_order(words: list[str], typed: list[str], *, prefix: bool) -> bool:
    size = len(typed)
    for i in range(len(words) - size + 1):
        if words[i : i + size - 1] == typed[:-1] and (
            words[i + size - 1] == typed[-1]
            or (prefix and words[i + size - 1].startswith(typed[-1]))
        ):
            return True
    return False


def match_spans(text: str, terms: list[SearchTerm]) -> list[tuple[int, int]]:
    """Where ``terms`` match in the original ``text``: sorted, non-overlapping (start, end).

    A word matches a term's word (or starts with it, for the prefix term), a run of words
    matches a phrase alternative, and an abbreviation in the text matches when the query
    contains its meaning ("ANTT" is highlighted for "an ninh trat tu").
    """
    if not terms:
        return []
    spans = word_spans(text)
    folded = [span.folded for span in spans]
    typed = [term.word for term in terms]
    table = abbreviations()
    # The alternatives by shape: one word matched whole, one word matched as a prefix (the
    # last term's first alternative), phrases by their first word.
    whole: set[str] = set()
    prefixes: list[str] = []
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for term in terms:
        for position, alternative in enumerate(term.alternatives):
            if len(alternative) > 1:
                phrases.setdefault(alternative[0], []).append(alternative)
            elif term.prefix and position == 0:
                prefixes.append(alternative[0])
            else:
                whole.add(alternative[0])
    found: list[tuple[int, int]] = []
    for index, span in enumerate(spans):
        here = span.folded
        if here in whole or any(here.startswith(prefix) for prefix in prefixes):
            found.append((span.start, span.end))
        for phrase in phrases.get(here, ()):
            if tuple(folded[index : index + len(phrase)]) == phrase:
                found.append((span.start, spans[index + len(phrase) - 1].end))
        if here not in table:
            continue  # not an abbreviation (lookup would say so, folding the word again)
        entry = lookup(nfc(text[span.start : span.end]))
        if entry is not None and any(_contains(typed, meaning) for meaning in entry.expansions):
            found.append((span.start, span.end))
    for word in merge_phone_words(text, spans):
        if word.folded in typed:
            found.append((word.start, word.end))
    return _union(found)


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


def _union(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
