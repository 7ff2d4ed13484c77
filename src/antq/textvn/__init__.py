"""Vietnamese text utilities: pure functions, no Django, no database."""

from antq.textvn.normalize import fold, nfc, squash_spaces

__all__ = ["fold", "nfc", "squash_spaces"]
