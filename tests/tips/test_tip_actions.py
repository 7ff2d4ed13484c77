"""What an officer does on a tip's page: assign, change status, triage, message, note, merge,
and reveal the tipster. Each action is a POST that answers with a redirect and a message, or
with the page and its errors; a refused action changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from antq.core.models import AuditAction, AuditEntry, OutboxMessage
from antq.tips import services
from antq.tips.models import Tip, TipMessage, TipNote
from antq.tips.status import Outcome, TipStatus
from tests.factories import make_tip

ACTIONS = ["tip_assign", "tip_transition", "tip_message", "tip_note", "tip_merge", "tip_identity"]


def _post(client, name: str, tip: Tip, data: dict | None = None, **kwargs):
    return client.post(reverse(f"tips:{name}", args=[tip.pk]), data or {}, **kwargs)


def _entries(tip: Tip, action: str) -> int:
    return AuditEntry.objects.filter(
        object_type="tips.tip", object_id=str(tip.pk), action=action
    ).count()


def _fields(tip: Tip) -> tuple:
    tip = Tip.objects.get(pk=tip.pk)
    return (tip.status, tip.assignee_id, tip.outcome, tip.merged_into_id, tip.ward_id)


def _messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("name", [*ACTIONS, "tip_bulk_assign"])
def test_every_action_is_post_only(client, cast, name) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.department)
    url = reverse(f"tips:{name}", args=[] if name == "tip_bulk_assign" else [tip.pk])
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("name", ACTIONS)
def test_an_action_on_another_wards_tip_is_a_404_and_changes_nothing(client, cast, name) -> None:
    tip = make_tip(ward=cast.ward_b)
    before = _fields(tip)
    client.force_login(cast.ward_a_officer)
    data = {"assignee": cast.ward_a_officer.pk, "status": "verifying", "body": "x", "into": "x"}
    assert _post(client, name, tip, data | {"reason": "x"}).status_code == 404
    assert _fields(tip) == before
    assert AuditEntry.objects.exclude(action=AuditAction.RECEIVE).count() == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("tip_assign", {"assignee": ""}),
        ("tip_transition", {"status": "verifying"}),
        ("tip_message", {"body": "Xin chào"}),
        ("tip_note", {"body": "Ghi chú"}),
        ("tip_merge", {"into": "x"}),
        ("tip_identity", {"reason": "Xác minh"}),
    ],
)
def test_the_leader_may_not_act_on_a_tip(client, cast, name, data) -> None:
    tip = make_tip(ward=cast.ward_a, anonymous=False, reporter_name="Lê C")
    before = _fields(tip)
    client.force_login(cast.leader)
    assert _post(client, name, tip, data).status_code == 403
    assert _fields(tip) == before
    assert AuditEntry.objects.exclude(action=AuditAction.RECEIVE).count() == 0
    assert TipMessage.objects.count() == TipNote.objects.count() == 0


# -- assign -------------------------------------------------------------------------------


def test_an_officer_takes_a_tip_himself(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = _post(client, "tip_assign", tip, {"assignee": cast.ward_a_officer.pk})
    assert response.status_code == 302 and response["Location"] == f"/tin-bao/{tip.pk}/"
    assert _fields(tip)[:2] == (TipStatus.RECEIVED, cast.ward_a_officer.pk)
    page = client.get(response["Location"])
    assert _messages_of(page) == [f"Bạn đã nhận xử lý tin báo {tip.code}."]


def test_the_department_gives_a_tip_to_the_wards_officer(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.department)
    response = _post(client, "tip_assign", tip, {"assignee": cast.ward_a_officer.pk}, follow=True)
    assert _fields(tip)[1] == cast.ward_a_officer.pk
    assert _messages_of(response) == [
        f"Đã phân công tin báo cho {cast.ward_a_officer.get_full_name()}."
    ]
    assert _entries(tip, AuditAction.ASSIGN) == 1


def test_a_tip_cannot_be_given_to_another_wards_officer(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.department)
    response = _post(client, "tip_assign", tip, {"assignee": cast.ward_b_officer.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cán bộ này không phụ trách địa bàn của tin báo." in body
    assert "Chưa thực hiện được" in body
    assert _fields(tip)[1] is None and _entries(tip, AuditAction.ASSIGN) == 0


def test_a_tip_can_be_unassigned(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.department)
    client.force_login(cast.department)
    response = _post(client, "tip_assign", tip, {"assignee": ""}, follow=True)
    assert _fields(tip)[1] is None
    assert _messages_of(response) == ["Đã bỏ phân công tin báo."]


# -- status -------------------------------------------------------------------------------


def test_an_officer_closes_a_tip_with_a_reason_and_an_outcome(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_transition(tip=tip, to=TipStatus.VERIFYING, actor=cast.department)
    client.force_login(cast.ward_a_officer)
    response = _post(
        client,
        "tip_transition",
        tip,
        {"status": "handled", "reason": "Đã bắt quả tang", "outcome": "caught_in_act"},
        follow=True,
    )
    assert _fields(tip)[::2] == (TipStatus.HANDLED, Outcome.CAUGHT_IN_ACT, cast.ward_a.pk)
    assert _messages_of(response) == ["Đã chuyển tin báo sang “Đã xử lý”."]


def test_an_outcome_is_not_recorded_while_the_tip_stays_open(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    _post(client, "tip_transition", tip, {"status": "verifying", "outcome": "crime_detected"})
    assert _fields(tip)[:3] == (TipStatus.VERIFYING, None, "")


def test_closing_without_a_reason_shows_the_error_on_the_reason(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = _post(client, "tip_transition", tip, {"status": "unfounded", "reason": " "})
    assert response.status_code == 200
    form = response.context["transition_form"]
    assert form.errors["reason"] == ["Hãy ghi lý do khi kết thúc xử lý tin báo."]
    assert _fields(tip)[0] == TipStatus.NEW and _entries(tip, AuditAction.TRANSITION) == 0


def test_a_status_that_may_not_follow_is_refused(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = _post(client, "tip_transition", tip, {"status": "handled", "reason": "x"})
    assert response.status_code == 200
    assert "status" in response.context["transition_form"].errors
    assert _fields(tip)[0] == TipStatus.NEW


# -- triage -------------------------------------------------------------------------------


def _edit_data(tip: Tip, **changes) -> dict:
    data = {
        "category": tip.category_id,
        "urgency": tip.urgency,
        "ward": tip.ward_id,
        "unit": tip.unit_id or "",
        "place": tip.place,
        "outcome": tip.outcome,
        "reason": "",
    }
    if tip.is_complex:
        data["is_complex"] = "on"
    return data | changes


def test_the_triage_form_changes_category_urgency_and_complexity(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    url = reverse("tips:tip_edit", args=[tip.pk])
    assert client.get(url).status_code == 200
    from antq.tips.models import TipCategory

    drugs = TipCategory.objects.get(code="ma-tuy")
    response = client.post(
        url,
        _edit_data(
            tip, category=drugs.pk, urgency="urgent", is_complex="on", reason="Đường dây lớn"
        ),
    )
    assert response.status_code == 302
    tip.refresh_from_db()
    assert (tip.category, tip.urgency, tip.is_complex) == (drugs, "urgent", True)
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert entry.reason == "Đường dây lớn"
    assert set(entry.after) >= {"category", "urgency", "is_complex", "deadline"}


def test_saving_the_triage_form_unchanged_writes_nothing(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a, place="Ngõ 5")
    client.force_login(cast.ward_a_officer)
    response = client.post(reverse("tips:tip_edit", args=[tip.pk]), _edit_data(tip), follow=True)
    assert _messages_of(response) == ["Không có gì thay đổi."]
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 0


def test_sending_a_tip_to_another_ward_leads_back_to_the_inbox(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = client.post(
        reverse("tips:tip_edit", args=[tip.pk]), _edit_data(tip, ward=cast.ward_b.pk), follow=True
    )
    assert response.redirect_chain[-1][0] == "/tin-bao/"
    assert _messages_of(response) == [f"Đã chuyển tin báo {tip.code} sang Phường Cửa Nam."]
    assert Tip.objects.get().ward == cast.ward_b


def test_the_unit_must_be_in_the_chosen_ward(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a, category="vi-pham-don-vi", unit=cast.unit_x)
    client.force_login(cast.department)
    response = client.post(
        reverse("tips:tip_edit", args=[tip.pk]), _edit_data(tip, ward=cast.ward_b.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == [
        f"Đơn vị {cast.unit_x.name} không thuộc Phường Cửa Nam."
    ]
    assert Tip.objects.get().ward == cast.ward_a


@pytest.mark.parametrize("role", ["leader", "unit_x_officer", "unit_x_head"])
def test_readers_do_not_get_the_triage_form(client, cast, role) -> None:
    tip = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    client.force_login(cast.by_name(role))
    url = reverse("tips:tip_edit", args=[tip.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _edit_data(tip, urgency="urgent")).status_code == 403
    assert Tip.objects.get().urgency == "normal"


# -- dialogue and notes -------------------------------------------------------------------


def test_answering_the_tipster_marks_his_messages_read(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_message_post(tip=tip, body="Họ lại đến")
    client.force_login(cast.ward_a_officer)
    response = _post(client, "tip_message", tip, {"body": "Cảm ơn anh\nChúng tôi đã nắm"})
    assert response.status_code == 302 and response["Location"].endswith("#trao-doi")
    reply = TipMessage.objects.get(sender="officer")
    assert (reply.body, reply.author) == ("Cảm ơn anh\nChúng tôi đã nắm", cast.ward_a_officer)
    assert TipMessage.objects.get(sender="tipster").read_at is not None
    page = client.get(response["Location"])
    assert _messages_of(page) == [
        "Đã gửi tin nhắn; người báo tin xem được khi tra cứu bằng mã tin báo."
    ]


def test_answering_an_sms_tipster_queues_an_sms(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a, channel="sms", reply_to="+84987654321")
    client.force_login(cast.department)
    response = _post(client, "tip_message", tip, {"body": "Anh cho biết thêm"}, follow=True)
    assert _messages_of(response) == ["Đã gửi tin nhắn; người báo tin sẽ nhận được qua SMS."]
    assert OutboxMessage.objects.count() == 2  # the receipt and the answer


def test_an_empty_message_is_refused_with_a_clear_error(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = _post(client, "tip_message", tip, {"body": ""})
    assert response.status_code == 200
    assert "Hãy nhập nội dung tin nhắn." in response.content.decode()
    assert TipMessage.objects.count() == 0


def test_the_units_officer_adds_a_note(client, cast) -> None:
    tip = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    client.force_login(cast.unit_x_officer)
    response = _post(client, "tip_note", tip, {"body": "Đã nhắc bảo vệ trường"}, follow=True)
    assert TipNote.objects.get().author == cast.unit_x_officer
    assert _messages_of(response) == ["Đã thêm ghi chú nội bộ."]
    assert _post(client, "tip_message", tip, {"body": "x"}).status_code == 403


# -- merge --------------------------------------------------------------------------------


def test_a_duplicate_is_merged_into_the_main_tip_by_its_code(client, cast) -> None:
    main = make_tip(ward=cast.ward_a)
    dup = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    typed = main.code.lower().replace("-", "")
    response = _post(client, "tip_merge", dup, {"into": typed, "reason": "Cùng vụ cháy"})
    assert response.status_code == 302 and response["Location"] == f"/tin-bao/{main.pk}/"
    assert _fields(dup)[0] == TipStatus.DUPLICATE and _fields(dup)[3] == main.pk
    page = client.get(response["Location"])
    assert _messages_of(page) == [f"Đã gộp tin báo {dup.code} vào tin báo {main.code}."]


def test_merging_into_an_unknown_or_invisible_tip_says_it_was_not_found(client, cast) -> None:
    dup = make_tip(ward=cast.ward_a)
    elsewhere = make_tip(ward=cast.ward_b)
    client.force_login(cast.ward_a_officer)
    for code in (elsewhere.code, "ZZZZZ-ZZZZZ", "abc"):
        response = _post(client, "tip_merge", dup, {"into": code})
        assert response.status_code == 200
        assert response.context["merge_form"].errors["into"] == [
            f"Không tìm thấy tin báo có mã “{code}” trong phạm vi của bạn."
        ]
    assert _fields(dup)[0] == TipStatus.NEW


def test_a_tip_is_not_merged_into_itself(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = _post(client, "tip_merge", tip, {"into": tip.code})
    assert response.context["merge_form"].errors["into"] == [
        "Không thể gộp một tin báo vào chính nó."
    ]
    assert _fields(tip)[0] == TipStatus.NEW


# -- identity -----------------------------------------------------------------------------


def _named_tip(cast) -> Tip:
    return make_tip(
        ward=cast.ward_a, anonymous=False, reporter_name="Hoàng Thị E", reporter_phone="0912345678"
    )


def test_the_department_sees_the_tipster_once_with_a_reason_and_it_is_audited(client, cast) -> None:
    tip = _named_tip(cast)
    client.force_login(cast.department)
    response = _post(client, "tip_identity", tip, {"reason": "Cần mời làm việc"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hoàng Thị E" in body and "0912 345 678" in body
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert (entry.actor, entry.reason) == (cast.department, "Cần mời làm việc")
    # The tip page itself still does not show it.
    assert "Hoàng Thị E" not in client.get(f"/tin-bao/{tip.pk}/").content.decode()


def test_seeing_the_tipster_needs_a_reason(client, cast) -> None:
    tip = _named_tip(cast)
    client.force_login(cast.department)
    response = _post(client, "tip_identity", tip, {"reason": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hãy ghi lý do cần xem thông tin người báo tin." in body
    assert "Hoàng Thị E" not in body
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 0


def test_a_ward_officer_sees_the_tipster_only_once_assigned(client, cast) -> None:
    tip = _named_tip(cast)
    client.force_login(cast.ward_a_officer)
    assert _post(client, "tip_identity", tip, {"reason": "Xác minh"}).status_code == 403
    page = client.get(f"/tin-bao/{tip.pk}/").content.decode()
    assert reverse("tips:tip_identity", args=[tip.pk]) not in page
    services.tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.department)
    response = _post(client, "tip_identity", tip, {"reason": "Xác minh"})
    assert "Hoàng Thị E" in response.content.decode()


def test_an_anonymous_tip_has_no_tipster_to_show(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.department)
    response = _post(client, "tip_identity", tip, {"reason": "x"}, follow=True)
    assert _messages_of(response) == ["Người báo tin chọn ẩn danh: không có thông tin để xem."]
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 0
