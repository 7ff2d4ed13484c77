"""Dates as ANTQ writes them everywhere: ``dd/mm/yyyy`` and ``HH:MM``, local time.

Templates say the same with Django's ``date`` filter and the formats of ``config/formats``.
These plain functions are for lists and files that write thousands of dates, where the
filter's locale lookups on every call cost more than the rest of the row.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def day_text(day: dt.date) -> str:
    """``31/12/2026``."""
    return f"{day.day:02}/{day.month:02}/{day.year:04}"


def moment_text(moment: dt.datetime) -> str:
    """``31/12/2026 23:59``: an aware moment in the local time zone, a naive one as it is."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{day_text(local)} {local.hour:02}:{local.minute:02}"
