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


def test_by_id_gives_the_same_page_with_its_related_rows(cast, django_assert_num_queries) -> None:
    for n in range(7):
        make_unit(area=cast.ward_a, name=f"Đơn vị {n}")
    units = Unit.objects.select_related("ward").order_by("-name_folded", "id")
    request = RequestFactory().get("/don-vi/", {"page": "2"})
    expected = pagination.paginate(request, units, per_page=3)
    # ids, rows by id, capped count; the wards come with the rows.
    with django_assert_num_queries(3):
        page = pagination.paginate(request, units, per_page=3, by_id=True)
        names = [u.ward.name for u in page.items]
    assert [u.pk for u in page.items] == [u.pk for u in expected.items]
    assert names == [u.ward.name for u in expected.items]
    assert (page.total, page.has_next) == (expected.total, expected.has_next)


def test_by_id_refuses_annotations(cast) -> None:
    import pytest
    from django.db.models import Value

    request = RequestFactory().get("/don-vi/", {"page": "1"})
    with pytest.raises(ValueError, match="annotations"):
        pagination.paginate(request, Unit.objects.annotate(x=Value(1)), by_id=True)


def test_a_smaller_count_cap_for_one_list(cast) -> None:
    for _ in range(4):
        make_unit(area=cast.ward_a)
    request = RequestFactory().get("/don-vi/", {"page": "2"})
    page = pagination.paginate(request, Unit.objects.order_by("id"), per_page=1, count_cap=2)
    assert (page.total, page.total_capped) == (2, True)
