from __future__ import annotations

from django.test import RequestFactory

from antq.core import pagination
from antq.registry.models import Unit
from tests.factories import make_unit


def test_a_single_short_page_is_counted_without_a_count_query(
    cast, django_assert_num_queries
) -> None:
    request = RequestFactory().get("/don-vi/")
    with django_assert_num_queries(1):
        page = pagination.paginate(request, Unit.objects.order_by("id"), per_page=10)
    assert (page.total, page.has_next, page.number) == (2, False, 1)


def test_the_total_is_capped_on_large_tables(cast, monkeypatch) -> None:
    for _ in range(5):
        make_unit(area=cast.ward_a)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    request = RequestFactory().get("/don-vi/", {"page": "2", "q": "x"})
    page = pagination.paginate(request, Unit.objects.order_by("id"), per_page=2)
    assert page.total_capped is True
    assert page.num_pages is None
    assert [u.pk for u in page.items] == list(
        Unit.objects.order_by("id").values_list("pk", flat=True)
    )[2:4]
    assert page.next_url == "?q=x&page=3"


def test_a_bad_page_number_shows_the_first_page(cast) -> None:
    request = RequestFactory().get("/don-vi/", {"page": "abc"})
    page = pagination.paginate(request, Unit.objects.order_by("id"))
    assert page.number == 1
