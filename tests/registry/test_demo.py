from __future__ import annotations

import io
import unicodedata
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from antq.accounts.models import User
from antq.accounts.roles import Role
from antq.core.audit import audit_verify
from antq.core.models import AuditAction, AuditEntry
from antq.core.phones import normalize_phone
from antq.registry.demo import (
    DEFAULT_UNITS,
    DEMO_PASSWORD,
    DEMO_REASON,
    PHAN_DINH_PHUNG,
    VIET_DUC,
    UnitSpec,
    WardRef,
    tax_code_check_digit,
    units_generate,
)
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import KIND_BLOCK, AreaLevel, Block, UnitKind, UnitStatus

# A slice of Hà Nội: the three wards of the demo logins, more phường and a few xã.
WARDS = [
    WardRef("00004", "Phường Ba Đình"),
    WardRef("00070", "Phường Hoàn Kiếm"),
    WardRef("00073", "Phường Cửa Nam"),
    WardRef("00167", "Phường Cầu Giấy"),
    WardRef("00187", "Phường Láng"),
    WardRef("00235", "Phường Đống Đa"),
    WardRef("00319", "Phường Hoàng Mai"),
    WardRef("00376", "Xã Sóc Sơn"),
    WardRef("09022", "Xã Mê Linh"),
    WardRef("10441", "Xã Mỹ Đức"),
]


def _generate(**kwargs: Any) -> list[UnitSpec]:
    return units_generate(wards=WARDS, **kwargs)


# --- generation (pure, no database) ---------------------------------------------------


def test_the_same_seed_gives_the_same_city():
    first = _generate(seed=7, count=500)
    second = _generate(seed=7, count=500)
    assert first == second
    assert [u.name for u in first] == [u.name for u in second]
    assert [u.code for u in first] == [u.code for u in second]


def test_another_seed_gives_another_city():
    assert [u.name for u in _generate(seed=7, count=200)] != [
        u.name for u in _generate(seed=8, count=200)
    ]


def test_the_default_city_has_2400_units_in_every_block_and_kind():
    units = _generate()
    assert len(units) == DEFAULT_UNITS
    assert {KIND_BLOCK[u.kind] for u in units} == set(Block.values)
    assert {u.kind for u in units} == set(UnitKind.values)
    closed = sum(1 for u in units if u.status == UnitStatus.CLOSED)
    assert 0.02 * DEFAULT_UNITS <= closed <= 0.045 * DEFAULT_UNITS


def test_the_units_of_the_demo_logins_come_first_in_their_real_wards():
    units = _generate(count=10)
    assert (units[0].name, units[0].ward_code) == (VIET_DUC, "00073")
    assert (units[1].name, units[1].ward_code) == (PHAN_DINH_PHUNG, "00004")
    assert units[0].address == "Số 40 phố Tràng Thi"


def test_names_and_codes_are_unique_and_tax_codes_are_valid():
    units = _generate(count=2000)
    names = [u.name for u in units]
    assert len(set(names)) == len(names)
    codes = [u.code for u in units if u.code]
    assert len(set(codes)) == len(codes)
    assert any(u.code is None for u in units)
    enterprises = [u for u in units if KIND_BLOCK[u.kind] == Block.ENTERPRISE and u.code]
    assert enterprises
    for unit in enterprises:
        assert len(unit.code) == 10 and unit.code.isdigit() and unit.code.startswith("01")
        assert tax_code_check_digit(unit.code[:9]) == int(unit.code[9])


def test_names_and_codes_already_in_the_database_are_not_handed_out_again():
    first = _generate(seed=3, count=300)
    codes = {u.code for u in first if u.code}
    names = {u.name for u in first}
    again = _generate(seed=3, count=300, taken_codes=codes, taken_names=names)
    assert len(again) == 300
    assert not codes & {u.code for u in again if u.code}
    assert not names & {u.name for u in again}


def test_the_tax_code_check_digit_matches_real_codes():
    # Published tax codes of two well-known companies.
    assert tax_code_check_digit("010010910") == 6
    assert tax_code_check_digit("030058856") == 9


def test_phones_are_normalised_and_text_is_nfc():
    for unit in _generate(count=800):
        for phone in (unit.phone, unit.security_contact_phone):
            assert normalize_phone(phone) == phone
        assert unit.phone == "" or unit.phone.startswith(("+849", "+843", "+8424"))
        for text in (unit.name, unit.address, unit.head_name, unit.security_contact_name):
            assert text == unicodedata.normalize("NFC", text) == text.strip()
            assert "  " not in text
        assert len(unit.head_name.split()) >= 3


def test_ward_agencies_and_health_stations_carry_the_name_of_their_own_ward():
    wards = {w.code: w.name for w in WARDS}
    units = _generate(count=1500)
    local = [u for u in units if u.name.startswith(("UBND ", "Trạm Y tế "))]
    assert local
    for unit in local:
        ward = wards[unit.ward_code]
        assert unit.name.endswith(ward[:1].lower() + ward[1:])


def test_kinds_follow_a_plausible_mix():
    blocks = Counter(KIND_BLOCK[u.kind] for u in _generate())
    assert blocks[Block.ENTERPRISE] > blocks[Block.EDUCATION] > blocks[Block.AGENCY]
    assert blocks[Block.HEALTH] > blocks[Block.OTHER]


# --- the command ----------------------------------------------------------------------


def _demo(**options: object) -> str:
    out = io.StringIO()
    call_command("demo-data", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_data_writes_the_generated_city_in_order_with_its_audit_trail():
    output = _demo(units=300, seed=11)
    wards = AdministrativeArea.objects.filter(level=AreaLevel.WARD, parent__code="01")
    refs = [WardRef(w.code, w.name) for w in wards.order_by("code")]
    expected = units_generate(seed=11, count=300, wards=refs)
    saved = list(Unit.objects.order_by("id").values_list("name", "code", "ward__code"))
    assert saved == [(u.name, u.code, u.ward_code) for u in expected]
    assert "Đã tạo 300 đơn vị mẫu" in output
    imports = AuditEntry.objects.filter(action=AuditAction.IMPORT)
    assert imports.count() == 300
    assert set(imports.values_list("reason", flat=True)) == {DEMO_REASON}
    assert (
        AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="accounts.user").count()
        == 8
    )
    assert audit_verify().ok


@pytest.mark.django_db
def test_every_block_is_present_in_a_small_city():
    _demo(units=300)
    kinds = set(Unit.objects.values_list("kind", flat=True))
    assert {KIND_BLOCK[k] for k in kinds} == set(Block.values)
    assert Unit.objects.filter(status=UnitStatus.CLOSED).exists()


@pytest.mark.django_db
def test_if_empty_does_nothing_once_there_are_units():
    _demo(units=120)
    entries = AuditEntry.objects.count()
    output = _demo(units=120, if_empty=True)
    assert "bỏ qua" in output
    assert Unit.objects.count() == 120
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_running_again_adds_other_units_but_no_second_copy_of_the_fixed_ones():
    _demo(units=150)
    _demo(units=150)
    assert Unit.objects.count() == 300
    assert Unit.objects.filter(name=VIET_DUC).count() == 1
    assert User.objects.count() == 8
    names = list(Unit.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
    codes = [c for c in Unit.objects.values_list("code", flat=True) if c]
    assert len(codes) == len(set(codes))
    tdp = AdministrativeArea.objects.filter(level=AreaLevel.RESIDENTIAL)
    assert tdp.count() == 17
    assert audit_verify().ok


@pytest.mark.django_db
def test_the_demo_users_have_their_roles_and_scopes():
    _demo(units=50)
    expected = {
        "admin": (Role.ADMIN, None, []),
        "phongxdpt": (Role.DEPARTMENT, None, []),
        "lanhdao": (Role.LEADER, None, []),
        "ca.hoankiem": (Role.WARD_OFFICER, None, ["00070", "00073"]),
        "ca.badinh": (Role.WARD_OFFICER, None, ["00004"]),
        "antt.vietduc": (Role.UNIT_OFFICER, VIET_DUC, []),
        "thutruong.vietduc": (Role.UNIT_HEAD, VIET_DUC, []),
        "antt.thpt": (Role.UNIT_OFFICER, PHAN_DINH_PHUNG, []),
    }
    users = {u.username: u for u in User.objects.select_related("unit")}
    assert set(users) == set(expected)
    for username, (role, unit_name, area_codes) in expected.items():
        user = users[username]
        assert user.role == role
        assert (user.unit.name if user.unit else None) == unit_name
        assert sorted(user.areas.values_list("code", flat=True)) == area_codes
        assert user.check_password(DEMO_PASSWORD)
        assert user.full_name and user.title
    viet_duc = Unit.objects.get(name=VIET_DUC)
    assert viet_duc.ward.name == "Phường Cửa Nam"
    assert viet_duc.security_contact_name == users["antt.vietduc"].full_name
    assert Unit.objects.get(name=PHAN_DINH_PHUNG).ward.name == "Phường Ba Đình"


@pytest.mark.django_db
def test_a_few_residential_areas_hang_under_three_wards():
    _demo(units=20)
    tdp = AdministrativeArea.objects.filter(level=AreaLevel.RESIDENTIAL)
    assert sorted(set(tdp.values_list("parent__code", flat=True))) == ["00004", "00070", "00073"]
    assert tdp.filter(parent__code="00070", name="Tổ dân phố số 1").count() == 1


@pytest.mark.django_db
def test_every_demo_unit_has_its_import_audit_row():
    _demo(units=80)
    assert Unit.objects.count() == 80
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 80
    assert audit_verify().ok


@pytest.mark.django_db
def test_it_refuses_outside_demo_mode(settings):
    settings.DEMO = settings.DEBUG = settings.TESTING = False
    units, areas = Unit.objects.count(), AdministrativeArea.objects.count()
    with pytest.raises(CommandError, match="ANTQ_DEMO=1"):
        _demo(units=10)
    assert (Unit.objects.count(), AdministrativeArea.objects.count()) == (units, areas)


@pytest.mark.django_db
def test_it_refuses_an_unknown_province():
    areas = AdministrativeArea.objects.count()
    with pytest.raises(CommandError, match="999"):
        _demo(units=10, province=999)
    assert AdministrativeArea.objects.count() == areas
    assert not Unit.objects.exists()


# --- demo-logins ------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_logins_prints_every_demo_user_with_scope_and_password():
    _demo(units=20)
    out = io.StringIO()
    call_command("demo-logins", stdout=out)
    output = out.getvalue()
    assert "http://127.0.0.1:8000" in output
    lines = {line.split()[0]: line for line in output.splitlines() if line.strip()}
    assert "Phường Hoàn Kiếm, Phường Cửa Nam" in lines["ca.hoankiem"]
    assert VIET_DUC in lines["thutruong.vietduc"]
    assert "Thủ trưởng đơn vị" in lines["thutruong.vietduc"]
    assert "Toàn thành phố" in lines["lanhdao"]
    assert all(DEMO_PASSWORD in lines[name] for name in ("admin", "antt.thpt"))


@pytest.mark.django_db
def test_demo_logins_says_so_when_there_is_no_demo_data():
    out = io.StringIO()
    call_command("demo-logins", stdout=out)
    assert out.getvalue().strip() == "Chưa có dữ liệu mẫu (chạy: antq demo-data)."
