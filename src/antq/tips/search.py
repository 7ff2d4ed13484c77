"""Full-text search over tips: the indexed document, the query, the ranking, the highlight.

Each database's own full-text engine does the work (never ``LIKE '%...%'``):

- SQLite: the FTS5 table ``tips_tip_fts`` (external content over ``tips_tip``, kept in step by
  triggers — migration 0003). Besides ``search_text`` it indexes the columns inboxes filter
  on (ward, unit, category, assignee, status); the equality and IN filters of the searched
  queryset are repeated inside the MATCH, so a ward officer's search reads the index entries
  of his ward only.
- PostgreSQL: ``search_vector @@ to_tsquery('simple', ...)``. ``search_vector`` is
  ``to_tsvector('simple', search_text)`` stored by the database (a generated column with a
  GIN index, migration 0003): computing ``to_tsvector`` costs about 16 µs a row, reading it
  0.4 µs — the difference between a slow and a fast test of thousands of candidate rows.

Ranking needs a score for every match, and words such as "lua dao" may match a fifth of a
million tips. So tips are ranked only when at most ``RANK_LIMIT`` match: their texts are
read once and scored by ``textvn.relevance`` (BM25's term-frequency and length parts, the
same on both databases; FTS5's own bm25 re-reads the whole posting list of every word for
its IDF, 20-40 ms for common words, and ``ts_rank`` would need the same candidates). A
broader search lists the newest first, which both databases do by walking an index newest
first and stopping after the page.

``search_text`` is the folded, abbreviation-expanded document (``antq.textvn.index_text``);
the services write it on every create and update, ``reindex_all`` rewrites it for every tip
when the abbreviation list changes.

Folded, "ban" is *bán* (sell) and *bạn* (friend) alike. A query typed with diacritics says
which one is meant: among the ranked matches, the tips whose text has those words as typed
come first — the restored text of a tip received without diacritics (``text_restored``),
else the text as written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from abc import ABCMeta, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.models import BooleanField, CharField, Count, F, Func, QuerySet, Value
from django.db.models.expressions import Col
from django.db.models.functions import Cast, Concat, StrIndex
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND, WhereNode
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from antq.textvn import SearchTerm, index_text, match_spans, relevance, search_terms
from antq.textvn.search import marked_hits, marked_words

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    from antq.tips.models import Tip

FTS_TABLE = "tips_tip_fts"
# Columns of tips_tip the FTS5 table indexes besides search_text (migration 0003).
FILTER_COLUMNS = ("ward_id", "unit_id", "category_id", "assignee_id", "status")
# A filter with more values than this is not worth repeating inside the MATCH.
MAX_FILTER_VALUES = 200
_TOKEN = re.compile(r"[a-z0-9]+")
# Rank when the words match at most this many tips of the searched set (scoring one costs
# ~20 µs of Python).
RANK_LIMIT = 500
# PostgreSQL: querysets of at most PG_WALK_ROWS rows (a ward's) are read row by row; for
# larger ones the share of matches among their newest PG_SAMPLE rows decides: from
# PG_WALK_DENSITY up, walking newest first stops after the page long before the GIN index
# has read the posting lists.
PG_WALK_ROWS = 20_000
PG_SAMPLE = 2_000
PG_WALK_DENSITY = 0.01
REINDEX_BATCH = 2000

# The triggers of migration 0003, to put back when a table rebuild has dropped them (SQLite
# rebuilds a table for many schema changes, and dropping the old table drops its triggers).
SQLITE_TRIGGERS = {
    "tips_tip_fts_insert": """
        CREATE TRIGGER tips_tip_fts_insert AFTER INSERT ON tips_tip BEGIN
            INSERT INTO tips_tip_fts
                (rowid, search_text, ward_id, unit_id, category_id, assignee_id, status)
            VALUES (new.id, new.search_text, new.ward_id, new.unit_id, new.category_id,
                new.assignee_id, new.status);
        END
    """,
    "tips_tip_fts_delete": """
        CREATE TRIGGER tips_tip_fts_delete AFTER DELETE ON tips_tip BEGIN
            INSERT INTO tips_tip_fts (tips_tip_fts,
                rowid, search_text, ward_id, unit_id, category_id, assignee_id, status)
            VALUES ('delete', old.id, old.search_text, old.ward_id, old.unit_id,
                old.category_id, old.assignee_id, old.status);
        END
    """,
    "tips_tip_fts_update": """
        CREATE TRIGGER tips_tip_fts_update
        AFTER UPDATE OF search_text, ward_id, unit_id, category_id, assignee_id, status
        ON tips_tip
        WHEN old.search_text IS NOT new.search_text OR old.ward_id IS NOT new.ward_id
            OR old.unit_id IS NOT new.unit_id OR old.category_id IS NOT new.category_id
            OR old.assignee_id IS NOT new.assignee_id OR old.status IS NOT new.status
        BEGIN
            INSERT INTO tips_tip_fts (tips_tip_fts,
                rowid, search_text, ward_id, unit_id, category_id, assignee_id, status)
            VALUES ('delete', old.id, old.search_text, old.ward_id, old.unit_id,
                old.category_id, old.assignee_id, old.status);
            INSERT INTO tips_tip_fts
                (rowid, search_text, ward_id, unit_id, category_id, assignee_id, status)
            VALUES (new.id, new.search_text, new.ward_id, new.unit_id, new.category_id,
                new.assignee_id, new.status);
        END
    """,
}
# The first RANK_LIMIT + 1 matches, from the FTS5 index alone: how many there are decides
# whether to rank, and the texts are read only then (a common word's first 501 texts cost
# five times the page itself).
SQLITE_MATCHES = "SELECT rowid FROM tips_tip_fts WHERE tips_tip_fts MATCH %s LIMIT %s"


def search_document(tip: Tip) -> str:
    """The text a tip is found by: code, category, content, place, ward and unit — folded,
    with the meaning of each abbreviation and phone numbers in one piece — and the words of
    the restored content (``text_restored``) that the original's lack.

    Restoring only adds marks, so the restored text folds to the original's words nearly
    always; it can still differ where marks change an abbreviation's reading. Its words are
    added once, not repeated: repeating them would count every word of a restored tip twice
    in the ranking. The marked words themselves serve the ranking (``marked_hits``)."""
    parts = [
        tip.code,
        tip.category.name,
        tip.text,
        tip.place,
        tip.ward.name if tip.ward_id and tip.ward else "",
        tip.unit.name if tip.unit_id and tip.unit else "",
    ]
    document = index_text("\n".join(p for p in parts if p))
    if not tip.text_restored:
        return document
    present = set(document.split())
    extra = []
    for word in index_text(tip.text_restored).split():
        if word not in present:
            present.add(word)
            extra.append(word)
    return " ".join([document, *extra]) if extra else document


# --- Query texts -----------------------------------------------------------------------


def fts5_query(terms: Sequence[SearchTerm], filters: Sequence[tuple[str, list[str]]] = ()) -> str:
    """An FTS5 MATCH expression: every term (an OR of its alternatives) in search_text, and
    each filter's column holding one of its values.

    Nothing a user types becomes FTS5 syntax: every word is a quoted string of letters and
    digits (``textvn.words``), and a quoted string cannot hold an operator.
    """
    clauses = []
    for term in terms:
        alternatives = [
            '"' + " ".join(words) + '"' + ("*" if term.prefix and position == 0 else "")
            for position, words in enumerate(term.alternatives)
        ]
        clauses.append(_either(alternatives, " OR "))
    query = f"search_text : ({' AND '.join(clauses)})"
    for column, values in filters:
        quoted = " OR ".join(f'"{value}"' for value in values)
        query += f" AND {column} : ({quoted})"
    return query


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
            alternatives.append(_either(lexemes, " <-> "))
        clauses.append(_either(alternatives, " | "))
    return " & ".join(clauses)


def _either(parts: Sequence[str], operator: str) -> str:
    return parts[0] if len(parts) == 1 else f"({operator.join(parts)})"


def _pushdown(qs: QuerySet[Tip]) -> tuple[list[tuple[str, list[str]]], bool]:
    """The equality and IN filters of ``qs`` on the columns the FTS5 table indexes, as
    (column, tokens): repeated inside the MATCH they narrow it without changing the result.
    And whether they are all of its filters — the MATCH then says everything."""
    base = qs.query.base_table
    found: list[tuple[str, list[str]]] = []
    complete = True
    for condition in _conditions(qs.query.where):
        pushed = _pushed(condition, base) if isinstance(condition, Exact | In) else None
        if pushed is None:
            complete = False
        else:
            found.append(pushed)
    return found, complete


def _conditions(node: WhereNode) -> Iterator[Any]:
    """The conditions every row must meet: the leaves of the top-level AND (a negated or OR
    node is one opaque condition)."""
    if node.negated or node.connector != AND:
        yield node
        return
    for child in node.children:
        if isinstance(child, WhereNode):
            yield from _conditions(child)
        else:
            yield child


def _pushed(lookup: Exact | In, base: str | None) -> tuple[str, list[str]] | None:
    lhs = lookup.lhs
    if not isinstance(lhs, Col) or lhs.alias != base or lhs.target.column not in FILTER_COLUMNS:
        return None
    values = [lookup.rhs] if isinstance(lookup, Exact) else lookup.rhs
    if not isinstance(values, list | tuple | set | frozenset):
        return None  # a subquery
    if not all(isinstance(v, int | str) and not isinstance(v, bool) for v in values):
        return None
    tokens = sorted({str(v) for v in values})
    if not 0 < len(tokens) <= MAX_FILTER_VALUES or not all(map(_TOKEN.fullmatch, tokens)):
        return None
    return lhs.target.column, tokens


# --- SQL expressions -------------------------------------------------------------------


class _SearchExpression(Func, metaclass=ABCMeta):
    """A full-text test of the current row, written for the alias the query gives
    ``tips_tip`` (so that it stays right inside subqueries); the query text is a parameter."""

    output_field = BooleanField()

    def __init__(self, query: str) -> None:
        super().__init__(F("pk"), Value(query))

    @abstractmethod
    def sql(self, table: str, pk: str, query: str) -> str:
        """The SQL test for the row whose primary key is ``pk`` in ``table``."""

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        pk, query = self.source_expressions
        pk_sql, pk_params = compiler.compile(pk)
        query_sql, query_params = compiler.compile(query)
        assert isinstance(pk, Col)  # F("pk") resolved
        table = compiler.quote_name_unless_alias(pk.alias)
        # The primary key column has no parameters: the query text is the only one.
        return self.sql(table, pk_sql, query_sql), (*pk_params, *query_params)


class _InFts(_SearchExpression):
    """The row is among the FTS5 matches — a long list of them, which SQLite builds once."""

    def sql(self, table: str, pk: str, query: str) -> str:
        # "+" keeps SQLite from taking the list as the rows to fetch (and sort): it walks
        # the queryset's own index instead (newest first, or the ward's), probes the list
        # and stops after the page.
        select = f"SELECT rowid FROM tips_tip_fts WHERE tips_tip_fts MATCH {query}"  # noqa: S608
        return f"+{pk} IN ({select})"


class _TsMatch(_SearchExpression):
    """The row's stored tsvector matches the query."""

    def __init__(self, query: str, *, indexed: bool = True) -> None:
        super().__init__(query)
        self.indexed = indexed

    def sql(self, table: str, pk: str, query: str) -> str:
        match = f"{table}.search_vector @@ to_tsquery('simple'::regconfig, {query})"
        if self.indexed:
            return match
        # The same test, in a form that cannot use the GIN index and that PostgreSQL does
        # not estimate from the column's statistics (those multiply the words' frequencies,
        # 50x too low for "trom cap"): it assumes its default third of the rows, and so
        # walks the queryset's own index newest first, testing each row and stopping after
        # the page — instead of reading every match to sort them.
        return f"({match})::integer > 0"


# --- Search ----------------------------------------------------------------------------


def tip_search(qs: QuerySet[Tip], query: str) -> QuerySet[Tip]:
    """``qs`` restricted to tips matching every word of ``query`` (accents, case and
    abbreviations aside; the last word as a prefix).

    When at most ``RANK_LIMIT`` tips match they are ranked (``textvn.relevance``: best match
    first, then newest); a broader search lists the newest first. Reads a few hundred rows
    at once to tell which (and to rank). A query without any word returns ``qs`` unchanged;
    no query raises.
    """
    terms = search_terms(query)
    if not terms or qs.query.is_empty():
        return qs
    query_terms = Query(terms, marked_words(query))
    vendor = connections[qs.db].vendor
    if vendor == "sqlite":
        return _sqlite_search(qs, query_terms)
    if vendor == "postgresql":
        return _postgresql_search(qs, query_terms)
    raise ImproperlyConfigured(f"full-text search of tips needs SQLite or PostgreSQL, not {vendor}")


@dataclass(frozen=True)
class Query:
    """A parsed query: its terms (folded) and the words typed with diacritics."""

    terms: list[SearchTerm]
    marked: frozenset[str]


def _candidates(matching: QuerySet[Tip], query: Query, limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` rows (id, search text, received at, marked text) of ``matching`` to
    rank. The marked text — the restored content if any, else the content as written — is
    read only for a query typed with diacritics, the one that needs it."""
    fields = ["pk", "search_text", "received_at"]
    if query.marked:
        fields += ["text", "text_restored"]
    rows = matching.order_by().values_list(*fields)[:limit]
    if not query.marked:
        return [(*row, "") for row in rows]
    return [(pk, document, at, restored or text) for pk, document, at, text, restored in rows]


def _ranked(
    qs: QuerySet[Tip], query: Query, candidates: Sequence[tuple[Any, ...]]
) -> QuerySet[Tip]:
    """``qs`` limited to the ``candidates`` (id, search text, received at, marked text),
    ordered by the number of words typed with diacritics that their text has as typed
    (*bán* in "có người bán", not in "bạn bè": the folded match is the same), then their
    relevance, then newest."""

    def key(candidate: tuple[Any, ...]) -> tuple[int, float, Any, int]:
        pk, document, at, marked_text = candidate
        return (
            marked_hits(marked_text, query.marked),
            relevance(document, query.terms),
            at,
            pk,
        )

    ranked = sorted(candidates, key=key, reverse=True)
    # The position of the id in one string of the ids in order: one parameter, and the same
    # SQL on both databases (instr / strpos).
    order = "," + ",".join(str(c[0]) for c in ranked) + ","
    position = StrIndex(Value(order), Concat(Value(","), Cast("pk", CharField()), Value(",")))
    return (
        qs.filter(pk__in=[c[0] for c in candidates])
        .alias(search_rank=position)
        .order_by("search_rank")
    )


def _sqlite_search(qs: QuerySet[Tip], query: Query) -> QuerySet[Tip]:
    filters, complete = _pushdown(qs)
    match = fts5_query(query.terms, filters)
    with connections[qs.db].cursor() as cursor:
        cursor.execute(SQLITE_MATCHES, [match, RANK_LIMIT + 1])
        matches = [row[0] for row in cursor.fetchall()]
    if complete:
        # The MATCH holds every filter of the queryset (a ward officer's scope, an inbox's
        # status...): they are dropped from the clone, lest SQLite (which has no statistics
        # to tell a ward from a status) start from one of their indexes and test the
        # matches row by row.
        qs = qs.all()
        qs.query.where = WhereNode()
    if len(matches) <= RANK_LIMIT:
        matching = qs.model._default_manager.using(qs.db).filter(pk__in=matches)
        return _ranked(qs, query, _candidates(matching, query, RANK_LIMIT))
    if complete:
        # The FTS5 table drives a join, reading the matches in rowid order — newest first,
        # ids grow as tips come in — and stopping after the page. extra() is the one way to
        # join a table that has no model; the rowid alone is the order FTS5 gives unsorted.
        return qs.extra(  # noqa: S610 - constant SQL, the query text is a parameter
            select={"search_order": "tips_tip_fts.rowid"},
            tables=[FTS_TABLE],
            where=["tips_tip_fts.rowid = tips_tip.id", "tips_tip_fts MATCH %s"],
            params=[match],
        ).order_by("-search_order")
    return qs.filter(_InFts(match)).order_by("-received_at", "-id")


def _postgresql_search(qs: QuerySet[Tip], query: Query) -> QuerySet[Tip]:
    terms = query.terms
    full = tsquery(terms)
    walk = _TsMatch(full, indexed=False)
    if _pg_estimate(qs) <= PG_WALK_ROWS:
        # A ward's tips: reading them all costs less than the posting list of a common word.
        return _pg_ranked_or_newest(qs, query, qs.filter(walk))
    # PostgreSQL's own estimate multiplies the words' frequencies as if "trom" and "cap"
    # were unrelated, 50x too low for such phrases; the share of matches among the newest
    # rows is measured instead, reading PG_SAMPLE rows in index order.
    sample = qs.order_by("-received_at", "-id").values("pk")[:PG_SAMPLE]
    counts = (
        qs.model._default_manager.using(qs.db)
        .filter(pk__in=sample)
        .aggregate(rows=Count("pk"), found=Count("pk", filter=walk))
    )
    if counts["found"] >= PG_WALK_DENSITY * counts["rows"]:
        return qs.filter(walk).order_by("-received_at", "-id")
    # Rare enough for the GIN index — on the exact words only: a prefix ("may" for "máy")
    # makes the index read the posting list of every word it starts. The prefix word is
    # then tested on the rows the exact words found.
    exact = tsquery([term for term in terms if not term.prefix])
    return _pg_ranked_or_newest(
        qs, query, qs.filter(_TsMatch(exact), walk) if exact else qs.filter(_TsMatch(full))
    )


def _pg_ranked_or_newest(qs: QuerySet[Tip], query: Query, matching: QuerySet[Tip]) -> QuerySet[Tip]:
    candidates = _candidates(matching, query, RANK_LIMIT + 1)
    if len(candidates) <= RANK_LIMIT:
        return _ranked(qs, query, candidates)
    return matching.order_by("-received_at", "-id")


def _pg_estimate(qs: QuerySet[Tip]) -> float:
    """PostgreSQL's estimate of the number of rows of a queryset, from its statistics (no
    row is read) — good for plain filters such as a ward."""
    plan = json.loads(qs.order_by().explain(format="json"))
    return float(plan[0]["Plan"]["Plan Rows"])


# --- Highlight -------------------------------------------------------------------------


def highlight(text: str, query: str | list[SearchTerm], *, length: int = 200) -> SafeString:
    """An escaped extract of ``text`` (as written, with its diacritics) of about ``length``
    characters around the first match, each matched word in ``<mark>``. ``query`` is what
    the user typed, or its ``search_terms`` (parsed once for a page of extracts)."""
    terms = search_terms(query) if isinstance(query, str) else query
    marks = match_spans(text, terms)
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
    return mark_safe("".join(out))  # noqa: S308 - every piece of the text is escaped


def _plain(text: str) -> str:
    """Escaped, with line breaks and runs of spaces as one space (an extract is one line)."""
    return str(escape(re.sub(r"\s+", " ", text)))


def _window(text: str, first: tuple[int, int], length: int) -> tuple[int, int]:
    """About ``length`` characters around the ``first`` match, cut at spaces, never between
    a letter and its combining marks."""
    if len(text) <= length:
        return 0, len(text)
    match_start, match_end = first
    start = max(0, min(match_start - length // 3, len(text) - length))
    end = min(len(text), max(start + length, match_end))
    if start > 0 and not text[start - 1].isspace():
        space = text.find(" ", start, match_start)
        start = space + 1 if space != -1 else start
    if end < len(text) and not text[end].isspace():
        space = text.rfind(" ", match_end, end)
        end = space if space != -1 else end
    return _after_marks(text, start), _after_marks(text, end)


def _after_marks(text: str, index: int) -> int:
    while index < len(text) and unicodedata.combining(text[index]):
        index += 1
    return index


# --- Maintenance -----------------------------------------------------------------------


def search_index_ensure(using: str = "default", **kwargs: Any) -> bool:
    """Put back the FTS5 triggers if a table rebuild dropped them, and rebuild the index,
    which then missed changes. True if something was repaired. Nothing to do on PostgreSQL
    (a generated column cannot be left behind). Usable as a ``post_migrate`` receiver."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tips_tip'"
        )
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        if not missing:
            return False
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
        cursor.execute("INSERT INTO tips_tip_fts (tips_tip_fts) VALUES ('rebuild')")
    return True


def reindex_all(
    *, restore: bool = False, batch_size: int = REINDEX_BATCH, using: str = "default"
) -> int:
    """Recompute the search text of every tip (after the abbreviation list changed, say) and
    rebuild the full-text index; with ``restore``, first restore the diacritics of the tips
    typed without them again (tips received before restoration existed, or after the model
    changed). Returns how many tips had a different text."""
    from antq.tips.models import Tip
    from antq.tips.restoration import restored_text

    tips = Tip.objects.using(using).select_related("category", "ward", "unit")
    fields = ["search_text", "text_restored"] if restore else ["search_text"]
    changed = 0
    last = 0
    while batch := list(tips.filter(pk__gt=last).order_by("pk")[:batch_size]):
        last = batch[-1].pk
        stale = []
        for tip in batch:
            before = (tip.text_restored, tip.search_text)
            if restore:
                tip.text_restored = restored_text(tip.text)
            tip.search_text = search_document(tip)
            if (tip.text_restored, tip.search_text) != before:
                stale.append(tip)
        if stale:
            with transaction.atomic(using=using):
                Tip.objects.using(using).bulk_update(stale, fields)
            changed += len(stale)
    connection = connections[using]
    if connection.vendor == "sqlite" and not search_index_ensure(using):
        # Rebuilt and merged into one segment: fewer segments, faster queries.
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("INSERT INTO tips_tip_fts (tips_tip_fts) VALUES ('rebuild')")
            cursor.execute("INSERT INTO tips_tip_fts (tips_tip_fts) VALUES ('optimize')")
    return changed
