"""P8: the deadline scan and the overdue board over the generated city's open cases
(100,000 at full size), inside one Django process, against a raw count timed in the same run.

    .venv/bin/python bench/cases_scan.py [--quick] [--database-url URL]

The day is the one the cases were generated for (their latest ``received_on``), so a city
reused later still has its ~5 % overdue. Measured, each against the baseline (the raw
``SELECT count(*)`` of the open deadlines past their day, over the partial index):

- the first ``cases.reminders.deadline_scan(day=...)``: every overdue deadline and every
  one due within the reminder windows is claimed (``DeadlineAlert`` rows) and notified;
  median of three, the alerts and notifications deleted after each so that the next is
  a first scan again;
- a second scan the same day (everything already sent: the cost of finding nothing new);
- the scan of the next working day after the first one (the daily run: only the deadlines
  that entered a window or passed their day since);
- the overdue board's query: ``cases.selectors.overdue_for`` as the department (the whole
  city), its first page of 50 rows as model instances and its count capped at 1,000.

Printed beside them: the plans (``EXPLAIN``; ``EXPLAIN ANALYZE`` on PostgreSQL) of the scan's
claim queries, captured from a scan, and where a first scan's time goes (its statements by
shape, and a cProfile of the product's and Django's calls).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

SCAN_ROUNDS = 3
QUERY_ROUNDS = 7
PAGE = 50
COUNT_CAP = 1000
LIMIT_MS = 2000
PROFILE_LINES = 18


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def inner() -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Max

    from antq.accounts.models import User
    from antq.cases.deadlines import add_working_days
    from antq.cases.models import Case, CaseDeadline, DeadlineAlert
    from antq.cases.reminders import deadline_scan
    from antq.cases.selectors import overdue_for
    from antq.cases.services import work_calendar
    from antq.cases.status import OPEN_STATUSES
    from antq.core.models import Notification, OutboxMessage

    day = Case.objects.aggregate(day=Max("received_on"))["day"]
    user = User.objects.get(username="phongxdpt")
    sqlite = connection.vendor == "sqlite"

    def clean() -> None:
        """What a scan wrote: alerts, notifications, their email copies. On PostgreSQL the
        tables are vacuumed too, so that the next first scan does not wade through the
        dead rows of the last (a production table never has 30,000 just deleted)."""
        with transaction.atomic():
            DeadlineAlert.objects.all().delete()
            Notification.objects.filter(key__startswith="case-deadline:").delete()
            OutboxMessage.objects.filter(
                object_type="core.notification", object_id__startswith="case-deadline:"
            ).delete()
        if not sqlite:
            tables = (DeadlineAlert, Notification, OutboxMessage)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE " + ", ".join(m._meta.db_table for m in tables))

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM cases_casedeadline "
                "WHERE met_on IS NULL AND due_on IS NOT NULL AND due_on < %s",
                [connection.ops.adapt_datefield_value(day)],
            )
            cursor.fetchall()

    def board() -> None:
        deadlines = overdue_for(user, today=day)
        list(deadlines[:PAGE])
        deadlines.order_by().values("id")[:COUNT_CAP].count()

    clean()
    deadline_scan(day=day)  # warm: the first use of the URL conf, translations, imports
    clean()
    raw()
    board()
    raw_ms = statistics.median(_timed(raw) for _ in range(QUERY_ROUNDS))
    board_ms = statistics.median(_timed(board) for _ in range(QUERY_ROUNDS))

    next_day = add_working_days(day, 1, work_calendar())
    first_ms: list[float] = []
    repeat_ms: list[float] = []
    next_ms: list[float] = []
    result: Any = None
    again: Any = None
    following: Any = None
    for _ in range(SCAN_ROUNDS):
        clean()
        started = time.perf_counter()
        result = deadline_scan(day=day)
        first_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        again = deadline_scan(day=day)
        repeat_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        following = deadline_scan(day=next_day)
        next_ms.append((time.perf_counter() - started) * 1000)

    # One more first scan with its statements captured and timed (for the plans of the claim
    # queries and the SQL share), and one under cProfile (for where the rest goes).
    clean()
    statements: list[tuple[str, Any, float]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((sql, params, (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(capture):
        deadline_scan(day=day)
    clean()
    profiler = cProfile.Profile()
    profiler.enable()
    deadline_scan(day=day)
    profiler.disable()
    clean()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
        r"antq|django/db/models/(query|sql/compiler)|django/urls|notifications|sqlite3|psycopg",
        PROFILE_LINES,
    )

    by_statement: dict[str, list[float]] = defaultdict(list)
    for sql, _params, ms in statements:
        by_statement[_shape(sql)].append(ms)
    sql_ms = sum(ms for _s, _p, ms in statements)
    profile = sorted(
        ((shape, len(times), sum(times)) for shape, times in by_statement.items()),
        key=lambda row: -row[2],
    )
    # The claim: open deadlines of a window without an alert of its level (a SELECT whose
    # rows are inserted next, or an INSERT … SELECT).
    claims = [
        (sql, params)
        for sql, params, _ms in statements
        if "cases_deadlinealert" in sql
        and "cases_casedeadline" in sql
        and ("NOT EXISTS" in sql.upper() or "NOT (EXISTS" in sql.upper())
    ]
    plans = [_explain(connection, sql, params, sqlite) for sql, params in claims[:2]]
    clean()

    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).count()
    open_deadlines = CaseDeadline.objects.filter(met_on__isnull=True, due_on__isnull=False)
    return {
        "database": "sqlite" if sqlite else "postgresql",
        "day": day.isoformat(),
        "open_cases": open_cases,
        "open_deadlines": open_deadlines.count(),
        "overdue_deadlines": open_deadlines.filter(due_on__lt=day).count(),
        "raw_ms": raw_ms,
        "board_ms": board_ms,
        "first_ms": statistics.median(first_ms),
        "first_all_ms": [round(ms) for ms in first_ms],
        "repeat_ms": statistics.median(repeat_ms),
        "next_ms": statistics.median(next_ms),
        "next_day": next_day.isoformat(),
        "next_alerts": following.total,
        "next_notifications": following.notifications,
        "cprofile": out.getvalue(),
        "alerts": result.alerts,
        "notifications": result.notifications,
        "repeat_alerts": again.total,
        "repeat_notifications": again.notifications,
        "sql_ms": sql_ms,
        "statements": len(statements),
        "profile": [[shape, n, round(ms, 1)] for shape, n, ms in profile[:8]],
        "plans": plans,
    }


def _shape(sql: str) -> str:
    """A statement without its values, short enough to read in a table."""
    words = sql.split()
    head = " ".join(words[:3])
    tables = sorted(
        {
            w.strip('"(),')
            for w in words
            if w.strip('"(),').startswith(("cases_", "core_", "accounts_", "registry_"))
        }
    )
    return f"{head} … {', '.join(tables)}"


def _explain(connection: Any, sql: str, params: Any, sqlite: bool) -> str:
    """The plan; on PostgreSQL with its actual rows and times, unless the statement writes
    (EXPLAIN ANALYZE would run the insert)."""
    writes = sql.lstrip().upper().startswith("INSERT")
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute(("EXPLAIN " if writes else "EXPLAIN (ANALYZE, BUFFERS) ") + sql, params)
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def measure(server_env: dict[str, str]) -> dict[str, Any]:
    """Run the measurements in a process of the instance; returns the figures."""
    done = subprocess.run(
        [sys.executable, __file__, "--inner"],
        env=server_env,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        done.check_returncode()
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def record_all(figures: dict[str, Any]) -> None:
    from results import record

    database = figures["database"]
    raw_ms = figures["raw_ms"]
    extra = {
        "cases": figures["open_cases"],
        "open_deadlines": figures["open_deadlines"],
        "overdue_deadlines": figures["overdue_deadlines"],
        "target": f"≤ {LIMIT_MS} ms",
        "limit": LIMIT_MS,
    }
    print(
        f"P8 on {figures['day']}: {figures['open_cases']:,} open cases, "
        f"{figures['open_deadlines']:,} open deadlines with a day, "
        f"{figures['overdue_deadlines']:,} past it",
        flush=True,
    )
    record(
        benchmark="P8 deadline scan, first of the day",
        database=database,
        value=figures["first_ms"],
        unit="ms",
        baseline=raw_ms,
        ratio=figures["first_ms"] / raw_ms,
        extra={
            **extra,
            "alerts": figures["alerts"],
            "notifications": figures["notifications"],
            "rounds_ms": figures["first_all_ms"],
            "sql_ms": round(figures["sql_ms"]),
            "statements": figures["statements"],
        },
    )
    record(
        benchmark="P8 deadline scan, again the same day",
        database=database,
        value=figures["repeat_ms"],
        unit="ms",
        baseline=raw_ms,
        ratio=figures["repeat_ms"] / raw_ms,
        extra={
            **extra,
            "alerts": figures["repeat_alerts"],
            "notifications": figures["repeat_notifications"],
        },
    )
    record(
        benchmark="P8 deadline scan, the next working day",
        database=database,
        value=figures["next_ms"],
        unit="ms",
        baseline=raw_ms,
        ratio=figures["next_ms"] / raw_ms,
        extra={
            **extra,
            "alerts": figures["next_alerts"],
            "notifications": figures["next_notifications"],
            "day": figures["next_day"],
        },
    )
    record(
        benchmark="P8 overdue board, page and count",
        database=database,
        value=figures["board_ms"],
        unit="ms",
        baseline=raw_ms,
        ratio=figures["board_ms"] / raw_ms,
        extra=extra,
    )
    print(
        f"   first scan: {sum(figures['alerts'].values()):,} alerts {figures['alerts']}, "
        f"{figures['notifications']:,} notifications; rounds {figures['first_all_ms']} ms",
        flush=True,
    )
    print(
        f"   a first scan's statements: {figures['sql_ms']:,.0f} ms in "
        f"{figures['statements']} (executing; fetching the rows is counted in the profile):",
        flush=True,
    )
    for shape, n, ms in figures["profile"]:
        print(f"     {ms:>9,.1f} ms  {n:>5} × {shape}", flush=True)
    print("   a first scan under cProfile (cumulative, the product's and Django's calls):")
    for line in figures["cprofile"].splitlines():
        if line.strip():
            print(f"     {line}", flush=True)
    for plan in figures["plans"]:
        print("   plan of a claim query:", flush=True)
        for line in plan.splitlines():
            print(f"     {line}", flush=True)


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
