"""Full-text search over tips: the indexed document, the query, the ranking, the highlight.

Each database's own full-text engine does the work (never ``LIKE '%...%'``):

- SQLite: the FTS5 table ``tips_tip_fts`` (external content over ``tips_tip.search_text``,
  kept in step by triggers — migration 0003), ranked by ``bm25``;
- PostgreSQL: ``to_tsvector('simple', search_text) @@ to_tsquery(...)``, answered by the GIN
  index on exactly that expression, ranked by ``ts_rank``.

``search_text`` is the folded, abbreviation-expanded document (``antq.textvn.index_text``);
the services write it on every create and update, ``reindex_all`` rewrites it for every tip
when the abbreviation list changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connections, transaction
from django.db.models import F, FloatField, Func, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from antq.textvn import SearchTerm, index_text, match_spans, search_terms

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    from antq.tips.models import Tip

FTS_TABLE = "tips_tip_fts"
# The expression of the GIN index (migration 0003); the query must repeat it exactly.
PG_VECTOR = "to_tsvector('simple'::regconfig, {column})"
PG_QUERY = "to_tsquery('simple'::regconfig, {query})"
REINDEX_BATCH = 2000

# The FTS5 table and its triggers as they must be: migration 0003 creates them, and
# ``search_index_ensure`` puts back triggers that a table rebuild dropped (SQLite rebuilds a
# table for many schema changes, and dropping the old table drops its triggers).
SQLITE_TRIGGERS = {
    "tips_tip_fts_insert": """
        CREATE TRIGGER IF NOT EXISTS tips_tip_fts_insert AFTER INSERT ON tips_tip BEGIN
            INSERT INTO tips_tip_fts (rowid, search_text) VALUES (new.id, new.search_text);
        END
    """,
    "tips_tip_fts_delete": """
        CREATE TRIGGER IF NOT EXISTS tips_tip_fts_delete AFTER DELETE ON tips_tip BEGIN
            INSERT INTO tips_tip_fts (tips_tip_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        END
    """,
    "tips_tip_fts_update": """
        CREATE TRIGGER IF NOT EXISTS tips_tip_fts_update
        AFTER UPDATE OF search_text ON tips_tip
        WHEN old.search_text IS NOT new.search_text BEGIN
            INSERT INTO tips_tip_fts (tips_tip_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
            INSERT INTO tips_tip_fts (rowid, search_text) VALUES (new.id, new.search_text);
        END
    """,
}


def search_document(tip: Tip) -> str:
    """The text a tip is found by: code, category, content, place, ward and unit — folded,
    with the meaning of each abbreviation and phone numbers in one piece."""
    parts = [
        tip.code,
        tip.category.name,
        tip.text,
        tip.place,
        tip.ward.name if tip.ward_id and tip.ward else "",
        tip.unit.name if tip.unit_id and tip.unit else "",
    ]
    return index_text("\n".join(p for p in parts if p))


# --- Queries ---------------------------------------------------------------------------


def fts5_query(terms: Sequence[SearchTerm]) -> str:
    """An FTS5 MATCH expression: every term, each an OR of its alternatives.

    Every word is a quoted string, so nothing a user types is FTS5 syntax: words are letters
    and digits only (``textvn.words``), and a quoted string cannot contain an operator.
    """
    clauses = []
    for term in terms:
        alternatives = [
            '"' + " ".join(words) + '"' + ("*" if term.prefix and position == 0 else "")
            for position, words in enumerate(term.alternatives)
        ]
        clauses.append(alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})")
    return " AND ".join(clauses)


def tsquery(terms: Sequence[SearchTerm]) -> str:
    """A PostgreSQL ``to_tsquery`` text: ``&`` of terms, ``|`` of alternatives, ``<->``
    between the words of a phrase, ``:*`` for the prefix; each lexeme quoted."""
    clauses = []
    for term in terms:
        alternatives = []
        for position, words in enumerate(term.alternatives):
            lexemes = [f"'{word}'" for word in words]
            if term.prefix and position == 0:
                lexemes[-1] += ":*"
            alternatives.append(lexemes[0] if len(lexemes) == 1 else f"({' <-> '.join(lexemes)})")
        clauses.append(alternatives[0] if len(alternatives) == 1 else f"({' | '.join(alternatives)})")
    return " & ".join(clauses)


class _Bm25(Func):
    """The FTS5 bm25 score of the row (lower is better), as a correlated subquery."""

    output_field = FloatField()

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        rowid, match = self.source_expressions
        rowid_sql, rowid_params = compiler.compile(rowid)
        match_sql, match_params = compiler.compile(match)
        sql = (
            f"(SELECT bm25({FTS_TABLE}) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH {match_sql} AND {FTS_TABLE}.rowid = {rowid_sql})"
        )
        return sql, (*match_params, *rowid_params)


class _TsMatch(Func):
    """``to_tsvector('simple', search_text) @@ to_tsquery('simple', %s)``."""

    conditional = True

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, query = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        query_sql, query_params = compiler.compile(query)
        sql = f"{PG_VECTOR.format(column=column_sql)} @@ {PG_QUERY.format(query=query_sql)}"
        return sql, (*column_params, *query_params)


class _TsRank(Func):
    """``ts_rank`` of the row for the query; negated so that ascending is best first."""

    output_field = FloatField()

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, query = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        query_sql, query_params = compiler.compile(query)
        sql = f"-ts_rank({PG_VECTOR.format(column=column_sql)}, {PG_QUERY.format(query=query_sql)})"
        return sql, (*column_params, *query_params)


def tip_search(qs: QuerySet[Tip], query: str) -> QuerySet[Tip]:
    """``qs`` restricted to tips matching every word of ``query`` (accents, case and
    abbreviations aside; the last word as a prefix), best match first, then newest.

    A query without any word returns ``qs`` unchanged; no query raises.
    """
    terms = search_terms(query)
    if not terms:
        return qs
    vendor = connections[qs.db].vendor
    if vendor == "sqlite":
        match = fts5_query(terms)
        qs = qs.filter(
            pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
        ).annotate(search_rank=_Bm25(F("pk"), Value(match)))
    elif vendor == "postgresql":
        text = tsquery(terms)
        qs = qs.filter(_TsMatch(F("search_text"), Value(text))).annotate(
            search_rank=_TsRank(F("search_text"), Value(text))
        )
    else:  # pragma: no cover - the project supports these two databases only
        raise NotImplementedError(vendor)
    return qs.order_by("search_rank", "-received_at", "-id")


# --- Highlight -------------------------------------------------------------------------


def highlight(text: str, query: str, *, length: int = 200) -> SafeString:
    """An escaped extract of ``text`` (as written, with its diacritics) of about ``length``
    characters around the first match, each matched word in ``<mark>``."""
    marks = match_spans(text, search_terms(query))
    start, end = _window(text, marks[0] if marks else (0, 0), length)
    out = ["…" if start > 0 else ""]
    position = start
    for mark_start, mark_end in marks:
        mark_start, mark_end = max(mark_start, start), min(mark_end, end)
        if mark_start >= mark_end:
            continue
        out.append(_plain(text[position:mark_start]))
        out.append(f"<mark>{_plain(text[mark_start:mark_end])}</mark>")
        position = mark_end
    out.append(_plain(text[position:end]))
    out.append("…" if end < len(text) else "")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def _plain(text: str) -> str:
    return str(escape(" ".join(text.split(" ")) if "\n" not in text else " ".join(text.split())))


def _window(text: str, first: tuple[int, int], length: int) -> tuple[int, int]:
    """Cut about ``length`` characters around ``first`` at word boundaries."""
    if len(text) <= length:
        return 0, len(text)
    match_start, match_end = first
    start = max(0, min(match_start - length // 3, len(text) - length))
    end = min(len(text), max(start + length, match_end))
    if start > 0:
        space = text.find(" ", start, match_start)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", match_end, end)
        end = space if space != -1 else end
    return _off_marks(text, start), _off_marks(text, end)


def _off_marks(text: str, index: int) -> int:
    """Never cut a letter from its combining marks (NFD text)."""
    import unicodedata

    while index < len(text) and unicodedata.combining(text[index]):
        index += 1
    return index


# --- Maintenance -----------------------------------------------------------------------


def search_index_ensure(using: str = "default", **kwargs: Any) -> bool:
    """Put back the FTS5 triggers if a table rebuild dropped them (and rebuild the index,
    which then missed changes). True if something had to be repaired. PostgreSQL's
    expression index needs no care. Usable as a ``post_migrate`` receiver."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tips_tip'"
        )
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        if not missing:
            return False
        with transaction.atomic(using=using):
            for name in missing:
                cursor.execute(SQLITE_TRIGGERS[name])
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
    return True


def reindex_all(*, batch_size: int = REINDEX_BATCH, using: str = "default") -> int:
    """Recompute ``search_text`` of every tip (after the abbreviation list changed, say) and
    rebuild the full-text index. Returns the number of tips whose text changed."""
    from antq.tips.models import Tip

    changed = 0
    last = 0
    while True:
        batch = list(
            Tip.objects.using(using)
            .filter(pk__gt=last)
            .select_related("category", "ward", "unit")
            .only("id", "code", "text", "place", "search_text", "category__name", "ward__name", "unit__name")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            break
        last = batch[-1].pk
        stale = []
        for tip in batch:
            document = search_document(tip)
            if document != tip.search_text:
                tip.search_text = document
                stale.append(tip)
        if stale:
            with transaction.atomic(using=using):
                Tip.objects.using(using).bulk_update(stale, ["search_text"])
            changed += len(stale)
    search_index_ensure(using)
    connection = connections[using]
    if connection.vendor == "sqlite":
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
    return changed
