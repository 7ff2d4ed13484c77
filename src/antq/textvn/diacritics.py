"""Putting back the diacritics of Vietnamese typed without them.

``restore_diacritics("co nguoi ban ma tuy o ngo 12 phuong hoan kiem")`` →
``"có người bán ma túy ở ngõ 12 phường hoàn kiếm"``.

Each word typed without marks could be several syllables (*ban*: bán, bạn, bàn, bản, băn…);
a trigram language model over marked syllables (``ngrams.py``, built by ``training/``) scores
every way of choosing them, and the Viterbi algorithm finds the best sentence. Only words that
are unmarked Vietnamese-looking syllables are candidates; everything else is kept exactly as
typed — numbers, codes, licence plates, phone numbers, addresses of web sites and mail, words
that already carry a mark (they are context), words the model does not know (English), and an
isolated ALL-CAPS acronym. Capitals are kept; the tone goes where the configured spelling
convention puts it (``ANTQ_TONE_STYLE``: ``new`` — *hòa, thủy* — or ``old`` — *hoà, thuỷ*).

Speed: the candidates of a whole text are scored in a few vectorised array lookups, then the
dynamic programme runs over small matrices (at most ``MAX_CANDIDATES`` per word); the model
loads once, lazily, on first use.
"""

from __future__ import annotations

import math
import os
import re
import threading
import unicodedata
from pathlib import Path
from typing import Any, NamedTuple

from antq.textvn.ngrams import BITS, BOS, EOS, NUM, SPECIALS, UNK, Tables
from antq.textvn.normalize import fold
from antq.textvn.syllables import Style, canonical, has_marks, is_syllable, match_case

MODEL_VERSION = 1
MODEL_PATH = Path(__file__).resolve().parent / "data" / f"diacritics-{MODEL_VERSION}.bin"
MAX_CANDIDATES = 12  # *co*: có cô cơ cổ cố cò cỏ cọ cớ cộ cờ cỗ — 8 missed cỏ, cắn, dõi
# Candidates far less likely than the best reading of a word, alone, are not considered.
PRUNE_NATS = 14.0
NEG = -math.inf
# States of the Viterbi search further than this below the best are not extended.
BEAM_NATS = 10.0

_PIECES = re.compile(
    r"(?P<opaque>(?:https?://|www\.)\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|[\w-]+(?:\.[\w-]+)*\.(?:com|vn|net|org|info|gov|edu|io|me|biz|app|xyz)\b\S*"
    r"|[\w-]+(?:\.[\w-]+)+/\S*)"
    r"|(?P<run>[^\W_]+)"
    r"|(?P<stop>[.!?;:,()\[\]{}\"“”…\n\r]+)"
)


class Token(NamedTuple):
    """A piece of text the model sees: a word, a number, something opaque, or a stop."""

    start: int
    end: int
    kind: str  # "word", "number", "opaque", "stop"


def tokens(text: str) -> list[Token]:
    """The pieces of an NFC text, in order (spaces and other punctuation are not pieces)."""
    found = []
    for match in _PIECES.finditer(text):
        kind = match.lastgroup or "opaque"
        if kind == "run":
            piece = match.group()
            kind = "word" if piece.isalpha() else "number" if piece.isdigit() else "opaque"
        found.append(Token(match.start(), match.end(), kind))
    return found


def default_style() -> Style:
    return "old" if os.environ.get("ANTQ_TONE_STYLE", "new").strip().lower() == "old" else "new"


class Piece(NamedTuple):
    """A token with the ids it may stand for; ``restorable`` when it is a word typed without
    marks that the restorer chooses the marks of."""

    token: Token
    options: tuple[int, ...]
    restorable: bool


class RestoredWord(NamedTuple):
    """One word the restorer considered: where it is, what it chose, and the alternatives with
    a confidence between 0 and 1 (best first)."""

    start: int
    end: int
    original: str
    restored: str
    alternatives: tuple[tuple[str, float], ...]


def _table(keys: Any, values: Any) -> dict[int, float]:
    """A dictionary of packed key → log-probability. The values were stored as float16, so
    there are few distinct ones: each is one shared object (a third less memory)."""
    shared: dict[float, float] = {}
    return {
        key: shared.setdefault(value, value)
        for key, value in zip(keys.tolist(), values.tolist(), strict=True)
    }


class Restorer:
    """A loaded model: its n-gram tables as dictionaries keyed by packed ids, and the candidate
    table (folded word → ids of its marked forms, likeliest first)."""

    def __init__(self, tables: Tables) -> None:
        self.meta = tables.meta
        self.vocabulary = tables.vocabulary
        self.ids = {word: i for i, word in enumerate(self.vocabulary)}
        self.unigram: list[float] = tables.unigram.tolist()
        self.backoff1: list[float] = tables.backoff1.tolist()
        self.bigram = _table(tables.bigram_keys, tables.bigram)
        self.context = _table(tables.backoff2_keys, tables.backoff2)
        self.trigram = _table(tables.trigram_keys, tables.trigram)
        grouped: dict[str, list[int]] = {}
        for i in range(len(SPECIALS), len(self.vocabulary)):
            grouped.setdefault(fold(self.vocabulary[i]), []).append(i)
        self.candidates: dict[str, tuple[int, ...]] = {}
        for key, ids in grouped.items():
            ids.sort(key=lambda i: (-self.unigram[i], i))
            best = self.unigram[ids[0]]
            kept = [i for i in ids if self.unigram[i] >= best - PRUNE_NATS][:MAX_CANDIDATES]
            self.candidates[key] = tuple(kept)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Restorer:
        return cls(Tables.read(path))

    # -- reading a text ---------------------------------------------------------------------

    def _chains(self, text: str) -> list[list[Piece]]:
        """Runs of pieces between stops, each piece with the ids it may be."""
        found = tokens(text)
        words = [text[t.start : t.end] for t in found if t.kind == "word"]
        shouting = sum(w.isupper() for w in words) * 2 > len(words)
        chains: list[list[Piece]] = [[]]
        for token in found:
            if token.kind == "stop":
                if chains[-1]:
                    chains.append([])
                continue
            chains[-1].append(self._piece(text[token.start : token.end], token, shouting))
        return [chain for chain in chains if chain]

    def _piece(self, text: str, token: Token, shouting: bool) -> Piece:
        if token.kind != "word":
            return Piece(token, (NUM,) if token.kind == "number" else (UNK,), False)
        lower = text.lower()
        if has_marks(lower) or not text.isascii():
            return Piece(token, (self.ids.get(canonical(lower), UNK),), False)
        if len(text) > 1 and text.isupper() and not shouting:  # an acronym: UBND, CA, THPT
            return Piece(token, (UNK,), False)
        options = self.candidates.get(lower)
        if options is None:  # not a syllable the model knows: English, a name, a typo
            return Piece(token, (UNK,), False)
        return Piece(token, options, True)

    # -- the model ---------------------------------------------------------------------------

    def score(self, a: int, b: int, c: int) -> float:
        """log P(c | a b), backing off to the bigram and the unigram."""
        found = self.trigram.get(((a << BITS | b) << BITS) | c)
        if found is not None:
            return found
        return self.context.get(a << BITS | b, 0.0) + self._bigram(b, c)

    def _bigram(self, b: int, c: int) -> float:
        found = self.bigram.get(b << BITS | c)
        return self.backoff1[b] + self.unigram[c] if found is None else found

    # -- decoding ----------------------------------------------------------------------------

    def best_path(self, options: list[tuple[int, ...]]) -> list[int]:
        """Viterbi over a chain: the index of the chosen option at each position.

        The state is the pair of the last two choices. For a pair (b, c) the best predecessor
        a is found without scoring every triple: a triple never seen scores its context's
        back-off weight plus log P(c | b), and a seen one scores at least that (Kneser-Ney's
        discounted mass is never negative) — so the best over all a is the better of (i) the
        best ``delta[a, b] + backoff(a b)`` plus log P(c | b), and (ii) the seen triples, looked
        up only under the contexts (a b) the model knows.
        """
        padded = [(BOS,), (BOS,), *options, (EOS,)]
        delta: list[list[float]] = [[0.0]]
        back: list[list[list[int]]] = []
        trigram, context, bigram = self.trigram.get, self.context.get, self.bigram.get
        unigram, backoff1 = self.unigram, self.backoff1
        for i in range(2, len(padded)):
            before, previous, current = padded[i - 2], padded[i - 1], padded[i]
            # A beam: states this far below the best one are dropped. At 10 nats none of the
            # development split's choices change (at 5, 0.15 % do); it halves the work.
            floor = max(max(row) for row in delta) - BEAM_NATS
            scores: list[list[float]] = []
            pointers: list[list[int]] = []
            for ib, b in enumerate(previous):
                base, base_at = NEG, 0
                seen = []
                for ia, a in enumerate(before):
                    total = delta[ia][ib]
                    if total < floor:
                        continue
                    key = a << BITS | b
                    weight = context(key)
                    if weight is not None:
                        seen.append((ia, total, key << BITS))
                        total += weight
                    if total > base:
                        base, base_at = total, ia
                row: list[float] = []
                row_at: list[int] = []
                shifted, fallback = b << BITS, backoff1[b]
                for c in current:
                    found = bigram(shifted | c)
                    best = base + (fallback + unigram[c] if found is None else found)
                    best_at = base_at
                    for ia, total, key in seen:
                        found = trigram(key | c)
                        if found is not None and total + found > best:
                            best, best_at = total + found, ia
                    row.append(best)
                    row_at.append(best_at)
                scores.append(row)
                pointers.append(row_at)
            delta = scores
            back.append(pointers)
        last = len(options)
        chosen = [0] * last
        b = max(range(len(delta)), key=lambda ib: delta[ib][0])
        c = 0
        for k in range(last, 0, -1):  # back[k]: the step that scored position k (last: the end)
            chosen[k - 1] = b
            b, c = back[k][b][c], b
        return chosen

    def max_marginals(self, options: list[tuple[int, ...]]) -> list[list[float]]:
        """For each position and option, the score of the best path through it (for the
        alternatives shown to a user: short texts, so every triple is scored)."""
        padded = [(BOS,), (BOS,), *options, (EOS,)]
        steps = [
            [
                [[self.score(a, b, c) for c in padded[i]] for b in padded[i - 1]]
                for a in padded[i - 2]
            ]
            for i in range(2, len(padded))
        ]
        forward: list[list[list[float]]] = []
        delta = [[0.0]]
        for step in steps:
            delta = [
                [
                    max(delta[ia][ib] + step[ia][ib][ic] for ia in range(len(step)))
                    for ic in range(len(step[0][ib]))
                ]
                for ib in range(len(step[0]))
            ]
            forward.append(delta)
        backward: list[list[list[float]]] = [[[0.0] for _ in forward[-1]]]
        for step in reversed(steps[1:]):
            beta = backward[0]
            backward.insert(
                0,
                [
                    [
                        max(step[ib][ic][id_] + beta[ic][id_] for id_ in range(len(beta[ic])))
                        for ic in range(len(step[ib]))
                    ]
                    for ib in range(len(step))
                ],
            )
        marginals = []
        for position in range(len(options)):
            f, g = forward[position], backward[position]
            marginals.append(
                [max(f[ib][ic] + g[ib][ic] for ib in range(len(f))) for ic in range(len(f[0]))]
            )
        return marginals

    def decode(
        self, text: str, *, alternatives: int = 0, style: Style | None = None
    ) -> tuple[str, list[RestoredWord]]:
        """The restored text and (if ``alternatives``) the words considered with their choices."""
        text = unicodedata.normalize("NFC", text)
        style = style or default_style()
        replacements: list[tuple[int, int, str]] = []
        considered: list[RestoredWord] = []
        for chain in self._chains(text):
            if not any(piece.restorable for piece in chain):
                continue
            options = [piece.options for piece in chain]
            chosen = self.best_path(options)
            marginals = self.max_marginals(options) if alternatives else []
            for i, (piece, pick) in enumerate(zip(chain, chosen, strict=True)):
                if not piece.restorable:
                    continue
                token = piece.token
                original = text[token.start : token.end]
                form = self._form(piece.options[pick], original, style)
                if form != original:
                    replacements.append((token.start, token.end, form))
                if alternatives:
                    ranked = self._ranked(
                        piece.options, marginals[i], original, style, alternatives
                    )
                    considered.append(RestoredWord(token.start, token.end, original, form, ranked))
        pieces = []
        last = 0
        for start, end, form in replacements:
            pieces.append(text[last:start])
            pieces.append(form)
            last = end
        pieces.append(text[last:])
        return "".join(pieces), considered

    def _form(self, word_id: int, original: str, style: Style) -> str:
        form = self.vocabulary[word_id]
        if style != "new":
            form = canonical(form, style)
        return match_case(form, original)

    def _ranked(
        self,
        options: tuple[int, ...],
        marginal: list[float],
        original: str,
        style: Style,
        limit: int,
    ) -> tuple[tuple[str, float], ...]:
        best = max(marginal)
        weights = [math.exp(m - best) for m in marginal]
        total = sum(weights)
        order = sorted(range(len(options)), key=lambda i: (-weights[i], i))[:limit]
        return tuple(
            (self._form(options[i], original, style), round(weights[i] / total, 3)) for i in order
        )


_lock = threading.Lock()
_loaded: Restorer | None = None


def restorer() -> Restorer:
    """The model, loaded on first use (once per process)."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = Restorer.load()
    return _loaded


def model_available() -> bool:
    return MODEL_PATH.exists()


def restore_diacritics(text: str, *, style: Style | None = None) -> str:
    """``text`` with the diacritics of its unmarked Vietnamese words put back (see the module
    docstring for what is kept as typed). Without a model file, the text unchanged."""
    if not text or not model_available():
        return text
    return restorer().decode(text, style=style)[0]


def restore_alternatives(
    text: str, limit: int = 4, *, style: Style | None = None
) -> list[RestoredWord]:
    """The words of ``text`` the restorer considered, each with its choice and up to ``limit``
    alternatives with a confidence (the best reading of the whole text with that word fixed,
    normalised over the word's forms)."""
    if not text or not model_available():
        return []
    return restorer().decode(text, alternatives=max(limit, 1), style=style)[1]


def needs_restoration(text: str) -> bool:
    """Whether a text looks typed without diacritics: at least three Vietnamese-looking words
    and no more than one in five of them marked (running Vietnamese text marks most)."""
    marked = unmarked = 0
    text = unicodedata.normalize("NFC", text)
    for token in tokens(text):
        if token.kind != "word":
            continue
        word = text[token.start : token.end].lower()
        if has_marks(word):
            marked += is_syllable(word)
        elif word.isascii() and is_syllable(word):
            unmarked += 1
    return unmarked >= 3 and marked * 5 <= marked + unmarked
