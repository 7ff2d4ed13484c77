"""``/api/v1/tips`` and ``/api/v1/tip-categories``: officers' tools and partner apps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from antq.accounts.services import token_create
from antq.api.pagination import encode_cursor
from antq.core.crypto import decrypt
from antq.core.models import AuditAction, AuditEntry, OutboxMessage
from antq.tips.models import Partner, Tip, TipCategory, TipMessage
from antq.tips.services import (
    partner_create,
    partner_set_active,
    tip_assign,
    tip_authenticate,
    tip_identity_reveal,
    tip_transition,
)
from tests.api.conftest import post_json
from tests.factories import make_tip

URL = "/api/v1/tips"
PARTNER_KEY = "p311_khoa-api-thu-nghiem"

TIP_FIELDS = {
    "id", "code", "channel", "channel_label", "category", "urgency", "status", "status_label",
    "outcome", "is_complex", "text", "text_restored", "place", "occurred_at", "ward", "unit",
    "unit_notified", "latitude", "longitude", "assignee", "anonymous", "partner", "merged_into",
    "deadline", "received_at", "updated_at", "closed_at",
}  # fmt: skip


@pytest.fixture
def partner(cast) -> Partner:
    return partner_create(actor=None, name="Ứng dụng Hà Nội An toàn", key=PARTNER_KEY)[0]


def _bearer(cast, user) -> dict[str, str]:
    raw = token_create(actor=cast.admin, user=user, name="Công cụ thử nghiệm")[1]
    return {"Authorization": f"Bearer {raw}"}


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def _new(**changes):
    data = {
        "category": "lua-dao",
        "text": "Có người gọi điện giả danh công an yêu cầu chuyển tiền.",
        "place": "Ngõ 12 phố Huế",
    }
    data.update(changes)
    return data


# --- categories ---------------------------------------------------------------------------


def test_the_categories_are_public(client, areas) -> None:
    TipCategory.objects.filter(code="khac").update(is_active=False)
    response = client.get("/api/v1/tip-categories")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [c["code"] for c in items][:3] == ["ma-tuy", "trom-cap", "lua-dao"]
    assert "khac" not in [c["code"] for c in items]
    assert items[4] == {
        "id": TipCategory.objects.get(code="chay-no").pk,
        "code": "chay-no",
        "name": "Cháy, nổ",
        "description": "Nguy cơ cháy nổ, vi phạm phòng cháy chữa cháy",
        "default_urgency": "urgent",
    }


# --- list and read ------------------------------------------------------------------------


def test_the_list_is_scoped_and_never_shows_who_the_tipster_is(client, cast) -> None:
    mine = make_tip(
        ward=cast.ward_a,
        anonymous=False,
        reporter_name="Trần Thị Bình",
        reporter_phone="0987 654 321",
    )
    theirs = make_tip(ward=cast.ward_b)
    client.force_login(cast.ward_a_officer)
    response = client.get(URL)
    assert _codes(response) == [mine.code]
    [item] = response.json()["items"]
    assert set(item) == TIP_FIELDS
    assert item["ward"] == {"id": cast.ward_a.pk, "code": "00070", "name": "Phường Hoàn Kiếm"}
    assert (item["channel"], item["channel_label"]) == ("web", "Trang web")
    assert (item["status"], item["status_label"], item["anonymous"]) == ("new", "Mới", False)
    body = response.content.decode()
    for secret in ("Trần Thị Bình", "987654321", "0987 654 321", mine.passphrase_digest):
        assert secret not in body
    client.force_login(cast.department)
    assert _codes(client.get(URL)) == [theirs.code, mine.code]


def test_a_unit_officer_lists_the_tips_routed_to_his_unit(client, cast) -> None:
    routed = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    make_tip(category="khac", unit=cast.unit_x)  # not routed to the unit
    client.force_login(cast.unit_x_officer)
    assert _codes(client.get(URL)) == [routed.code]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "verifying"}, ["verifying"]),
        ({"category": "ma-tuy"}, ["drugs"]),
        ({"box": "unassigned"}, ["drugs", "new_b"]),
        ({"box": "mine"}, ["verifying"]),
        ({"channel": "sms"}, ["drugs"]),
        ({"urgency": "urgent"}, ["fire"]),
        ({"ward": "B"}, ["new_b"]),
    ],
)
def test_the_list_filters_like_the_inbox(client, cast, params, expected) -> None:
    tips = {
        "verifying": make_tip(ward=cast.ward_a),
        "drugs": make_tip(category="ma-tuy", ward=cast.ward_a, channel="sms"),
        "new_b": make_tip(ward=cast.ward_b),
        "fire": make_tip(category="chay-no", ward=cast.ward_a),
    }
    tip_assign(tip=tips["verifying"], assignee=cast.department, actor=cast.department)
    tip_transition(tip=tips["verifying"], to="verifying", actor=cast.department)
    tip_transition(tip=tips["fire"], to="spam", actor=cast.department, reason="Báo sai")
    if params.get("ward") == "B":
        params = {"ward": cast.ward_b.pk}
    client.force_login(cast.department)
    got = set(_codes(client.get(URL, params)))
    assert got == {tips[name].code for name in expected}


def test_an_unknown_category_filter_is_a_422(client, cast) -> None:
    client.force_login(cast.department)
    response = client.get(URL, {"category": "khong-co"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "category", "message": "Loại tin báo không tồn tại.", "type": "invalid"}
    ]


def test_the_list_pages_newest_first_with_a_cursor(client, cast) -> None:
    now = timezone.now()
    tips = [make_tip(ward=cast.ward_a) for _ in range(5)]
    # Two tips received at the same instant: the id breaks the tie.
    for tip, minutes in zip(tips, [50, 40, 30, 30, 10], strict=True):
        Tip.objects.filter(pk=tip.pk).update(received_at=now - dt.timedelta(minutes=minutes))
    client.force_login(cast.ward_a_officer)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(URL, params).json()
        seen += [item["code"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [tips[4].code, tips[3].code, tips[2].code, tips[1].code, tips[0].code]


@pytest.mark.parametrize(
    "cursor",
    [
        "rác",
        "WyJ4IiwxXQ",
        "WzEsMV0",
        # Times without a UTC equivalent: an OverflowError (500) in the SQL comparison once.
        encode_cursor("0001-01-01T00:00:00+14:00", 1),
        encode_cursor("9999-12-31T23:59:59-14:00", 1),
        encode_cursor("2026-13-45T00:00:00+07:00", 1),
    ],
)
def test_a_forged_cursor_is_a_422(client, cast, cursor) -> None:
    client.force_login(cast.department)
    response = client.get(URL, {"cursor": cursor})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"


def test_reading_a_tip_out_of_scope_is_a_404(client, cast) -> None:
    ours, theirs = make_tip(ward=cast.ward_a), make_tip(ward=cast.ward_b)
    client.force_login(cast.ward_a_officer)
    response = client.get(f"{URL}/{ours.pk}")
    assert response.status_code == 200
    assert response.json()["code"] == ours.code
    assert client.get(f"{URL}/{theirs.pk}").json() == {
        "code": "not_found",
        "message": "Không tìm thấy đối tượng.",
    }


def test_the_tips_need_an_officer(client, cast, partner) -> None:
    tip = make_tip(ward=cast.ward_a)
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/{tip.pk}").status_code == 401
    # A partner key files tips, it does not read them.
    assert client.get(URL, headers={"X-Partner-Key": PARTNER_KEY}).status_code == 401


# --- create -------------------------------------------------------------------------------


def test_a_partner_files_a_tip_and_gets_the_passphrase_once(client, cast, partner) -> None:
    response = post_json(
        client,
        URL,
        _new(ward=cast.ward_a.pk, latitude=21.0338456, longitude=105.85),
        **{"X-Partner-Key": PARTNER_KEY},
    )
    assert response.status_code == 201, response.content
    tip = Tip.objects.get()
    answer = response.json()
    assert set(answer) == {"id", "code", "passphrase", "status", "received_at", "created"}
    assert (answer["id"], answer["code"], answer["status"], answer["created"]) == (
        None,
        tip.code,
        "new",
        True,
    )
    assert tip_authenticate(tip.code, answer["passphrase"]) == tip
    assert "no-store" in response["Cache-Control"]  # the passphrase is in no cache
    assert (tip.channel, tip.partner, tip.ward, tip.category.code) == (
        "api",
        partner,
        cast.ward_a,
        "lua-dao",
    )
    assert (str(tip.latitude), str(tip.longitude)) == ("21.033846", "105.850000")
    entry = AuditEntry.objects.get(action=AuditAction.RECEIVE)
    assert entry.actor is None


def test_a_repeated_post_with_the_same_idempotency_key_returns_the_same_tip(
    client, cast, partner
) -> None:
    headers = {"X-Partner-Key": PARTNER_KEY, "Idempotency-Key": "don-123"}
    first = post_json(client, URL, _new(), **headers)
    again = post_json(client, URL, _new(text="Lần gửi lại"), **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["code"] == first.json()["code"]
    assert (again.json()["passphrase"], again.json()["created"]) == (None, False)
    assert Tip.objects.get().idempotency_key == f"api:partner{partner.pk}:don-123"
    # The same key from an officer is his own key, not the partner's.
    client.force_login(cast.department)
    third = post_json(client, URL, _new(), **{"Idempotency-Key": "don-123"})
    assert third.status_code == 201
    assert Tip.objects.count() == 2


def test_an_officer_enters_a_tip_as_himself(client, cast) -> None:
    response = post_json(
        client,
        URL,
        _new(
            category="bao-luc-hoc-duong",
            unit=cast.unit_x.pk,
            anonymous=False,
            reporter_name="Lê Văn Cường",
            reporter_phone="0912 345 678",
            urgency="urgent",
            occurred_at="2026-03-01T20:30:00",
        ),
        **_bearer(cast, cast.ward_a_officer),
    )
    assert response.status_code == 201, response.content
    tip = Tip.objects.get()
    assert response.json()["id"] == tip.pk
    assert (tip.channel, tip.partner, tip.unit, tip.ward, tip.urgency) == (
        "api",
        None,
        cast.unit_x,
        cast.ward_a,
        "urgent",
    )
    assert tip.occurred_at == timezone.make_aware(dt.datetime(2026, 3, 1, 20, 30))
    identity = tip_identity_reveal(tip=tip, actor=cast.department, reason="Xác minh")
    assert (identity.name, identity.phone) == ("Lê Văn Cường", "+84912345678")
    assert AuditEntry.objects.get(action=AuditAction.RECEIVE).actor == cast.ward_a_officer
    assert "Lê Văn Cường" not in response.content.decode()


@pytest.mark.parametrize("role", ["leader", "unit_x_officer", "unit_x_head", "unit_y_officer"])
def test_a_role_that_takes_no_calls_cannot_enter_a_tip(client, cast, role) -> None:
    client.force_login(cast.by_name(role))
    response = post_json(client, URL, _new())
    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "message": "Vai trò của bạn không được nhập tin báo.",
    }
    assert Tip.objects.count() == 0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({}, 401), ({"X-Partner-Key": "p311_sai"}, 401), ({"X-Partner-Key": ""}, 401)],
)
def test_filing_needs_a_valid_key_or_an_officer(client, cast, partner, headers, expected) -> None:
    assert post_json(client, URL, _new(), **headers).status_code == expected
    assert Tip.objects.count() == 0


def test_a_stopped_partner_cannot_file(client, cast, partner) -> None:
    partner_set_active(actor=cast.admin, partner=partner, active=False)
    assert post_json(client, URL, _new(), **{"X-Partner-Key": PARTNER_KEY}).status_code == 401
    assert Tip.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": "khong-co"}, "category", "Loại tin báo không tồn tại hoặc không còn dùng."),
        ({"ward": 999_999_999}, "ward", "Xã, phường không tồn tại."),
        ({"unit": 1}, "unit", "Ứng dụng đối tác không chọn đơn vị; hãy mô tả trong nội dung."),
        (
            {"anonymous": False},
            "reporter_name",
            "Hãy để lại tên hoặc số điện thoại, hoặc chọn gửi ẩn danh.",
        ),
        (
            {"anonymous": False, "reporter_phone": "12345"},
            "reporter_phone",
            "Số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678).",
        ),
        ({"text": "   "}, "text", "Không được để trống."),
        ({"secret": "x"}, "secret", "Trường này không tồn tại."),
        ({"latitude": 91}, "latitude", "Phải nhỏ hơn hoặc bằng 90."),
        # Without a UTC (stored) or local (shown) time: a 500 when saved, once.
        (
            {"occurred_at": "0001-01-01T00:00:00+14:00"},
            "occurred_at",
            "Thời điểm nằm ngoài khoảng thời gian cho phép.",
        ),
        (
            {"occurred_at": "0001-01-01T00:00:00"},
            "occurred_at",
            "Thời điểm nằm ngoài khoảng thời gian cho phép.",
        ),
        (
            {"occurred_at": "9999-12-31T23:59:59-14:00"},
            "occurred_at",
            "Thời điểm nằm ngoài khoảng thời gian cho phép.",
        ),
    ],
)
def test_bad_tips_are_refused_field_by_field(
    client, cast, partner, changes, field, message
) -> None:
    response = post_json(client, URL, _new(**changes), **{"X-Partner-Key": PARTNER_KEY})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["field"], e["message"]) for e in errors] == [(field, message)]
    assert Tip.objects.count() == 0


def test_a_too_long_idempotency_key_is_refused(client, cast, partner) -> None:
    response = post_json(
        client, URL, _new(), **{"X-Partner-Key": PARTNER_KEY, "Idempotency-Key": "k" * 101}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Tip.objects.count() == 0


def test_a_unit_out_of_the_officers_scope_is_refused(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    response = post_json(client, URL, _new(unit=cast.unit_y.pk))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "unit"
    assert Tip.objects.count() == 0


# --- handling -----------------------------------------------------------------------------


def test_the_ward_officer_changes_the_status(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = post_json(client, f"{URL}/{tip.pk}/transition", {"to": "verifying"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_label"]) == (
        "verifying",
        "Đang xác minh",
    )
    response = post_json(
        client,
        f"{URL}/{tip.pk}/transition",
        {"to": "handled", "reason": "Đã bắt quả tang", "outcome": "caught_in_act"},
    )
    assert (response.json()["status"], response.json()["outcome"]) == ("handled", "caught_in_act")
    assert response.json()["closed_at"] is not None


def test_a_transition_the_state_machine_refuses_is_a_422(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.department)
    response = post_json(client, f"{URL}/{tip.pk}/transition", {"to": "handled"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "status",
            "message": "Không thể chuyển tin báo từ “Mới” sang “Đã xử lý”.",
            "type": "invalid",
        }
    ]
    response = post_json(client, f"{URL}/{tip.pk}/transition", {"to": "unfounded"})
    assert response.json()["errors"][0]["field"] == "reason"
    assert Tip.objects.get().status == "new"


def test_a_reader_cannot_change_the_status(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.leader)
    response = post_json(client, f"{URL}/{tip.pk}/transition", {"to": "verifying"})
    assert response.status_code == 403
    assert Tip.objects.get().status == "new"
    client.force_login(cast.ward_b_officer)
    assert post_json(client, f"{URL}/{tip.pk}/transition", {"to": "verifying"}).status_code == 404


def test_the_department_assigns_a_tip_to_the_ward_officer(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.department)
    response = post_json(client, f"{URL}/{tip.pk}/assign", {"assignee": cast.ward_a_officer.pk})
    assert response.status_code == 200
    assert response.json()["assignee"] == {
        "id": cast.ward_a_officer.pk,
        "full_name": cast.ward_a_officer.full_name,
    }
    assert response.json()["status"] == "received"
    response = post_json(client, f"{URL}/{tip.pk}/assign", {"assignee": None})
    assert response.json()["assignee"] is None


@pytest.mark.parametrize("who", ["ward_b_officer", "leader", "nobody"])
def test_a_tip_is_given_only_to_an_officer_who_may_handle_it(client, cast, who) -> None:
    tip = make_tip(ward=cast.ward_a)
    assignee = 999_999 if who == "nobody" else cast.by_name(who).pk
    client.force_login(cast.department)
    response = post_json(client, f"{URL}/{tip.pk}/assign", {"assignee": assignee})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "assignee",
            "message": "Cán bộ không tồn tại hoặc không phụ trách địa bàn của tin báo.",
            "type": "invalid",
        }
    ]
    assert Tip.objects.get().assignee is None


def test_a_reader_cannot_assign(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.leader)
    for assignee in (cast.ward_a_officer.pk, 999_999):
        response = post_json(client, f"{URL}/{tip.pk}/assign", {"assignee": assignee})
        assert response.status_code == 403
    assert Tip.objects.get().assignee is None


def test_the_officer_messages_the_tipster_and_an_sms_tipster_gets_it_by_sms(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a, channel="sms", reply_to="+84912345678")
    client.force_login(cast.ward_a_officer)
    response = post_json(client, f"{URL}/{tip.pk}/messages", {"body": "Anh cho biết thêm giờ?"})
    assert response.status_code == 201
    message = TipMessage.objects.get()
    assert response.json() == {
        "id": message.pk,
        "sender": "officer",
        "sender_label": "Cán bộ xử lý",
        "author": {"id": cast.ward_a_officer.pk, "full_name": cast.ward_a_officer.full_name},
        "body": "Anh cho biết thêm giờ?",
        "created_at": response.json()["created_at"],
        "read_at": None,
    }
    sms = OutboxMessage.objects.latest("id")
    assert decrypt(sms.recipient_enc) == "+84912345678"
    assert "Anh cho biết thêm giờ?" in sms.body
    listed = client.get(f"{URL}/{tip.pk}/messages").json()["items"]
    assert [(m["sender"], m["body"]) for m in listed] == [("officer", "Anh cho biết thêm giờ?")]


def test_a_reader_sees_the_messages_but_cannot_write(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.leader)
    assert client.get(f"{URL}/{tip.pk}/messages").json() == {"items": []}
    response = post_json(client, f"{URL}/{tip.pk}/messages", {"body": "Xin chào"})
    assert response.status_code == 403
    assert TipMessage.objects.count() == 0


def test_a_session_post_needs_the_csrf_token(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.department)
    response = post_json(client, f"{URL}/{tip.pk}/transition", {"to": "verifying"})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert Tip.objects.get().status == "new"
