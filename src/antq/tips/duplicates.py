"""Likely duplicates of a tip: same ward, received around the same time, similar words.

Several people often report the same incident (a fire, a fight outside a school) within hours,
in different words and with or without diacritics. Texts are compared as sets of two-word
shingles of their folded form (Jaccard index), which tolerates reordered sentences and a
missing accent but not a different incident in the same street.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from antq.accounts import scoping
from antq.textvn import fold
from antq.tips.models import Tip
from antq.tips.status import TipStatus

WINDOW = dt.timedelta(days=14)
THRESHOLD = 0.35
SHINGLE = 2
# A ward receives a few tips a day; this bounds the work on a pathological day.
MAX_CANDIDATES = 500

_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE) -> frozenset[str]:
    """The runs of ``size`` consecutive words of the folded text (the words themselves when
    the text is shorter than that)."""
    words = _WORD.findall(fold(text))
    if len(words) < size:
        return frozenset(words)
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def similarity(a: str, b: str) -> float:
    """Jaccard index of the shingles of two texts: 1.0 for the same words in the same order
    (whatever the accents and case), 0.0 for nothing in common."""
    sa, sb = shingles(a), shingles(b)
    if sa == sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


@dataclass(frozen=True)
class Duplicate:
    tip: Tip
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def likely_duplicates(
    tip: Tip, candidates_qs: QuerySet[Tip], limit: int = 5, threshold: float = THRESHOLD
) -> list[Duplicate]:
    """Tips from ``candidates_qs`` that probably report the same thing as ``tip``, most similar
    first: same ward, received within 14 days of it, not merged into another tip."""
    if tip.ward_id is None:
        return []
    candidates = (
        candidates_qs.filter(
            ward_id=tip.ward_id,
            received_at__gte=tip.received_at - WINDOW,
            received_at__lte=tip.received_at + WINDOW,
            merged_into__isnull=True,
        )
        .exclude(pk=tip.pk)
        .exclude(status=TipStatus.DUPLICATE)
        .select_related("category")
        .order_by("-received_at")[:MAX_CANDIDATES]
    )
    found = [Duplicate(other, similarity(tip.text, other.text)) for other in candidates]
    found = [d for d in found if d.score >= threshold]
    found.sort(key=lambda d: (-d.score, -d.tip.received_at.timestamp()))
    return found[:limit]


def duplicates_for(user: Any, tip: Tip, limit: int = 5) -> list[Duplicate]:
    """Likely duplicates of ``tip`` among the tips ``user`` may see."""
    return likely_duplicates(tip, scoping.tips_for(user), limit=limit)
