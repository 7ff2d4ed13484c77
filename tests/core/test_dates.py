from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from hypothesis import given
from hypothesis import strategies as st

from antq.core.dates import day_text, moment_text


def test_a_moment_is_written_in_local_time() -> None:
    moment = dt.datetime(2026, 1, 1, 17, 5, tzinfo=dt.UTC)
    assert moment_text(moment) == "02/01/2026 00:05"
    assert moment_text(dt.datetime(2026, 3, 4, 5, 6)) == "04/03/2026 05:06"


@given(st.dates(min_value=dt.date(1900, 1, 1)))
def test_a_day_is_written_as_the_date_filter_writes_it(day) -> None:
    assert day_text(day) == formats.date_format(day, "d/m/Y")


@given(st.datetimes(min_value=dt.datetime(1970, 1, 2), timezones=st.just(dt.UTC)))
def test_a_moment_is_written_as_the_date_filter_writes_it(moment) -> None:
    expected = formats.date_format(timezone.localtime(moment), "d/m/Y H:i")
    assert moment_text(moment) == expected
