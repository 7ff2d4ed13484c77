"""Cursor (keyset) pagination: stable under inserts, no OFFSET, no COUNT.

A cursor is the URL-safe base64 of the JSON ``[key, id]`` of the last item of a page; the
next page starts strictly after it in ``(key, id)`` order. Clients treat it as opaque.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from antq.api.errors import ApiError
from antq.api.schemas import ID_MAX

M = TypeVar("M", bound=Model)


def encode_cursor(key: str, pk: int) -> str:
    raw = json.dumps([key, pk], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw.decode())
    except (binascii.Error, UnicodeError, ValueError):
        value = None
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and _storable(value[0])
        and type(value[1]) is int
        and 1 <= value[1] <= ID_MAX
    ):
        return value[0], value[1]
    raise ApiError(
        422,
        "invalid_cursor",
        _("Con trỏ phân trang (cursor) không hợp lệ. Hãy tải lại từ trang đầu."),
    )


def cursor_page(
    qs: QuerySet[M], *, key: str, cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """One page of ``qs`` ordered by ``(key, id)`` and the cursor of the next (or None)."""
    qs = qs.order_by(key, "id")
    if cursor:
        value, last_id = decode_cursor(cursor)
        qs = qs.filter(Q(**{f"{key}__gt": value}) | Q(**{key: value, "id__gt": last_id}))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(getattr(last, key), last.pk)
