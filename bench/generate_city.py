"""Time ``antq demo-data --units N`` on a throwaway SQLite database under ``var/bench/``.

    .venv/bin/python bench/generate_city.py                 # 50,000 units, with audit rows
    .venv/bin/python bench/generate_city.py --units 2400    # the size of `make demo`

Migrations run first and are not counted; the printed time is the whole ``demo-data``
process (start-up included), as a user would see it. The database is deleted afterwards
unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench" / "city"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep var/bench/city afterwards")
    args = parser.parse_args()

    shutil.rmtree(VAR_DIR, ignore_errors=True)
    env = {**os.environ, "ANTQ_DEMO": "1", "ANTQ_VAR_DIR": str(VAR_DIR)}
    env.pop("DATABASE_URL", None)  # always the default SQLite settings (WAL, IMMEDIATE)
    antq = [sys.executable, "-m", "antq.cli"]
    subprocess.run([*antq, "migrate", "--no-input", "-v", "0"], env=env, check=True)

    command = ["demo-data", "--units", str(args.units), "--seed", str(args.seed)]
    started = time.perf_counter()
    subprocess.run([*antq, *command], env=env, check=True)
    seconds = time.perf_counter() - started

    size_mb = (VAR_DIR / "antq.sqlite3").stat().st_size / 1_000_000
    print(f"antq {' '.join(command)}: {seconds:.1f} s (SQLite, {size_mb:.0f} MB)")
    if not args.keep:
        shutil.rmtree(VAR_DIR)
    return 0


if __name__ == "__main__":
    sys.exit(main())
