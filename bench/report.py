"""The latest figures of ``var/bench/results.json`` as a markdown table, and a chart.

    .venv/bin/python bench/report.py                  # latest run of each database, printed
    .venv/bin/python bench/report.py --run RUN_ID     # one run (bench/run.py prints its id)
    .venv/bin/python bench/report.py --write          # also docs/performance.png and the
                                                      # table inside docs/performance.md

Each row is checked against the target of the issue (the ``TARGETS`` below): a figure, a
ratio to the baseline measured in the same run, or both (P8's baseline, a raw count of the
overdue deadlines, is there for scale; its target is the 2 s alone). "load" is the machine's
load average when the row was recorded: with other work on the machine, times stretch.
Targets are stated for the full city (1M tips, 50k units, 100k open cases); a quick run says
so in its "scale".
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from results import RESULTS, ROOT

DOC = ROOT / "docs" / "performance.md"
CHART = ROOT / "docs" / "performance.png"
BEGIN, END = "<!-- bench:table -->", "<!-- /bench:table -->"


@dataclass(frozen=True)
class Target:
    text: str
    # (row) → fraction of the allowance used: ≤ 1 is met. None: nothing to check.
    used: Callable[[dict[str, Any]], float | None]


def _at_most(limit: float) -> Target:
    return Target(f"≤ {limit:g}", lambda r: r["value"] / limit)


def _ratio_at_most(limit: float) -> Target:
    return Target(f"≤ {limit:g} × baseline", lambda r: r["ratio"] / limit if r["ratio"] else None)


def _ratio_at_least(limit: float) -> Target:
    return Target(f"≥ {limit:g} × baseline", lambda r: limit / r["ratio"] if r["ratio"] else None)


def _at_least(limit: float) -> Target:
    return Target(f"≥ {limit:,g}", lambda r: limit / r["value"] if r["value"] else None)


def _restorer(row: dict[str, Any]) -> float | None:
    """≥ 97 % of syllables, and ≥ 25 points ahead of pyvi (the baseline)."""
    lead = row["value"] - (row["baseline"] or 0)
    return max(97 / row["value"], 25 / lead if lead > 0 else float("inf"))


def _zero() -> Target:
    return Target("0", lambda r: 0.0 if r["value"] == 0 else float("inf"))


def _stats(row: dict[str, Any]) -> float | None:
    return max(row["value"] / 1000, (row["ratio"] or 0) / 2)


def _generate(row: dict[str, Any]) -> float | None:
    full = row.get("tips", 0) >= 1_000_000 and row["database"] == "sqlite"
    return row["value"] / 600 if full else None


# Benchmark name (prefix) → target, in the order of the table.
TARGETS: list[tuple[str, Target]] = [
    ("P0 generate city", Target("≤ 600 s (SQLite, full size)", _generate)),
    ("P1 no-DB view (baseline)", Target("baseline", lambda r: None)),
    ("P1 tip submission p99", _at_most(100)),
    ("P1 tip submission", _ratio_at_least(0.25)),
    ("P1 baseline p99", Target("—", lambda r: None)),
    ("P1 acknowledged tips lost", _zero()),
    ("P1 answers that were not a receipt", _zero()),
    ("P2 search page p95", _at_most(50)),
    ("P2 search selector", _ratio_at_most(2)),
    ("P3 ", _at_most(100)),
    ("P4 statistics", Target("≤ 1000 ms and ≤ 2 × baseline", _stats)),
    ("P5 export CSV time", _at_most(60)),
    ("P5 export XLSX time", Target("— (CSV's target is the one)", lambda r: None)),
    ("P5 export", _at_most(300)),
    ("P6 import units XLSX time", _at_most(60)),
    ("P6 import", _at_most(300)),
    ("P7 ", _at_most(150)),
    ("P8 ", _at_most(2000)),
    ("P9 diacritics accuracy, mean", Target("≥ 97 % and ≥ pyvi + 25 points", _restorer)),
    ("P9 diacritics accuracy", Target("— (the mean row's)", lambda r: None)),
    ("P9 diacritics speed", _at_least(15_000)),
    ("P9 diacritics model memory", _at_most(100)),
]


def target_of(name: str) -> tuple[int, Target]:
    for order, (prefix, target) in enumerate(TARGETS):
        if name.startswith(prefix):
            return order, target
    return len(TARGETS), Target("—", lambda r: None)


def latest_rows(rows: list[dict[str, Any]], run: str | None) -> list[dict[str, Any]]:
    """The rows of ``run``, or of the latest run of each database; the last row of each
    benchmark in it."""
    if run:
        chosen = [r for r in rows if r.get("run") == run]
    else:
        latest: dict[str, str] = {}
        for r in rows:
            if r.get("run"):
                latest[r["database"]] = max(latest.get(r["database"], ""), r["run"])
        chosen = [r for r in rows if r.get("run") and r["run"] == latest.get(r["database"])]
    # A run that reused its city has no P0 row: the one that built that city stands for it.
    for database, tips in {(r["database"], r["tips"]) for r in chosen if r.get("tips")}:
        if not any(r["benchmark"].startswith("P0") and r["database"] == database for r in chosen):
            built = [
                r
                for r in rows
                if r["benchmark"].startswith("P0")
                and r["database"] == database
                and r.get("tips") == tips
            ]
            chosen = built[-1:] + chosen
    last: dict[tuple[str, str], dict[str, Any]] = {}
    for r in chosen:
        last[(r["database"], r["benchmark"])] = r
    return sorted(
        last.values(), key=lambda r: (target_of(r["benchmark"])[0], r["benchmark"], r["database"])
    )


def _scale(row: dict[str, Any]) -> str:
    tips = row.get("tips")
    units = row.get("units")
    parts = []
    if tips:
        parts.append(f"{tips / 1e6:g}M tips" if tips >= 1_000_000 else f"{tips / 1e3:g}k tips")
    if units and (not tips or "unit" in row["benchmark"]):
        parts.append(f"{units / 1e3:g}k units")
    if row.get("syllables") and row["benchmark"].startswith("P9"):
        parts.append(f"{row['syllables']:,} syllables")
    cases = row.get("cases")
    if cases and row["benchmark"].startswith("P8"):
        parts.append(f"{cases / 1e3:g}k open cases")
    return ", ".join(parts) or "—"


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif 0 < abs(value) < 0.1:
        text = f"{value:.2g}"  # a baseline of a few hundredths of a millisecond
    else:
        text = f"{value:,.1f}"
    return f"{text} {unit}".strip()


def _notes(row: dict[str, Any]) -> str:
    """What else the row says: CPU time (the work without the waiting), bad answers."""
    notes = []
    if row.get("cpu_seconds") is not None:
        notes.append(f"CPU {row['cpu_seconds']:g} s")
    if row.get("cpu_ms") is not None:
        notes.append(f"CPU {row['cpu_ms']:g} ms")
    if row.get("with_models_p95_ms") is not None:
        notes.append(f"with model instances {row['with_models_p95_ms']:g} ms")
    if row.get("p50_ms") is not None:
        notes.append(f"p50 {row['p50_ms']:g} ms, {row.get('rps', 0):g} req/s")
    if row.get("bad"):
        notes.append(f"{row['bad']} bad answers")
    if row.get("alerts") is not None:
        alerts = row["alerts"]
        total = sum(alerts.values()) if isinstance(alerts, dict) else alerts
        notes.append(f"{total:,} alerts, {row.get('notifications', 0):,} notifications")
    if row.get("lead_points") is not None:
        notes.append(f"{row['lead_points']:+g} points over pyvi (the baseline)")
    if row.get("pooled") is not None:
        notes.append(f"all syllables pooled {row['pooled']:g} % (pyvi {row['pyvi_pooled']:g} %)")
    if row.get("confusions"):
        notes.append("confusions " + ", ".join(f"{a}→{b} {n}" for a, b, n in row["confusions"]))
    if row.get("load_ms") is not None:
        notes.append(f"loaded in {row['load_ms']:,} ms")
    if row.get("sql_ms") is not None:
        notes.append(f"statements {row['sql_ms']:,} ms")
    if row.get("imported") is not None and row.get("imported") != row.get("units"):
        notes.append(f"{row['imported']:,} of {row['units']:,} imported")
    return "; ".join(notes)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| id | what | database | scale | figure | baseline | ratio | target | met? | load"
        " | notes |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        _order, target = target_of(r["benchmark"])
        used = target.used(r)
        met = "—" if used is None else ("yes" if used <= 1 else "**no**")
        ident, _, what = r["benchmark"].partition(" ")
        baseline = _number(r["baseline"], r["unit"] if r["unit"] == "ms" else "")
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "—"
        lines.append(
            f"| {ident} | {what} | {r['database']} | {_scale(r)} | {_number(r['value'], r['unit'])}"
            f" | {baseline} | {ratio} | {target.text} | {met}"
            f" | {r['machine'].get('load_average', '—')} | {_notes(r)} |"
        )
    return "\n".join(lines)


def chart(rows: list[dict[str, Any]], path: Path) -> None:
    """Each checked figure as the share of its target it uses (1 = the target)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    checked = []
    for r in rows:
        used = target_of(r["benchmark"])[1].used(r)
        if used is not None and 0 < used != float("inf"):
            checked.append((f"{r['benchmark']} ({r['database']})", used))
    if not checked:
        return
    checked.reverse()
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(checked) + 1.2))
    labels = [c[0] for c in checked]
    values = [c[1] for c in checked]
    colours = ["#2e7d32" if v <= 1 else "#c62828" for v in values]
    ax.barh(labels, values, color=colours)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("share of the target used (log scale; right of the line = target missed)")
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title("ANTQ benchmarks: figure ÷ target")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_doc(markdown: str, runs: list[str]) -> None:
    text = DOC.read_text()
    block = f"{BEGIN}\nRuns: {', '.join(runs)}.\n\n{markdown}\n{END}"
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    DOC.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", help="a run id (default: the latest run of each database)")
    parser.add_argument("--write", action="store_true", help="update docs/performance.*")
    args = parser.parse_args()
    if not RESULTS.exists():
        print("No results yet: run `make bench` first.", file=sys.stderr)
        return 1
    rows = latest_rows(json.loads(RESULTS.read_text()), args.run)
    if not rows:
        print("No rows for that run.", file=sys.stderr)
        return 1
    markdown = table(rows)
    print(markdown)
    if args.write:
        chart(rows, CHART)
        runs = sorted({r["run"] for r in rows if r.get("run")})
        write_doc(markdown, runs)
        print(f"\nwrote {CHART.relative_to(ROOT)} and the table of {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
