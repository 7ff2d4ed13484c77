"""Diacritics put back into texts typed without them (``antq.textvn.diacritics``).

Citizens often text the hotline without diacritics ("co nguoi ban ma tuy o ngo 12"), and an
officer reading "ban" cannot tell *bán* from *bạn*. Three places restore them:

- a tip received typed without marks keeps its text as it came and gets a restored copy,
  ``Tip.text_restored``, shown beside the original and marked as automatic;
- the operator's "Thêm dấu" restores what he typed, and lists the words the model is unsure
  of with their alternatives (``restoration_of``);
- a message of the dialogue typed without marks shows its restored reading on demand.

The original is never changed, and restoration never stands in the way of a tip: a failure
is logged and gives no restored text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from antq.textvn import diacritics, nfc

logger = logging.getLogger(__name__)

# A word chosen with less confidence than this is underlined for the user to check.
SURE = 0.9
# Alternatives shown for a word to check (the chosen form aside).
ALTERNATIVES = 3


def restored_text(text: str) -> str:
    """``text`` with its diacritics put back when it looks typed without them; "" when it
    does not, when nothing changed (no model installed, say) or when restoration failed."""
    try:
        if not diacritics.needs_restoration(text):
            return ""
        restored = diacritics.restore_diacritics(text)
    except Exception:
        # The tip (or the page) matters more than its restored copy.
        logger.exception("diacritic restoration failed")
        return ""
    return restored if restored != text else ""


@dataclass(frozen=True)
class Doubt:
    """A restored word the model is unsure of: its choice and the other readings, with their
    confidence in percent (best first)."""

    original: str
    restored: str
    percent: int
    alternatives: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Piece:
    """A run of the restored text; ``doubt`` when it is a word to check."""

    text: str
    doubt: Doubt | None = None


@dataclass(frozen=True)
class Restoration:
    """What "Thêm dấu" gives back: the text as typed, restored, and in pieces (the words to
    check apart) for the preview."""

    typed: str
    text: str
    pieces: tuple[Piece, ...]
    doubts: tuple[Doubt, ...]

    @property
    def changed(self) -> bool:
        return self.text != self.typed


class RestorationUnavailable(Exception):
    """No model is installed, or the restorer failed: nothing to show but an apology."""


def _percent(confidence: float) -> int:
    return round(confidence * 100)


def restoration_of(typed: str) -> Restoration:
    """The restoration of ``typed`` with the words to check; ``RestorationUnavailable`` when
    there is no model or it failed (logged)."""
    typed = nfc(typed)
    if not diacritics.model_available():
        raise RestorationUnavailable
    try:
        words = diacritics.restore_alternatives(typed, limit=ALTERNATIVES + 1)
    except Exception as exc:
        logger.exception("diacritic restoration failed")
        raise RestorationUnavailable from exc
    pieces: list[Piece] = []
    doubts: list[Doubt] = []
    last = 0

    def plain(text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1].doubt is None:
            pieces[-1] = Piece(pieces[-1].text + text)
        else:
            pieces.append(Piece(text))

    for word in sorted(words, key=lambda w: w.start):
        if word.start < last:
            continue  # overlapping spans cannot come from the restorer; never write twice
        plain(typed[last : word.start])
        confidence = dict(word.alternatives).get(word.restored, 0.0)
        others = tuple(
            (form, _percent(score))
            for form, score in word.alternatives
            if form != word.restored and _percent(score) > 0
        )[:ALTERNATIVES]
        if confidence < SURE and others:
            doubt = Doubt(word.original, word.restored, _percent(confidence), others)
            doubts.append(doubt)
            pieces.append(Piece(word.restored, doubt))
        else:
            plain(word.restored)
        last = word.end
    plain(typed[last:])
    text = "".join(piece.text for piece in pieces)
    return Restoration(typed, text, tuple(pieces), tuple(doubts))
