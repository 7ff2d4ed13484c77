"""``/api/v1/areas``: the areas a user may see, with cursor pages, parents and former names."""

from __future__ import annotations

import datetime as dt

import pytest

from antq.registry.areas import residential_area_create
from antq.registry.models import AdministrativeArea, AreaAlias
from antq.textvn import fold

URL = "/api/v1/areas"


def _walk(client, params: dict) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        body = client.get(URL, {**params, **({"cursor": cursor} if cursor else {})}).json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


def test_a_ward_officer_lists_his_ward_and_its_residential_areas(client, cast) -> None:
    group = residential_area_create(ward=cast.ward_a, name="Tổ dân phố số 1", actor=cast.admin)
    residential_area_create(ward=cast.ward_b, name="Tổ dân phố số 1", actor=cast.admin)
    client.force_login(cast.ward_a_officer)
    body = client.get(URL).json()
    assert [item["id"] for item in body["items"]] == [cast.ward_a.pk, group.pk]
    assert body["next_cursor"] is None
    assert body["items"][1]["parent"] == {
        "id": cast.ward_a.pk,
        "code": "00070",
        "name": "Phường Hoàn Kiếm",
    }


def test_a_unit_officer_sees_only_the_ward_of_his_unit(client, cast) -> None:
    client.force_login(cast.unit_y_officer)
    assert [item["id"] for item in client.get(URL).json()["items"]] == [cast.ward_b.pk]


def test_the_cursor_walks_every_ward_exactly_once(client, cast) -> None:
    wards = AdministrativeArea.objects.filter(level="ward").order_by("path", "id")
    expected = list(wards.values_list("id", flat=True))
    assert len(expected) > 100
    client.force_login(cast.leader)
    assert _walk(client, {"level": "ward", "limit": 40}) == expected


def test_the_list_filters_by_parent_and_name_without_diacritics(client, cast) -> None:
    client.force_login(cast.department)
    body = client.get(URL, {"parent": cast.ward_a.parent_id, "q": "hoan kiem"}).json()
    assert [item["id"] for item in body["items"]] == [cast.ward_a.pk]


def test_the_province_level_has_one_area(client, cast) -> None:
    client.force_login(cast.department)
    items = client.get(URL, {"level": "province"}).json()["items"]
    assert [(item["code"], item["parent"], item["level_label"]) for item in items] == [
        ("01", None, "Tỉnh, thành phố")
    ]


def test_an_invalid_cursor_is_a_422(client, cast) -> None:
    client.force_login(cast.department)
    response = client.get(URL, {"cursor": "@@@"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"


def test_the_detail_gives_the_parent_and_the_former_names(client, cast) -> None:
    AreaAlias.objects.filter(area=cast.ward_b).delete()
    for name, code in [("Phường Hàng Bông (Quận Hoàn Kiếm)", "00064"), ("Phường Cửa Nam", "")]:
        AreaAlias.objects.create(
            area=cast.ward_b,
            name=name,
            name_folded=fold(name),
            former_code=code,
            valid_until=dt.date(2025, 6, 30),
        )
    client.force_login(cast.ward_b_officer)
    body = client.get(f"{URL}/{cast.ward_b.pk}").json()
    assert (body["code"], body["name"], body["level"]) == ("00073", "Phường Cửa Nam", "ward")
    assert body["parent"] == {"id": cast.ward_b.parent_id, "code": "01", "name": "Thành phố Hà Nội"}
    assert body["former_names"] == [
        {"name": "Phường Cửa Nam", "former_code": "", "valid_until": "2025-06-30"},
        {
            "name": "Phường Hàng Bông (Quận Hoàn Kiếm)",
            "former_code": "00064",
            "valid_until": "2025-06-30",
        },
    ]


@pytest.mark.parametrize("role", ["ward_b_officer", "unit_y_officer"])
def test_an_area_out_of_scope_is_a_404(client, cast, role) -> None:
    client.force_login(cast.by_name(role))
    response = client.get(f"{URL}/{cast.ward_a.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_ward_officer_cannot_open_the_province(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    assert client.get(f"{URL}/{cast.ward_a.parent_id}").status_code == 404
