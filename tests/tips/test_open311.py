"""Open311 GeoReport v2 at ``/open311/v2/``: services, filing and reading service requests."""

from __future__ import annotations

import datetime as dt
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from antq.tips.models import Partner, Tip, TipAttachment, TipCategory
from antq.tips.open311 import views
from antq.tips.services import (
    partner_create,
    partner_set_active,
    tip_authenticate,
    tip_identity_reveal,
    tip_transition,
)
from tests.conftest import ROLES
from tests.factories import make_tip

BASE = "/open311/v2"
KEY = "p311_khoa-thu-nghiem-cua-ung-dung-a"
OTHER_KEY = "p311_khoa-thu-nghiem-cua-ung-dung-b"


def parse(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(body)  # noqa: S314 -- our own answer, in a test


def children(element: ET.Element) -> dict[str, str | None]:
    return {child.tag: child.text for child in element}


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def partner(cast) -> Partner:
    return partner_create(actor=None, name="Ứng dụng Hà Nội An toàn", key=KEY)[0]


@pytest.fixture
def other_partner(cast) -> Partner:
    return partner_create(actor=None, name="Ứng dụng phản ánh hiện trường", key=OTHER_KEY)[0]


def file_request(client: Client, fmt: str = "json", headers: Any = None, **fields: str):
    data = {
        "api_key": KEY,
        "service_code": "ma-tuy",
        "description": "Có người bán ma túy trong quán nước đầu ngõ, tối nào cũng có.",
        "address_string": "Số 5 Hàng Bạc, Phường Hoàn Kiếm",
        **fields,
    }
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", data, headers=headers or {})


# --- services -----------------------------------------------------------------------------


def test_services_lists_the_active_categories_in_order(client, areas) -> None:
    TipCategory.objects.filter(code="khac").update(is_active=False)
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = response.json()
    assert [s["service_code"] for s in services] == [
        "ma-tuy",
        "trom-cap",
        "lua-dao",
        "gay-roi",
        "chay-no",
        "bao-luc-hoc-duong",
        "vi-pham-don-vi",
    ]
    assert services[0] == {
        "service_code": "ma-tuy",
        "service_name": "Ma túy",
        "description": "Mua bán, tàng trữ, tổ chức sử dụng trái phép chất ma túy",
        "metadata": False,
        "type": "realtime",
        "keywords": "ma tuy, matuy, thuoc lac, can sa, heroin, bay lac",
        "group": "An ninh, trật tự",
    }


def test_services_xml_uses_the_specification_element_names(client, areas) -> None:
    root = parse(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert [e.tag for e in root] == ["service"] * 8
    assert children(root[0]) == {
        "service_code": "ma-tuy",
        "service_name": "Ma túy",
        "description": "Mua bán, tàng trữ, tổ chức sử dụng trái phép chất ma túy",
        "metadata": "false",
        "type": "realtime",
        "keywords": "ma tuy, matuy, thuoc lac, can sa, heroin, bay lac",
        "group": "An ninh, trật tự",
    }


def test_a_service_definition_has_no_attributes(client, areas) -> None:
    assert client.get(f"{BASE}/services/lua-dao.json").json() == {
        "service_code": "lua-dao",
        "attributes": [],
    }
    root = parse(client.get(f"{BASE}/services/lua-dao.xml"))
    assert root.tag == "service_definition"
    assert [(e.tag, e.text, len(e)) for e in root] == [
        ("service_code", "lua-dao", 0),
        ("attributes", None, 0),
    ]


@pytest.mark.parametrize("code", ["khong-co", "khac"])
def test_an_unknown_or_inactive_service_is_a_404_in_the_requested_format(
    client, areas, code
) -> None:
    TipCategory.objects.filter(code="khac").update(is_active=False)
    response = client.get(f"{BASE}/services/{code}.json")
    assert response.status_code == 404
    assert response.json() == [
        {"code": 404, "description": "Không có loại tin báo với mã service_code này."}
    ]
    response = client.get(f"{BASE}/services/{code}.xml")
    assert response.status_code == 404
    root = parse(response)
    assert root.tag == "errors"
    assert [children(e) for e in root] == [
        {"code": "404", "description": "Không có loại tin báo với mã service_code này."}
    ]


def test_discovery_points_at_this_endpoint(client, db) -> None:
    data = client.get(f"{BASE}/discovery.json").json()
    assert data["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2",
            "changeset": views.CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]
    root = parse(client.get(f"{BASE}/discovery.xml"))
    formats = root.find("endpoints/endpoint/formats")
    assert formats is not None
    assert [e.text for e in formats] == ["text/xml", "application/json"]


def test_a_wrong_method_is_a_405_in_the_requested_format(client, db) -> None:
    response = client.post(f"{BASE}/services.xml")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert children(parse(response)[0]) == {
        "code": "405",
        "description": "Phương thức HTTP không được hỗ trợ.",
    }
    assert client.delete(f"{BASE}/requests.json").json() == [
        {"code": 405, "description": "Phương thức HTTP không được hỗ trợ."}
    ]


# --- filing a request ---------------------------------------------------------------------


def _passphrase(notice: str) -> str:
    match = re.search(r"cụm mật khẩu: (.+) \(chỉ hiển thị", notice)
    assert match, notice
    return match.group(1)


def test_a_partner_files_a_request_and_gets_its_id_per_the_specification(cast, partner) -> None:
    client = Client(enforce_csrf_checks=True)  # a partner has no CSRF token
    response = file_request(client)
    tip = Tip.objects.get()
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    [answer] = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert (answer["service_request_id"], answer["account_id"]) == (tip.code, None)
    assert tip_authenticate(tip.code, _passphrase(answer["service_notice"])) == tip
    assert (tip.channel, tip.partner, tip.category.code) == ("open311", partner, "ma-tuy")
    assert (tip.ward, tip.place) == (cast.ward_a, "Số 5 Hàng Bạc, Phường Hoàn Kiếm")
    assert tip.text == "Có người bán ma túy trong quán nước đầu ngõ, tối nào cũng có."
    assert (tip.anonymous, tip.reporter_name_enc, tip.reporter_phone_enc) == (True, "", "")
    assert (tip.latitude, tip.longitude, tip.idempotency_key) == (None, None, "")


def test_the_xml_answer_of_a_new_request(cast, partner, client) -> None:
    response = file_request(client, fmt="xml")
    assert response.status_code == 201
    root = parse(response)
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    data = children(request)
    assert (data["service_request_id"], data["account_id"]) == (Tip.objects.get().code, None)
    assert data["service_notice"]


@pytest.mark.parametrize(
    ("address", "ward"),
    [
        ("Phường Cửa Nam", "ward_b"),
        ("Hàng Bạc, Quận Hoàn Kiếm", "ward_a"),  # a former ward and its former district
        ("12 ngõ Huế, cua nam, Hà Nội", "ward_b"),
        ("Trước cổng chợ, phường Cửa Nam", "ward_b"),
        ("Ngõ 5 phố Không Tên", None),
    ],
)
def test_the_address_string_is_resolved_to_a_ward_when_it_names_one(
    cast, partner, client, address, ward
) -> None:
    assert file_request(client, address_string=address).status_code == 201
    tip = Tip.objects.get()
    assert tip.ward == (getattr(cast, ward) if ward else None)
    assert tip.place == address


def test_a_position_alone_is_stored_and_the_department_routes_the_tip(
    cast, partner, client
) -> None:
    response = file_request(client, address_string=None, lat="21.0338456", long="105.8501234")
    assert response.status_code == 201
    tip = Tip.objects.get()
    assert (tip.latitude, tip.longitude) == (Decimal("21.033846"), Decimal("105.850123"))
    assert (tip.ward, tip.place) == (None, "")


def test_a_citizen_who_gives_his_name_is_not_anonymous(cast, partner, client) -> None:
    response = file_request(
        client, first_name="Văn An", last_name="Nguyễn", phone="0912 345 678", email="an@vd.vn"
    )
    assert response.status_code == 201
    tip = Tip.objects.get()
    assert tip.anonymous is False
    identity = tip_identity_reveal(tip=tip, actor=cast.department, reason="Xác minh")
    assert (identity.name, identity.phone) == ("Nguyễn Văn An <an@vd.vn>", "+84912345678")
    assert b"Nguy" not in response.content
    assert b"912" not in response.content


def test_an_email_alone_is_kept_as_the_contact(cast, partner, client) -> None:
    assert file_request(client, email="nguoidan@vd.vn").status_code == 201
    tip = Tip.objects.get()
    identity = tip_identity_reveal(tip=tip, actor=cast.department, reason="Xác minh")
    assert (tip.anonymous, identity.name, identity.phone) == (False, "nguoidan@vd.vn", "")


def test_media_url_and_attributes_are_ignored_and_nothing_is_fetched(
    cast, partner, client, monkeypatch
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("Open311 must not make outbound requests")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    response = file_request(
        client,
        media_url="http://10.0.0.1/anh.jpg",
        **{"attribute[WHISPERS]": "1", "jurisdiction_id": "hanoi.gov.vn"},
    )
    assert response.status_code == 201
    assert TipAttachment.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "status", "description"),
    [
        ({"api_key": None}, 401, "Thiếu hoặc sai api_key của ứng dụng đối tác."),
        ({"api_key": "p311_sai"}, 401, "Thiếu hoặc sai api_key của ứng dụng đối tác."),
        ({"service_code": None}, 400, "Thiếu service_code."),
        ({"service_code": "khong-co"}, 400, "Không có loại tin báo với mã service_code này."),
        ({"description": None}, 400, "Vui lòng nhập nội dung."),
        ({"description": "x" * 5001}, 400, "Nội dung dài quá 5.000 ký tự."),
        ({"address_string": None}, 400, "Cần address_string hoặc lat và long."),
        ({"lat": "21.03"}, 400, "lat và long phải là toạ độ WGS84 hợp lệ."),
        ({"lat": "91", "long": "105"}, 400, "lat và long phải là toạ độ WGS84 hợp lệ."),
        ({"lat": "NaN", "long": "105"}, 400, "lat và long phải là toạ độ WGS84 hợp lệ."),
        ({"lat": "bac", "long": "nam"}, 400, "lat và long phải là toạ độ WGS84 hợp lệ."),
        ({"email": "khong-phai-email"}, 400, "email không hợp lệ."),
        (
            {"phone": "12345"},
            400,
            "Số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678).",
        ),
    ],
)
def test_a_bad_request_is_refused_per_the_specification_and_files_nothing(
    cast, partner, client, fields, status, description
) -> None:
    response = file_request(client, **fields)
    assert response.status_code == status
    assert response.json() == [{"code": status, "description": description}]
    assert Tip.objects.count() == 0


def test_a_revoked_partner_key_is_refused(cast, partner, client) -> None:
    partner_set_active(actor=cast.admin, partner=partner, active=False)
    response = file_request(client, fmt="xml")
    assert response.status_code == 401
    assert children(parse(response)[0])["code"] == "401"
    assert Tip.objects.count() == 0


def test_an_idempotency_key_makes_a_retry_return_the_same_request(
    cast, partner, other_partner, client
) -> None:
    first = file_request(client, headers={"Idempotency-Key": "lan-1"})
    again = file_request(client, headers={"Idempotency-Key": "lan-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    code = first.json()[0]["service_request_id"]
    assert again.json()[0]["service_request_id"] == code
    assert again.json()[0]["service_notice"] == (
        f"Tin báo này đã được tiếp nhận trước đó với mã {code}."
    )
    assert Tip.objects.count() == 1
    # The key belongs to the partner: another application's same key is another request.
    other = file_request(client, api_key=OTHER_KEY, headers={"Idempotency-Key": "lan-1"})
    assert other.status_code == 201
    assert Tip.objects.count() == 2
    assert Tip.objects.get(partner=partner).idempotency_key == f"open311:{partner.pk}:lan-1"


def test_a_too_long_idempotency_key_is_refused(cast, partner, client) -> None:
    response = file_request(client, headers={"Idempotency-Key": "k" * 101})
    assert response.status_code == 400
    assert Tip.objects.count() == 0


# --- reading requests ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_listing_requests_needs_a_key_in_the_requested_format(client, db, fmt) -> None:
    response = client.get(f"{BASE}/requests.{fmt}")
    assert response.status_code == 401
    description = "Thiếu hoặc sai api_key của ứng dụng đối tác."
    if fmt == "json":
        assert response.json() == [{"code": 401, "description": description}]
    else:
        assert children(parse(response)[0]) == {"code": "401", "description": description}


def _ours(cast, partner, other_partner) -> dict[str, Tip]:
    now = timezone.now()
    tips = {
        "old": make_tip(category="ma-tuy", partner=partner, channel="open311"),
        "open": make_tip(category="lua-dao", partner=partner, channel="open311"),
        "closed": make_tip(category="ma-tuy", partner=partner, channel="api"),
        "ancient": make_tip(category="ma-tuy", partner=partner, channel="open311"),
        "theirs": make_tip(category="ma-tuy", partner=other_partner, channel="open311"),
        "web": make_tip(category="ma-tuy"),
    }
    ages = {"old": 5, "open": 1, "closed": 2, "ancient": 100, "theirs": 1, "web": 1}
    for name, days in ages.items():
        Tip.objects.filter(pk=tips[name].pk).update(received_at=now - dt.timedelta(days=days))
    tip_transition(tip=tips["closed"], to="unfounded", actor=cast.department, reason="Không đúng")
    return tips


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["open", "closed", "old"]),
        ({"status": "open"}, ["open", "old"]),
        ({"status": "closed"}, ["closed"]),
        ({"status": "open,closed"}, ["open", "closed", "old"]),
        ({"service_code": "lua-dao"}, ["open"]),
        ({"service_code": "lua-dao,ma-tuy", "status": "open"}, ["open", "old"]),
        ({"start_date": "ANCIENT"}, ["open", "closed", "old", "ancient"]),
        ({"end_date": "OLD"}, ["old"]),
        ({"start_date": "ANCIENT", "end_date": "OLD"}, ["old", "ancient"]),
        ({"service_request_id": "ANCIENT,THEIRS,WEB,OPEN"}, ["open", "ancient"]),
    ],
)
def test_a_partner_lists_only_its_own_requests_newest_first(
    client, cast, partner, other_partner, params, expected
) -> None:
    tips = _ours(cast, partner, other_partner)
    at = {
        name.upper(): timezone.localtime(Tip.objects.get(pk=tips[name].pk).received_at)
        for name in ("ancient", "old")
    }
    query = {"api_key": KEY}
    for name, value in params.items():
        if name in ("start_date", "end_date"):
            query[name] = at[value].isoformat()
        elif name == "service_request_id":
            query[name] = ",".join(tips[n.lower()].code.lower() for n in value.split(","))
        else:
            query[name] = value
    response = client.get(f"{BASE}/requests.json", query)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert [r["service_request_id"] for r in response.json()] == [
        tips[name].code for name in expected
    ]


def test_the_list_gives_the_full_request_shape_to_its_partner(
    client, cast, partner, other_partner
) -> None:
    file_request(client, lat="21.0338", long="105.8501")
    tip = Tip.objects.get()
    [item] = client.get(f"{BASE}/requests.json", {"api_key": KEY}).json()
    assert item == {
        "service_request_id": tip.code,
        "status": "open",
        "status_notes": "Đã nhận tin báo, đang chờ tiếp nhận.",
        "service_name": "Ma túy",
        "service_code": "ma-tuy",
        "description": "Có người bán ma túy trong quán nước đầu ngõ, tối nào cũng có.",
        "agency_responsible": "Công an Phường Hoàn Kiếm",
        "service_notice": None,
        "requested_datetime": timezone.localtime(tip.received_at).isoformat(timespec="seconds"),
        "updated_datetime": timezone.localtime(tip.updated_at).isoformat(timespec="seconds"),
        "expected_datetime": None,
        "address": "Số 5 Hàng Bạc, Phường Hoàn Kiếm",
        "address_id": None,
        "zipcode": None,
        "lat": 21.0338,
        "long": 105.8501,
        "media_url": None,
    }
    assert item["requested_datetime"].endswith("+07:00")
    assert client.get(f"{BASE}/requests.json", {"api_key": OTHER_KEY}).json() == []


def test_the_address_read_back_names_the_ward_once(client, cast, partner) -> None:
    file_request(client, address_string="Hàng Bạc, Quận Hoàn Kiếm")
    file_request(client, address_string="phường Cửa Nam")
    addresses = [r["address"] for r in client.get(f"{BASE}/requests.json", {"api_key": KEY}).json()]
    assert sorted(addresses) == ["Hàng Bạc, Quận Hoàn Kiếm, Phường Hoàn Kiếm", "phường Cửa Nam"]


def test_the_list_stops_at_the_maximum(client, cast, partner, monkeypatch) -> None:
    monkeypatch.setattr(views, "MAX_REQUESTS", 2)
    for _n in range(3):
        make_tip(partner=partner, channel="open311")
    assert len(client.get(f"{BASE}/requests.json", {"api_key": KEY}).json()) == 2


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"status": "pending"}, "status chỉ nhận open hoặc closed."),
        (
            {"start_date": "01/03/2026"},
            "start_date phải theo định dạng ISO 8601, ví dụ 2026-03-01T00:00:00+07:00.",
        ),
        (
            {"end_date": "2026-02-30T00:00:00Z"},
            "end_date phải theo định dạng ISO 8601, ví dụ 2026-03-01T00:00:00+07:00.",
        ),
        (
            {"start_date": "2026-03-02T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},
            "start_date phải trước end_date.",
        ),
    ],
)
def test_bad_filters_are_a_400(client, cast, partner, params, description) -> None:
    response = client.get(f"{BASE}/requests.json", {"api_key": KEY, **params})
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": description}]


LIMITED = {"service_request_id", "status", "service_code", "requested_datetime", "updated_datetime"}


def test_without_the_filing_partners_key_a_request_shows_only_its_status(
    client, cast, partner, other_partner
) -> None:
    file_request(client, first_name="An", last_name="Nguyễn", phone="0912345678")
    tip = Tip.objects.get()
    for query in ({}, {"api_key": OTHER_KEY}):
        response = client.get(f"{BASE}/requests/{tip.code}.json", query)
        assert response.status_code == 200
        [item] = response.json()
        assert set(item) == LIMITED
        assert (item["status"], item["service_code"]) == ("open", "ma-tuy")
        body = response.content.decode()
        for secret in ("ma túy trong quán", "Hàng Bạc", "Hoàn Kiếm", "Nguyễn", "912345678"):
            assert secret not in body
    root = parse(client.get(f"{BASE}/requests/{tip.code}.xml"))
    assert {e.tag for e in root[0]} == LIMITED


def test_with_the_filing_partners_key_a_request_shows_its_details(client, cast, partner) -> None:
    file_request(client, first_name="An", last_name="Nguyễn", phone="0912345678")
    tip = Tip.objects.get()
    tip_transition(tip=tip, to="verifying", actor=cast.ward_a_officer)
    response = client.get(f"{BASE}/requests/{tip.code.lower()}.json", {"api_key": KEY})
    [item] = response.json()
    assert (item["status"], item["status_notes"]) == (
        "open",
        "Cơ quan Công an đang xác minh tin báo.",
    )
    assert item["description"] == tip.text
    assert item["agency_responsible"] == "Công an Phường Hoàn Kiếm"
    assert "Nguyễn" not in response.content.decode()
    assert "912345678" not in response.content.decode()
    root = parse(client.get(f"{BASE}/requests/{tip.code}.xml", {"api_key": KEY}))
    assert children(root[0])["description"] == tip.text


def test_a_closed_request_reads_closed_whatever_the_internal_status(client, cast, partner) -> None:
    tip = make_tip(partner=partner, channel="open311")
    tip_transition(tip=tip, to="spam", actor=cast.department, reason="Quảng cáo")
    [item] = client.get(f"{BASE}/requests/{tip.code}.json", {"api_key": KEY}).json()
    assert (item["status"], item["status_notes"]) == ("closed", "Đã kết thúc xử lý tin báo.")


def test_a_citizens_own_web_tip_cannot_be_read_through_open311(client, cast, partner) -> None:
    tip = make_tip()
    response = client.get(f"{BASE}/requests/{tip.code}.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "Không tìm thấy yêu cầu với mã này."}]
    assert client.get(f"{BASE}/requests/KHONG-CO.xml").status_code == 404


def test_a_wrong_key_when_reading_a_request_is_a_401(client, cast, partner) -> None:
    tip = make_tip(partner=partner, channel="open311")
    assert client.get(f"{BASE}/requests/{tip.code}.json", {"api_key": "sai"}).status_code == 401


def test_text_that_xml_cannot_carry_is_dropped_and_markup_is_escaped(client, cast, partner) -> None:
    description = 'Ghi "<script>alert(1)</script>" & \x01\x0b bỏ ký tự điều khiển'
    assert file_request(client, description=description).status_code == 201
    tip = Tip.objects.get()
    response = client.get(f"{BASE}/requests/{tip.code}.xml", {"api_key": KEY})
    assert b"<script>" not in response.content
    text = children(parse(response)[0])["description"]
    assert text == 'Ghi "<script>alert(1)</script>" &  bỏ ký tự điều khiển'


def test_a_flood_of_requests_is_refused_with_429_in_the_requested_format(
    client, cast, partner, monkeypatch
) -> None:
    monkeypatch.setattr(views, "POSTS_PER_HOUR", 2)
    monkeypatch.setattr(views, "GETS_PER_HOUR", 3)
    assert [file_request(client).status_code for _n in range(3)] == [201, 201, 429]
    refused = file_request(client, fmt="xml")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert children(parse(refused)[0]) == {
        "code": "429",
        "description": "Quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau ít phút.",
    }
    assert Tip.objects.count() == 2
    statuses = [client.get(f"{BASE}/services.json").status_code for _n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(f"{BASE}/services.json").json()[0]["code"] == 429


# --- who may call what (anonymous and every role get the same machine answers) ------------


@pytest.mark.gate  # gate 1: Open311 resources by code, for every role
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_every_role_gets_the_same_answers_from_open311(client, cast, partner, role) -> None:
    """Open311 ignores the browser session: what counts is the partner key."""
    if role != "anonymous":
        client.force_login(cast.by_name(role))
    own = make_tip(partner=partner, channel="open311")
    web = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    got = {
        "service": client.get(f"{BASE}/services/ma-tuy.json").status_code,
        "service_xml": client.get(f"{BASE}/services/ma-tuy.xml").status_code,
        "request": client.get(f"{BASE}/requests/{own.code}.json").status_code,
        "request_xml": client.get(f"{BASE}/requests/{own.code}.xml").status_code,
        "request_keyed": len(
            client.get(f"{BASE}/requests/{own.code}.json", {"api_key": KEY}).json()[0]
        ),
        "web_tip": client.get(f"{BASE}/requests/{web.code}.json").status_code,
        "list": client.get(f"{BASE}/requests.json").status_code,
        "post_without_key": client.post(f"{BASE}/requests.json", {}).status_code,
    }
    assert got == {
        "service": 200,
        "service_xml": 200,
        "request": 200,
        "request_xml": 200,
        "request_keyed": 17,
        "web_tip": 404,
        "list": 401,
        "post_without_key": 401,
    }
    assert Tip.objects.count() == 2
