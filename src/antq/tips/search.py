"""Full-text search over tips: the indexed document and the query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from antq.textvn import fold

if TYPE_CHECKING:
    from antq.tips.models import Tip


def search_document(tip: Tip) -> str:
    """The folded text a tip is found by: code, category, content, place, ward and unit."""
    parts = [
        tip.code,
        tip.category.name,
        tip.text,
        tip.place,
        tip.ward.name if tip.ward_id and tip.ward else "",
        tip.unit.name if tip.unit_id and tip.unit else "",
    ]
    return fold(" ".join(p for p in parts if p))
