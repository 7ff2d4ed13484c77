"""The benchmark suite: generate the city (once per database and size), then P1 to P9, then
the table of this run.

    .venv/bin/python bench/run.py                       # SQLite, full size (make bench)
    .venv/bin/python bench/run.py --quick               # 5k units, 50k tips, 5k open cases
    .venv/bin/python bench/run.py --database postgres   # DATABASE_URL, or antq_bench on loopback

Every script it runs can be run alone (see each one's docstring). The rows of this run carry
one run id in ``var/bench/results.json``; ``bench/report.py`` prints them (and writes
``docs/performance.png`` with ``--write``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from generate import DEFAULT_POSTGRES, city

HERE = Path(__file__).resolve().parent


def step(title: str, *args: str) -> bool:
    print(f"\n== {title}", flush=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=HERE, check=False)
    print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    if done.returncode:
        print(f"   {title}: exit status {done.returncode}", file=sys.stderr)
    return done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="the small city (under 2 minutes)")
    args = parser.parse_args()
    database_url = ""
    if args.database == "postgres":
        database_url = os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + f"-{args.database}"
    os.environ["ANTQ_BENCH_RUN"] = run_id
    os.environ.pop("DATABASE_URL", None)  # each script is told its database explicitly
    started = time.perf_counter()
    db = ["--database-url", database_url] if database_url else []
    quick = ["--quick"] if args.quick else []

    print("== generate", flush=True)
    city(database_url=database_url or None, quick=args.quick)
    ok = True
    p1_db = ["--database-url", database_url + "_p1"] if database_url else []
    ok &= step("P1 tip submission", "tips_submit.py", *p1_db, "--seconds", "4" if quick else "20")
    ok &= step("P2 search selector, P4 statistics", "queries.py", *db, *quick)
    ok &= step("P2 search page, P3 lists, P7 memory", "pages.py", *db, *quick)
    ok &= step("P5 export, P6 import", "jobs.py", *db, *quick)
    ok &= step("P8 deadline scan and overdue board", "cases_scan.py", *db, *quick)
    ok &= step("P9 diacritic restoration against pyvi", "textvn_restore.py")
    print(f"\n== run {run_id}: {time.perf_counter() - started:.0f} s\n", flush=True)
    step("report", "report.py", "--run", run_id)
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
