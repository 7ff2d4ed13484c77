from __future__ import annotations

import pytest

from antq.accounts import scoping
from antq.accounts.roles import Role
from antq.registry.models import AdministrativeArea
from tests.factories import make_user


def _names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


@pytest.mark.parametrize("role", ["admin", "department", "leader"])
def test_city_roles_see_every_unit(cast, role) -> None:
    assert _names(scoping.units_for(cast.by_name(role))) == {cast.unit_x.name, cast.unit_y.name}


def test_a_ward_officer_sees_only_the_units_of_his_wards(cast) -> None:
    assert _names(scoping.units_for(cast.ward_a_officer)) == {cast.unit_x.name}
    assert _names(scoping.units_for(cast.ward_b_officer)) == {cast.unit_y.name}


def test_a_ward_officer_assigned_to_a_province_sees_all_its_wards(cast) -> None:
    officer = make_user(Role.WARD_OFFICER, areas=[cast.ward_a.parent])
    assert _names(scoping.units_for(officer)) == {cast.unit_x.name, cast.unit_y.name}


@pytest.mark.parametrize("role", ["unit_x_officer", "unit_x_head"])
def test_unit_roles_see_only_their_own_unit(cast, role) -> None:
    assert list(scoping.units_for(cast.by_name(role))) == [cast.unit_x]


def test_a_ward_officer_without_areas_sees_nothing(cast) -> None:
    officer = make_user(Role.WARD_OFFICER)
    assert scoping.units_for(officer).count() == 0
    assert scoping.areas_for(officer).count() == 0


def test_a_deactivated_user_sees_nothing(cast) -> None:
    cast.department.is_active = False
    assert scoping.units_for(cast.department).count() == 0
    assert scoping.audit_for(cast.department).count() == 0


def test_areas_of_a_ward_officer_are_his_wards_and_below(cast) -> None:
    areas = scoping.areas_for(cast.ward_a_officer)
    assert list(areas) == [cast.ward_a]
    assert scoping.areas_for(cast.department).count() == AdministrativeArea.objects.count()


def test_the_ward_set_is_computed_once_per_request(cast, django_assert_num_queries) -> None:
    user = cast.ward_a_officer
    with django_assert_num_queries(2):
        scoping.ward_ids_for(user)
        scoping.ward_ids_for(user)


def test_city_roles_see_only_the_departments_province(cast) -> None:
    from antq.registry.areas import areas_load
    from tests.factories import make_unit

    areas_load(province_code=79)  # Thành phố Hồ Chí Minh
    elsewhere = AdministrativeArea.objects.filter(path__startswith="79/", level="ward").first()
    make_unit(area=elsewhere, name="Đơn vị ở tỉnh khác")
    assert "Đơn vị ở tỉnh khác" not in _names(scoping.units_for(cast.department))
    assert not scoping.areas_for(cast.department).filter(pk=elsewhere.pk).exists()


def test_only_administrators_see_the_audit_of_accounts(cast) -> None:
    from antq.accounts.services import token_create, user_set_active

    token_create(actor=cast.admin, user=cast.leader, name="Ứng dụng")
    user_set_active(actor=cast.admin, user=cast.unit_y_officer, active=False)
    assert scoping.audit_for(cast.admin).count() == 2
    for role in ["department", "leader", "ward_b_officer", "unit_y_officer"]:
        assert scoping.audit_for(cast.by_name(role)).count() == 0, role
