"""Files sent with a tip: checked by content, stripped of metadata, stored under a random name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed the checks, ready to store."""

    name: str
    content_type: str
    extension: str
    data: bytes
