"""P2 and P4 inside one Django process over the generated city: the product's selectors
against hand-written SQL for the same result, timed in the same run.

    .venv/bin/python bench/queries.py [--quick] [--database-url URL]

- P2: ``tips.search.tip_search`` over the department's whole list (1M tips) for terms typed
  without diacritics: building the search (terms, abbreviations, the ranking probe) and
  running the SQL of its first page (51 rows fetched as tuples) — against the raw full-text
  query for the same words (FTS5 ``MATCH`` / ``search_vector @@ to_tsquery``, newest 51
  rows, tuples). Both sides are SQL plus what the product adds to it; the cost of turning
  the rows into model instances (the same for any list) is reported beside it
  (``with_models_p95_ms``). p95 over every term, several rounds.
- P4: ``tips.statistics.tip_statistics`` for the last full calendar year, city-wide (as the
  department user) — against the raw SQL of the same figures (totals and the seven
  breakdowns as plain GROUP BY queries). Median of several runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

# Typed as an officer types on a phone: no diacritics, sometimes an abbreviation.
SEARCH_TERMS = (
    "trom cap xe may",
    "lua dao",
    "ma tuy",
    "danh nhau",
    "giat tui xach",
    "chay no",
    "hang bac",
    "chuyen tien",
    "hoc sinh bi danh",
    "gia danh cong an",
    "nhan vien ngan hang",
    "honda vision",
    "karaoke",
    "bom kim tiem",
    "xe cap cuu",
    "dong xuan",
)
ROUNDS = 5
STAT_RUNS = 3
PAGE = 50


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def inner() -> dict[str, Any]:
    import django

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from antq.accounts.models import User
    from antq.textvn import search_terms
    from antq.tips import selectors
    from antq.tips.search import tip_search
    from antq.tips.statistics import tip_statistics

    user = User.objects.get(username="phongxdpt")
    sqlite = connection.vendor == "sqlite"

    def selector(q: str) -> None:
        """The product's path up to the rows: terms, probe and page query, fetched."""
        qs = tip_search(selectors.tip_list_for(user, selectors.TipFilters()), q)
        sql, params = qs[: PAGE + 1].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    def models(q: str) -> None:
        """The same, as the page gets it: model instances with their category, ward and
        assignee."""
        qs = tip_search(selectors.tip_list_for(user, selectors.TipFilters()), q)
        list(qs[: PAGE + 1])

    def raw(q: str) -> None:
        words = [term.word for term in search_terms(q)]
        with connection.cursor() as cursor:
            if sqlite:
                match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
                cursor.execute(
                    "SELECT t.* FROM tips_tip_fts f JOIN tips_tip t ON t.id = f.rowid "
                    "WHERE tips_tip_fts MATCH %s ORDER BY f.rowid DESC LIMIT %s",
                    [f"search_text : ({match})", PAGE + 1],
                )
            else:
                query = " & ".join(f"'{w}'" for w in words[:-1]) + f" & '{words[-1]}':*"
                cursor.execute(
                    "SELECT t.* FROM tips_tip t WHERE t.search_vector @@ "
                    "to_tsquery('simple', %s) ORDER BY t.received_at DESC, t.id DESC LIMIT %s",
                    [query.lstrip(" &"), PAGE + 1],
                )
            cursor.fetchall()

    for q in SEARCH_TERMS:  # warm the caches once
        selector(q)
        raw(q)
    selector_ms: list[float] = []
    models_ms: list[float] = []
    raw_ms: list[float] = []
    per_term: dict[str, list[float]] = {}
    for _ in range(ROUNDS):
        for q in SEARCH_TERMS:
            s = _timed(lambda q=q: selector(q))
            r = _timed(lambda q=q: raw(q))
            models_ms.append(_timed(lambda q=q: models(q)))
            selector_ms.append(s)
            raw_ms.append(r)
            per_term.setdefault(q, []).extend([s, r])

    year = timezone.localdate().year - 1
    date_from, date_to = dt.date(year, 1, 1), dt.date(year, 12, 31)

    def stats() -> None:
        tip_statistics(user, date_from=date_from, date_to=date_to)

    def stats_raw() -> None:
        for sql in _raw_statistics(sqlite):
            with connection.cursor() as cursor:
                cursor.execute(sql, _period(date_from, date_to))
                cursor.fetchall()

    stats()
    stats_raw()
    cpu = time.process_time()
    stats_ms = [_timed(stats) for _ in range(STAT_RUNS)]
    # On SQLite the database works in this process: CPU time is the work without the waiting
    # (on a busy machine the wall time is several times longer).
    stats_cpu_ms = (time.process_time() - cpu) * 1000 / STAT_RUNS
    stats_raw_ms = [_timed(stats_raw) for _ in range(STAT_RUNS)]
    return {
        "database": "sqlite" if sqlite else "postgresql",
        "search_selector_p95": p95(selector_ms),
        "search_raw_p95": p95(raw_ms),
        "search_models_p95": p95(models_ms),
        "search_terms": len(SEARCH_TERMS),
        "search_samples": len(selector_ms),
        "search_worst_term": max(per_term, key=lambda q: max(per_term[q][0::2])),
        "stats_ms": statistics.median(stats_ms),
        "stats_raw_ms": statistics.median(stats_raw_ms),
        "stats_cpu_ms": stats_cpu_ms,
        "stats_year": year,
        "tips": _count(),
    }


def _count() -> int:
    from antq.tips.models import Tip

    return Tip.objects.count()


def _period(date_from: Any, date_to: Any) -> list[Any]:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection

    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    if connection.vendor == "sqlite":
        return [
            connection.ops.adapt_datetimefield_value(start),
            connection.ops.adapt_datetimefield_value(end),
        ]
    return [start, end]


# The figures of ``tip_statistics`` as plain SQL, one query per breakdown.
RAW_STATISTICS = (
    "SELECT count(*), sum(CASE WHEN {opened} THEN 1 ELSE 0 END), "
    "sum(CASE WHEN {closed} THEN 1 ELSE 0 END), "
    "sum(CASE WHEN urgency = 'urgent' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN {closed} AND deadline IS NOT NULL THEN 1 ELSE 0 END), "
    "sum(CASE WHEN {closed} AND deadline IS NOT NULL AND {local_day} <= deadline "
    "THEN 1 ELSE 0 END), "
    "sum(CASE WHEN {opened} AND deadline < CURRENT_DATE THEN 1 ELSE 0 END) "
    "FROM tips_tip t WHERE {period}",
    "SELECT channel, count(*) FROM tips_tip t WHERE {period} GROUP BY channel",
    "SELECT category_id, count(*) FROM tips_tip t WHERE {period} GROUP BY category_id",
    "SELECT t.ward_id, a.name, count(*) FROM tips_tip t LEFT JOIN registry_administrativearea a"
    " ON a.id = t.ward_id WHERE {period} GROUP BY t.ward_id, a.name",
    "SELECT u.kind, count(*) FROM tips_tip t LEFT JOIN registry_unit u ON u.id = t.unit_id "
    "WHERE {period} GROUP BY u.kind",
    "SELECT {month}, count(*) FROM tips_tip t WHERE {period} GROUP BY 1",
    "SELECT outcome, count(*) FROM tips_tip t WHERE {period} GROUP BY outcome",
    "SELECT status, count(*) FROM tips_tip t WHERE {period} GROUP BY status",
)


def _raw_statistics(sqlite: bool) -> list[str]:
    parts = {
        "period": "t.received_at >= %s AND t.received_at < %s",
        "closed": "status IN ('handled', 'transferred', 'unfounded', 'duplicate', 'spam')",
        "opened": "status IN ('new', 'received', 'verifying')",
    }
    if sqlite:
        parts["local_day"] = "date(closed_at, '+7 hours')"
        parts["month"] = "strftime('%%Y-%%m', received_at, '+7 hours')"
    else:
        parts["local_day"] = "(closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
        parts["month"] = "date_trunc('month', received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')"
    return [sql.format(**parts) for sql in RAW_STATISTICS]


def measure(server_env: dict[str, str]) -> dict[str, Any]:
    """Run the measurements in a process of the instance; returns the figures."""
    out = subprocess.run(
        [sys.executable, __file__, "--inner"],
        env=server_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def record_all(figures: dict[str, Any]) -> None:
    from results import record

    database = figures["database"]
    extra = {"tips": figures["tips"]}
    record(
        benchmark="P2 search selector (SQL) p95",
        database=database,
        value=figures["search_selector_p95"],
        unit="ms",
        baseline=figures["search_raw_p95"],
        ratio=figures["search_selector_p95"] / figures["search_raw_p95"],
        extra={
            **extra,
            "target": "≤ 2 × raw",
            "limit_ratio": 2.0,
            "terms": figures["search_terms"],
            "samples": figures["search_samples"],
            "worst_term": figures["search_worst_term"],
            "with_models_p95_ms": round(figures["search_models_p95"], 1),
        },
    )
    record(
        benchmark="P4 statistics, one year city-wide",
        database=database,
        value=figures["stats_ms"],
        unit="ms",
        baseline=figures["stats_raw_ms"],
        ratio=figures["stats_ms"] / figures["stats_raw_ms"],
        extra={
            **extra,
            "target": "≤ 1000 ms, ≤ 2 × raw",
            "limit": 1000,
            "limit_ratio": 2.0,
            "year": figures["stats_year"],
            "cpu_ms": round(figures["stats_cpu_ms"]),
        },
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner()))
        return 0
    from generate import city

    server = city(database_url=args.database_url or None, quick=args.quick)
    record_all(measure(server.env))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
