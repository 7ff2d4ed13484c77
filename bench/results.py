"""Where every benchmark writes its figures: one line printed, one record appended to
``var/bench/results.json`` (machine, date, git revision, database, figure, baseline, ratio)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench" / "results.json"


def _revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        # Other work on the machine at the time (the figures are only comparable when low).
        "load_average": round(os.getloadavg()[0], 2),
    }


def record(
    *,
    benchmark: str,
    database: str,
    value: float,
    unit: str,
    baseline: float | None = None,
    ratio: float | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    row = {
        "benchmark": benchmark,
        "database": database,
        "value": round(value, 3),
        "unit": unit,
        "baseline": round(baseline, 3) if baseline is not None else None,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "revision": _revision(),
        # Set by bench/run.py: the rows of one run of the suite (bench/report.py reads them).
        "run": os.environ.get("ANTQ_BENCH_RUN", ""),
        "machine": machine(),
        **(extra or {}),
    }
    shown = f"{benchmark:<42} {database:<10} {value:>12,.1f} {unit}"
    if ratio is not None:
        shown += f"   ratio {ratio:.3f} of {baseline:,.1f}"
    print(shown, flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    rows.append(row)
    RESULTS.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    return row
