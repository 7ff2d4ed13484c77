"""Pagination that never counts a huge table on every page.

Pages are fetched with LIMIT n+1 (is there a next page?) and the total is counted only up to
``COUNT_CAP`` rows: beyond it the page says "hơn 10.000" instead of scanning everything.

Big lists are fetched in two steps (``by_id``): the page's ids first, then their rows. Finding
the ids reads the indexes only, so the rows skipped by a deep page's OFFSET, or sorted when no
index gives the order, are never read from the table with their texts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import HttpRequest

M = TypeVar("M", bound=Model)
COUNT_CAP = 10_000
# Beyond this a page number is nonsense (and would overflow the database's OFFSET).
MAX_PAGE = 100_000


@dataclass
class Page(Generic[M]):
    items: list[M]
    number: int
    per_page: int
    has_next: bool
    total: int
    total_capped: bool
    query: dict[str, Any]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)

    @property
    def num_pages(self) -> int | None:
        if self.total_capped:
            return None
        return max(1, -(-self.total // self.per_page))

    def url_for(self, number: int) -> str:
        return "?" + urlencode({**self.query, "page": number})

    @property
    def next_url(self) -> str:
        return self.url_for(self.number + 1)

    @property
    def previous_url(self) -> str:
        return self.url_for(self.number - 1)


# ids of ``qs[offset : offset + limit]``, found some other way than by slicing ``qs``.
PageIds = Callable[[QuerySet[Any], int, int], list[Any]]


def paginate(
    request: HttpRequest,
    qs: QuerySet[M],
    per_page: int = 50,
    *,
    by_id: bool = False,
    page_ids: PageIds | None = None,
    count_cap: int | None = None,
) -> Page[M]:
    """The page of ``qs`` the request asks for (``?page=``). ``by_id`` fetches the page's ids
    first, then their rows; ``page_ids`` finds those ids (and implies ``by_id``)."""
    try:
        number = min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        number = 1
    offset = (number - 1) * per_page
    if page_ids is not None:
        rows = _rows_of(qs, page_ids(qs, offset, per_page + 1))
    elif by_id:
        ids = list(qs.values_list("pk", flat=True)[offset : offset + per_page + 1])
        rows = _rows_of(qs, ids)
    else:
        rows = list(qs[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    items = rows[:per_page]
    if number == 1 and not has_next:
        total, capped = len(items), False
    else:
        cap = COUNT_CAP if count_cap is None else count_cap
        counted = qs.order_by()[: cap + 1].count()
        total, capped = min(counted, cap), counted > cap
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return Page(items, number, per_page, has_next, total, capped, query)


def _rows_of(qs: QuerySet[M], ids: list[Any]) -> list[M]:
    """The rows of ``ids`` (found through ``qs``), in that order, with the related rows and
    the fields ``qs`` selects. Fetched by primary key alone: repeating the filters of ``qs``
    lets the database pick the index of a filter over the primary key."""
    if qs.query.annotations:
        raise ValueError("paginate(by_id=True) does not carry annotations over")
    again = qs.model._default_manager.filter(pk__in=ids)
    again.query.select_related = qs.query.select_related
    again.query.deferred_loading = qs.query.deferred_loading
    found = again.in_bulk()
    return [found[pk] for pk in ids if pk in found]
