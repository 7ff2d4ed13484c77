"""Interpolated modified Kneser-Ney estimation of a trigram model, written in back-off form.

For a trigram u v w (Chen & Goodman 1998):

    P3(w|uv) = (c(uvw) - D3(c)) / c(uv·) + γ3(uv) / c(uv·) · P2(w|v)
    P2(w|v)  = (N(·vw) - D2(N)) / N(·v·) + γ2(v) / N(·v·) · P1(w)
    P1(w)    = (1 - λ) · N(·w) / N(··) + λ · F(w)

where c are counts, N counts distinct left neighbours (continuation counts), D(k) is one of
three discounts per order — for k = 1, 2 and 3 or more, from the counts of counts — γ is the
sum of the discounts taken under a context (what it hands down to the lower order), and F is
a prior over single syllables (wordfreq's list, mixed in with weight λ).

The tables keep P3 for every seen trigram, P2 for every seen bigram and the weights the
unseen ones back off with (``antq.textvn.ngrams``): the same numbers, looked up in at most
three arrays.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from antq.textvn.ngrams import BITS, BOS, EOS, SPECIALS, UNK, Tables, pack

PRIOR_WEIGHT = 0.3
MODIFIED = True


def _discounts(counts: Iterable[int]) -> tuple[float, float, float]:
    """The three discounts of modified Kneser-Ney (for counts 1, 2 and 3 or more), from the
    counts of counts: D_k = k - (k + 1) · Y · n_{k+1} / n_k with Y = n1 / (n1 + 2 n2)."""
    histogram = Counter(c for c in counts if c <= 4)
    n = [histogram[k] for k in range(1, 5)]
    if not all(n):
        return 0.5, 1.0, 1.5
    y = n[0] / (n[0] + 2 * n[1])
    if not MODIFIED:
        return y, y, y
    return tuple(  # type: ignore[return-value]
        max(0.05, min(k, k - (k + 1) * y * n[k] / n[k - 1])) for k in range(1, 4)
    )


def _discount(discounts: tuple[float, float, float], count: int) -> float:
    return discounts[min(count, 3) - 1]


def estimate(
    sentences: Iterable[list[str]],
    prior: Mapping[str, float],
    meta: dict[str, object],
    lexicon: Iterable[str] = (),
    fragments: Iterable[list[str]] = (),
) -> Tables:
    """Tables of a trigram model from sentences (lists of tokens), fragments (tokens out of
    context, counted after an ``<unk>`` and without an end: names, dictionary words), a
    unigram prior over syllables and a lexicon: the syllables of both join the vocabulary (a
    syllable known only to the lexicon can be chosen, but only where nothing likelier fits)."""
    trigrams: Counter[tuple[str, str, str]] = Counter()
    for tokens in sentences:
        padded = [SPECIALS[BOS], SPECIALS[BOS], *tokens, SPECIALS[EOS]]
        for i in range(2, len(padded)):
            trigrams[padded[i - 2], padded[i - 1], padded[i]] += 1
    for fragment in fragments:
        # A piece of text out of context (a dictionary word): no start or end of sentence.
        padded = [SPECIALS[UNK], *fragment]
        for i in range(2, len(padded)):
            trigrams[padded[i - 2], padded[i - 1], padded[i]] += 1
    words = {w for gram in trigrams for w in gram} | set(prior) | set(lexicon)
    vocabulary = list(SPECIALS) + sorted(words - set(SPECIALS))
    if len(vocabulary) >= 1 << BITS:
        raise ValueError("vocabulary too large for the key packing")
    ids = {w: i for i, w in enumerate(vocabulary)}

    d3 = _discounts(trigrams.values())
    context3: Counter[tuple[str, str]] = Counter()
    gamma3: dict[tuple[str, str], float] = {}  # the mass discounted under each context
    left2: Counter[tuple[str, str]] = Counter()  # N1+(·vw)
    for (u, v, w), count in trigrams.items():
        context3[u, v] += count
        gamma3[u, v] = gamma3.get((u, v), 0.0) + _discount(d3, count)
        left2[v, w] += 1
    d2 = _discounts(left2.values())
    context2: Counter[str] = Counter()  # N1+(·v·)
    gamma2: dict[str, float] = {}
    left1: Counter[str] = Counter()  # N1+(·w)
    for (v, w), count in left2.items():
        context2[v] += count
        gamma2[v] = gamma2.get(v, 0.0) + _discount(d2, count)
        left1[w] += 1

    total1 = sum(left1.values())
    prior_total = sum(prior.values()) or 1.0
    floor = min(prior.values(), default=1.0) / prior_total / 10
    unigram = np.zeros(len(vocabulary), dtype=np.float64)
    for w, i in ids.items():
        if w == SPECIALS[BOS]:
            unigram[i] = 1e-9
            continue
        kn = left1.get(w, 0) / total1
        f = prior.get(w, 0.0) / prior_total if w in prior else floor
        unigram[i] = (1 - PRIOR_WEIGHT) * kn + PRIOR_WEIGHT * f
    unigram /= unigram.sum()

    p2: dict[tuple[str, str], float] = {}
    backoff1 = np.zeros(len(vocabulary), dtype=np.float64)
    for v, n in context2.items():
        backoff1[ids[v]] = math.log(gamma2[v] / n)
    for (v, w), n in left2.items():
        p2[v, w] = (n - _discount(d2, n) + gamma2[v] * unigram[ids[w]]) / context2[v]

    trigram_items = []
    for (u, v, w), c in trigrams.items():
        c_uv = context3[u, v]
        p = (c - _discount(d3, c) + gamma3[u, v] * p2[v, w]) / c_uv
        trigram_items.append((pack(ids[u], ids[v], ids[w]), math.log(p)))
    backoff2_items = [
        (pack(ids[u], ids[v]), math.log(gamma3[u, v] / c)) for (u, v), c in context3.items()
    ]
    bigram_items = [(pack(ids[v], ids[w]), math.log(p)) for (v, w), p in p2.items()]

    def arrays(items: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        items.sort()
        keys = np.array([k for k, _ in items], dtype=np.int64)
        values = np.array([lp for _, lp in items], dtype=np.float32)
        return keys, values

    bigram_keys, bigram = arrays(bigram_items)
    backoff2_keys, backoff2 = arrays(backoff2_items)
    trigram_keys, trigram = arrays(trigram_items)
    meta = {
        **meta,
        "discounts": [[round(d, 4) for d in d2], [round(d, 4) for d in d3]],
        "prior_weight": PRIOR_WEIGHT,
    }
    return Tables(
        vocabulary=vocabulary,
        unigram=np.log(unigram).astype(np.float32),
        backoff1=backoff1.astype(np.float32),
        bigram_keys=bigram_keys,
        bigram=bigram,
        backoff2_keys=backoff2_keys,
        backoff2=backoff2,
        trigram_keys=trigram_keys,
        trigram=trigram,
        meta=meta,
    )


def count_summary(tables: Tables) -> dict[str, int]:
    return {
        "vocabulary": len(tables.vocabulary),
        "bigrams": len(tables.bigram_keys),
        "trigrams": len(tables.trigram_keys),
    }
