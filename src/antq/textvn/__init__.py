"""Vietnamese text utilities: pure functions, no Django, no database."""

from antq.textvn.abbreviations import expand, query_variants
from antq.textvn.diacritics import (
    RestoredWord,
    model_available,
    needs_restoration,
    restore_alternatives,
    restore_diacritics,
)
from antq.textvn.normalize import fold, nfc, squash_spaces, strip_marks, word_spans, words
from antq.textvn.phones import normalize_phone
from antq.textvn.search import SearchTerm, index_text, match_spans, relevance, search_terms

__all__ = [
    "RestoredWord",
    "SearchTerm",
    "expand",
    "fold",
    "index_text",
    "match_spans",
    "model_available",
    "needs_restoration",
    "nfc",
    "normalize_phone",
    "query_variants",
    "relevance",
    "restore_alternatives",
    "restore_diacritics",
    "search_terms",
    "squash_spaces",
    "strip_marks",
    "word_spans",
    "words",
]
