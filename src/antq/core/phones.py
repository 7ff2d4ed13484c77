"""Vietnamese phone numbers, normalised to +84 (E.164)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()/]")


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """'0912 345 678' → '+84912345678'; '024.3825.1234' → '+842438251234'; '' → ''.

    Accepts a leading 0, 84, +84 or 0084. The national number must be 9 or 10 digits
    (mobile 9, landline with its area code 10) and must not start with 0.
    """
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        return ""
    if value.startswith("+84"):
        national = value[3:]
    elif value.startswith("0084"):
        national = value[4:]
    elif value.startswith("84") and len(value) in (11, 12):
        national = value[2:]
    elif value.startswith("0"):
        national = value[1:]
    else:
        raise InvalidPhone(raw)
    if not national.isdigit() or len(national) not in (9, 10) or national.startswith("0"):
        raise InvalidPhone(raw)
    return "+84" + national


def display_phone(e164: str) -> str:
    """'+84912345678' → '0912 345 678' for reading aloud on the phone."""
    if not e164.startswith("+84"):
        return e164
    local = "0" + e164[3:]
    if len(local) == 10:
        return f"{local[:4]} {local[4:7]} {local[7:]}"
    return f"{local[:3]} {local[3:7]} {local[7:]}"
