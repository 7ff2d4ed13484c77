"""Unit and integration tests of ``antq.tips.services``: every write to a tip."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from antq.core.crypto import decrypt
from antq.core.models import AuditAction, AuditEntry, OutboxMessage
from antq.tips import services
from antq.tips.attachments import CleanFile
from antq.tips.models import Tip, TipAttachment, TipCategory, TipMessage, TipNote
from antq.tips.status import Outcome, Sender, TipStatus
from tests.factories import make_tip, receive_tip

FIELDS = ("status", "assignee_id", "closed_at", "outcome", "merged_into_id", "ward_id")


def _state(tip: Tip) -> tuple:
    tip = Tip.objects.get(pk=tip.pk)
    return tuple(getattr(tip, f) for f in FIELDS)


def _entries(tip: Tip, action: str | None = None) -> list[AuditEntry]:
    qs = AuditEntry.objects.filter(object_type="tips.tip", object_id=str(tip.pk))
    if action:
        qs = qs.filter(action=action)
    return list(qs.order_by("id"))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# -- tip_receive --------------------------------------------------------------------------


def test_a_received_tip_is_routed_to_its_ward_with_the_legal_deadline(cast) -> None:
    receipt = receive_tip(ward=cast.ward_a, text="  Có người   lạ\nđứng trước cổng ")
    tip = Tip.objects.get()
    received = timezone.localdate(tip.received_at)
    assert receipt.created is True and receipt.tip == tip
    assert tip.text == "Có người   lạ\nđứng trước cổng"
    assert (tip.status, tip.ward, tip.unit_notified) == (TipStatus.NEW, cast.ward_a, False)
    assert tip.deadline == received + dt.timedelta(days=20)
    assert "Điều 147" in tip.deadline_rule.legal_basis
    assert "co nguoi la dung truoc cong" in tip.search_text
    (entry,) = _entries(tip)
    assert (entry.action, entry.actor_id, entry.ward_id) == (AuditAction.RECEIVE, None, tip.ward_id)


def test_the_passphrase_is_shown_once_and_stored_only_as_a_digest(cast) -> None:
    receipt = receive_tip(ward=cast.ward_a)
    assert receipt.passphrase
    assert receipt.passphrase not in str(Tip.objects.values().get())
    assert services.tip_authenticate(receipt.tip.code, receipt.passphrase) == receipt.tip


def test_a_tip_about_a_unit_is_flagged_to_it_when_the_category_says_so(cast) -> None:
    flagged = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_y)
    not_flagged = make_tip(category="trom-cap", unit=cast.unit_y)
    assert (flagged.ward, flagged.unit_notified) == (cast.ward_b, True)
    assert (not_flagged.ward, not_flagged.unit_notified) == (cast.ward_b, False)


def test_an_anonymous_tipster_leaves_no_identity_even_if_he_typed_one(cast) -> None:
    tip = make_tip(ward=cast.ward_a, anonymous=True, reporter_name="Nguyễn Văn A")
    assert (tip.reporter_name_enc, tip.reporter_phone_enc) == ("", "")


def test_a_named_tipster_is_stored_encrypted_with_a_normalised_phone(cast) -> None:
    tip = make_tip(
        ward=cast.ward_a, anonymous=False, reporter_name="Trần Thị B", reporter_phone="0912345678"
    )
    assert "0912345678" not in tip.reporter_phone_enc and "Trần" not in tip.reporter_name_enc
    assert decrypt(tip.reporter_phone_enc) == "+84912345678"
    assert decrypt(tip.reporter_name_enc) == "Trần Thị B"
    assert "reporter" not in str(_entries(tip)[0].after)


def test_a_bad_phone_is_refused_in_vietnamese_without_echoing_it(cast) -> None:
    with pytest.raises(ValidationError) as caught:
        receive_tip(ward=cast.ward_a, anonymous=False, reporter_phone="09-1234")
    message = caught.value.message_dict["reporter_phone"][0]
    assert message.startswith("Số điện thoại không hợp lệ") and "1234" not in message
    assert Tip.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"anonymous": False}, "reporter_name"),
        ({"anonymous": False, "reporter_phone": "12"}, "reporter_phone"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"occurred_at": timezone.now() + dt.timedelta(hours=1)}, "occurred_at"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_an_invalid_tip_is_refused_and_nothing_is_stored(cast, fields, key) -> None:
    with pytest.raises(ValidationError) as exc:
        receive_tip(ward=cast.ward_a, **fields)
    assert key in exc.value.message_dict
    assert Tip.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_a_province_is_not_a_ward(cast) -> None:
    with pytest.raises(ValidationError) as exc:
        receive_tip(ward=cast.ward_a.parent)
    assert "ward" in exc.value.message_dict


def test_an_inactive_category_takes_no_new_tips(cast) -> None:
    TipCategory.objects.filter(code="khac").update(is_active=False)
    with pytest.raises(ValidationError):
        receive_tip(ward=cast.ward_a)


def test_a_retry_with_the_same_key_returns_the_first_tip(cast) -> None:
    first = receive_tip(ward=cast.ward_a, idempotency_key="sms:gw:42")
    again = receive_tip(ward=cast.ward_a, idempotency_key="sms:gw:42", text="khác hẳn")
    assert (again.tip, again.created, again.passphrase) == (first.tip, False, None)
    assert Tip.objects.count() == 1 and AuditEntry.objects.count() == 1


def test_an_sms_tip_queues_the_receipt_to_the_sender_encrypted(cast) -> None:
    tip = make_tip(ward=cast.ward_a, channel="sms", reply_to="+84987654321")
    message = OutboxMessage.objects.get()
    assert tip.code in message.body
    assert message.body.isascii()
    assert "987654321" not in message.recipient_enc
    assert decrypt(message.recipient_enc) == "+84987654321"
    assert (message.object_type, message.object_id) == ("tips.tip", str(tip.pk))


def test_attachments_are_stored_under_random_names_with_their_digest(cast, media) -> None:
    data = b"%PDF-1.4 bien ban"
    tip = make_tip(
        ward=cast.ward_a,
        attachments=[CleanFile("ảnh của tôi.pdf", "application/pdf", ".pdf", data)],
    )
    attachment = TipAttachment.objects.get(tip=tip)
    assert attachment.name == "ảnh của tôi.pdf"
    assert attachment.file.name.endswith(f"{attachment.token}.pdf")
    assert "tôi" not in attachment.file.name
    assert (attachment.size, attachment.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert attachment.from_tipster is True
    assert attachment.file.read() == data


def test_too_many_attachments_are_refused(cast, media, settings) -> None:
    settings.TIP_MAX_FILES = 1
    files = [CleanFile(f"{i}.pdf", "application/pdf", ".pdf", b"%PDF") for i in range(2)]
    with pytest.raises(ValidationError):
        receive_tip(ward=cast.ward_a, attachments=files)
    assert Tip.objects.count() == 0 and TipAttachment.objects.count() == 0


def test_a_tip_that_is_not_stored_leaves_no_file_behind(cast, media, monkeypatch) -> None:
    def broken_audit(**kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    files = [CleanFile("bien-ban.pdf", "application/pdf", ".pdf", b"%PDF-1.4")]
    with pytest.raises(RuntimeError):
        receive_tip(ward=cast.ward_a, attachments=files)
    assert Tip.objects.count() == 0 and TipAttachment.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_a_retried_submission_keeps_only_the_files_of_the_first(cast, media, monkeypatch) -> None:
    files = [CleanFile("bien-ban.pdf", "application/pdf", ".pdf", b"%PDF-1.4")]
    first = receive_tip(ward=cast.ward_a, attachments=files, idempotency_key="web:retry-1")
    # The retry raced past the first check (it saw no tip yet), wrote its files, and then
    # met the first tip's key in the database.
    existing, calls = services._existing, []

    def late(key: str) -> services.Receipt | None:
        calls.append(key)
        return None if len(calls) == 1 else existing(key)

    monkeypatch.setattr(services, "_existing", late)
    again = receive_tip(ward=cast.ward_a, attachments=files, idempotency_key="web:retry-1")
    assert (again.created, again.tip.pk, len(calls)) == (False, first.tip.pk, 2)
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1


# -- tip_transition -----------------------------------------------------------------------


def test_a_transition_changes_the_status_and_records_it(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_transition(tip=tip, to=TipStatus.VERIFYING, actor=cast.ward_a_officer)
    tip.refresh_from_db()
    assert tip.status == TipStatus.VERIFYING and tip.closed_at is None
    entry = _entries(tip, AuditAction.TRANSITION)[0]
    assert entry.actor == cast.ward_a_officer
    assert (entry.before["status"], entry.after["status"]) == ("new", "verifying")


def test_closing_needs_a_reason_and_sets_the_outcome_and_the_closing_time(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_transition(tip=tip, to=TipStatus.VERIFYING, actor=cast.department)
    with pytest.raises(ValidationError) as exc:
        services.tip_transition(tip=tip, to=TipStatus.HANDLED, actor=cast.department)
    assert "reason" in exc.value.message_dict
    services.tip_transition(
        tip=tip,
        to=TipStatus.HANDLED,
        actor=cast.department,
        reason="Đã bắt quả tang",
        outcome=Outcome.CAUGHT_IN_ACT,
    )
    tip.refresh_from_db()
    assert (tip.status, tip.outcome) == (TipStatus.HANDLED, Outcome.CAUGHT_IN_ACT)
    assert tip.closed_at is not None
    assert _entries(tip, AuditAction.TRANSITION)[-1].reason == "Đã bắt quả tang"


def test_reopening_a_closed_tip_needs_a_reason_and_clears_the_closing_time(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_transition(tip=tip, to=TipStatus.UNFOUNDED, actor=cast.department, reason="x")
    with pytest.raises(ValidationError):
        services.tip_transition(tip=tip, to=TipStatus.VERIFYING, actor=cast.department)
    services.tip_transition(
        tip=tip, to=TipStatus.VERIFYING, actor=cast.department, reason="Có thông tin mới"
    )
    tip.refresh_from_db()
    assert (tip.status, tip.closed_at) == (TipStatus.VERIFYING, None)


def test_a_transition_the_table_does_not_allow_is_refused(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    before = _state(tip)
    with pytest.raises(ValidationError) as exc:
        services.tip_transition(tip=tip, to=TipStatus.HANDLED, actor=cast.department, reason="x")
    assert "Không thể chuyển" in exc.value.message_dict["status"][0]
    assert _state(tip) == before and len(_entries(tip)) == 1


def test_an_unknown_outcome_is_refused(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    with pytest.raises(ValidationError):
        services.tip_transition(
            tip=tip, to=TipStatus.UNFOUNDED, actor=cast.department, reason="x", outcome="nope"
        )
    assert Tip.objects.get().status == TipStatus.NEW


@pytest.mark.parametrize("role", ["leader", "ward_b_officer", "unit_x_officer"])
def test_only_those_who_handle_the_tip_change_its_status(cast, role) -> None:
    tip = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    before = _state(tip)
    with pytest.raises(PermissionDenied):
        services.tip_transition(tip=tip, to=TipStatus.VERIFYING, actor=cast.by_name(role))
    assert _state(tip) == before and len(_entries(tip)) == 1


def test_closing_erases_the_sms_number_when_nothing_is_retained(cast, settings) -> None:
    settings.TIP_REPLY_RETENTION_DAYS = 0
    tip = make_tip(ward=cast.ward_a, channel="sms", reply_to="+84987654321")
    services.tip_transition(tip=tip, to=TipStatus.SPAM, actor=cast.department, reason="Quảng cáo")
    assert Tip.objects.get().reply_to_enc == ""


def test_closing_keeps_the_sms_number_during_the_retention_period(cast, settings) -> None:
    settings.TIP_REPLY_RETENTION_DAYS = 30
    tip = make_tip(ward=cast.ward_a, channel="sms", reply_to="+84987654321")
    services.tip_transition(tip=tip, to=TipStatus.SPAM, actor=cast.department, reason="Quảng cáo")
    assert decrypt(Tip.objects.get().reply_to_enc) == "+84987654321"
    later = timezone.now() + dt.timedelta(days=31)
    assert services.tips_erase_reply_numbers(now=later) == 1
    assert Tip.objects.get().reply_to_enc == ""


# -- tip_update -----------------------------------------------------------------------------


def test_marking_a_tip_complex_extends_its_deadline_to_two_months(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    received = timezone.localdate(tip.received_at)
    services.tip_update(
        tip=tip, actor=cast.ward_a_officer, data={"is_complex": True}, reason="Nhiều đối tượng"
    )
    tip.refresh_from_db()
    assert tip.deadline == received + dt.timedelta(days=60)
    entry = _entries(tip, AuditAction.UPDATE)[0]
    assert entry.reason == "Nhiều đối tượng"
    assert entry.after["is_complex"] is True and "status" not in entry.after


def test_moving_a_tip_to_another_ward_routes_it_there(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_update(tip=tip, actor=cast.ward_a_officer, data={"ward": cast.ward_b})
    tip.refresh_from_db()
    assert tip.ward == cast.ward_b
    assert _entries(tip, AuditAction.UPDATE)[0].ward_id == cast.ward_b.pk


def test_a_tip_moved_out_of_its_officers_wards_is_unassigned(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.department)
    services.tip_update(
        tip=Tip.objects.get(pk=tip.pk), actor=cast.department, data={"ward": cast.ward_b}
    )
    tip.refresh_from_db()
    assert (tip.ward, tip.assignee) == (cast.ward_b, None)
    entry = _entries(tip, AuditAction.UPDATE)[0]
    assert entry.after["assignee"] is None


def test_a_unit_of_another_ward_is_refused(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    with pytest.raises(ValidationError) as refused:
        services.tip_update(tip=tip, actor=cast.department, data={"unit": cast.unit_y})
    assert "không thuộc" in str(refused.value)
    with pytest.raises(ValidationError):
        make_tip(ward=cast.ward_a, unit=cast.unit_y)


def test_naming_the_unit_flags_the_tip_to_it_when_the_category_says_so(cast) -> None:
    tip = make_tip(ward=cast.ward_a, category="vi-pham-don-vi")
    services.tip_update(tip=tip, actor=cast.department, data={"unit": cast.unit_x})
    tip.refresh_from_db()
    assert (tip.unit, tip.unit_notified) == (cast.unit_x, True)


def test_an_update_that_changes_nothing_writes_nothing(cast) -> None:
    tip = make_tip(ward=cast.ward_a, place="Ngõ 12")
    services.tip_update(tip=tip, actor=cast.department, data={"place": " Ngõ  12 "})
    assert len(_entries(tip)) == 1


def test_an_update_by_another_wards_officer_is_denied(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    with pytest.raises(PermissionDenied):
        services.tip_update(tip=tip, actor=cast.ward_b_officer, data={"urgency": "urgent"})
    assert Tip.objects.get().urgency == "normal" and len(_entries(tip)) == 1


# -- assignment ---------------------------------------------------------------------------


def test_assigning_a_new_tip_receives_it(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.department)
    tip.refresh_from_db()
    assert (tip.assignee, tip.status) == (cast.ward_a_officer, TipStatus.RECEIVED)
    entry = _entries(tip, AuditAction.ASSIGN)[0]
    assert entry.after["assignee__label"] == cast.ward_a_officer.get_full_name()


def test_a_tip_cannot_be_given_to_an_officer_of_another_ward(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    with pytest.raises(ValidationError) as exc:
        services.tip_assign(tip=tip, assignee=cast.ward_b_officer, actor=cast.department)
    assert tip.code in exc.value.message_dict["assignee"][0]
    assert _state(tip)[:2] == (TipStatus.NEW, None)


def test_unassigning_keeps_the_status(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.department)
    services.tip_assign(tip=tip, assignee=None, actor=cast.department)
    assert _state(tip)[:2] == (TipStatus.RECEIVED, None)


def test_bulk_assignment_is_all_or_nothing(cast) -> None:
    a1 = make_tip(ward=cast.ward_a)
    a2 = make_tip(ward=cast.ward_a)
    b = make_tip(ward=cast.ward_b)
    with pytest.raises(ValidationError):
        services.tips_assign(tips=[a1, a2, b], assignee=cast.ward_a_officer, actor=cast.department)
    assert Tip.objects.filter(assignee__isnull=False).count() == 0
    assert AuditEntry.objects.filter(action=AuditAction.ASSIGN).count() == 0
    count = services.tips_assign(tips=[a1, a2], assignee=cast.ward_a_officer, actor=cast.department)
    assert count == 2
    assert set(Tip.objects.filter(assignee=cast.ward_a_officer)) == {a1, a2}


def test_the_leader_does_not_assign(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    with pytest.raises(PermissionDenied):
        services.tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.leader)
    assert _state(tip)[1] is None


# -- messages and notes -----------------------------------------------------------------


def test_the_tipster_and_the_officer_write_to_each_other(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    from_tipster = services.tip_message_post(tip=tip, body="Tối nay chúng lại đến")
    reply = services.tip_message_post(tip=tip, body="Cảm ơn anh", actor=cast.ward_a_officer)
    assert (from_tipster.sender, from_tipster.author) == (Sender.TIPSTER, None)
    assert (reply.sender, reply.author) == (Sender.OFFICER, cast.ward_a_officer)
    entries = _entries(tip, AuditAction.MESSAGE)
    assert [(e.actor_id, e.after["sender"]) for e in entries] == [
        (None, "tipster"),
        (cast.ward_a_officer.pk, "officer"),
    ]
    assert OutboxMessage.objects.count() == 0  # a web tipster reads replies on the site


def test_a_message_keeps_its_line_breaks(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    message = services.tip_message_post(tip=tip, body=" Dòng một\nDòng hai ")
    note = services.tip_note_add(tip=tip, body="Ý 1\nÝ 2", actor=cast.department)
    assert message.body == "Dòng một\nDòng hai"
    assert note.body == "Ý 1\nÝ 2"


def test_an_officer_reply_to_an_sms_tip_goes_out_by_sms(cast) -> None:
    tip = make_tip(ward=cast.ward_a, channel="sms", reply_to="+84987654321")
    services.tip_message_post(tip=tip, body="Đề nghị anh cho biết thêm", actor=cast.department)
    reply = OutboxMessage.objects.order_by("id").last()
    assert tip.code in reply.body and "Đề nghị anh" in reply.body
    assert decrypt(reply.recipient_enc) == "+84987654321"


def test_an_empty_message_is_refused(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    with pytest.raises(ValidationError):
        services.tip_message_post(tip=tip, body="  ", actor=cast.department)
    assert TipMessage.objects.count() == 0


def test_officers_do_not_write_in_a_merged_tip(cast) -> None:
    main = make_tip(ward=cast.ward_a)
    dup = make_tip(ward=cast.ward_a)
    services.tip_merge(duplicate=dup, into=main, actor=cast.department)
    dup.refresh_from_db()
    with pytest.raises(ValidationError):
        services.tip_message_post(tip=dup, body="Xin chào", actor=cast.department)
    services.tip_message_post(tip=dup, body="Tôi bổ sung thông tin")  # the tipster still can
    assert TipMessage.objects.filter(tip=dup).count() == 1


@pytest.mark.parametrize("role", ["leader", "unit_x_officer", "ward_b_officer"])
def test_only_handlers_message_the_tipster(cast, role) -> None:
    tip = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    with pytest.raises(PermissionDenied):
        services.tip_message_post(tip=tip, body="Xin chào", actor=cast.by_name(role))
    assert TipMessage.objects.count() == 0


def test_reading_marks_only_the_other_sides_messages(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_message_post(tip=tip, body="Một")
    services.tip_message_post(tip=tip, body="Hai")
    services.tip_message_post(tip=tip, body="Ba", actor=cast.department)
    assert services.tip_messages_mark_read(tip=tip, reader_is_tipster=False) == 2
    assert services.tip_messages_mark_read(tip=tip, reader_is_tipster=False) == 0
    unread = TipMessage.objects.filter(read_at__isnull=True)
    assert [m.body for m in unread] == ["Ba"]


def test_the_notified_units_officer_adds_notes_but_the_leader_does_not(cast) -> None:
    tip = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    note = services.tip_note_add(tip=tip, body="Đã nhắc bảo vệ", actor=cast.unit_x_officer)
    assert note.author == cast.unit_x_officer
    assert _entries(tip, AuditAction.NOTE)[0].after == {"note": note.pk}
    with pytest.raises(PermissionDenied):
        services.tip_note_add(tip=tip, body="x", actor=cast.leader)
    with pytest.raises(PermissionDenied):
        services.tip_note_add(tip=tip, body="x", actor=cast.unit_y_officer)
    assert TipNote.objects.count() == 1


# -- merge ----------------------------------------------------------------------------------


def test_merging_closes_the_duplicate_and_points_it_at_the_main_tip(cast) -> None:
    main = make_tip(ward=cast.ward_a)
    dup = make_tip(ward=cast.ward_a)
    services.tip_merge(duplicate=dup, into=main, actor=cast.ward_a_officer, reason="Cùng vụ")
    dup.refresh_from_db()
    assert (dup.status, dup.merged_into) == (TipStatus.DUPLICATE, main)
    assert dup.closed_at is not None
    entry = _entries(dup, AuditAction.MERGE)[0]
    assert (entry.reason, entry.after["merged_into__label"]) == ("Cùng vụ", main.code)


@pytest.mark.parametrize(
    "case", ["self", "into_merged", "into_merged_meanwhile", "chain", "closed"]
)
def test_a_merge_that_makes_no_sense_is_refused(cast, case) -> None:
    main = make_tip(ward=cast.ward_a)
    other = make_tip(ward=cast.ward_a)
    dup = make_tip(ward=cast.ward_a)
    into = main
    if case == "self":
        into = dup
    elif case == "into_merged":
        services.tip_merge(duplicate=other, into=main, actor=cast.department)
        into = Tip.objects.get(pk=other.pk)
    elif case == "into_merged_meanwhile":
        # Another officer merged the target while this one had it on screen: the object in
        # hand still says "new", the row says "duplicate".
        into = Tip.objects.get(pk=main.pk)
        services.tip_merge(duplicate=main, into=other, actor=cast.department)
        assert into.status == TipStatus.NEW
    elif case == "chain":
        services.tip_merge(duplicate=other, into=dup, actor=cast.department)
        dup = Tip.objects.get(pk=dup.pk)
    else:
        services.tip_transition(tip=dup, to=TipStatus.VERIFYING, actor=cast.department)
        services.tip_transition(tip=dup, to=TipStatus.HANDLED, actor=cast.department, reason="x")
    before = _state(dup)
    with pytest.raises(ValidationError):
        services.tip_merge(duplicate=dup, into=into, actor=cast.department)
    assert _state(dup) == before
    assert _entries(dup, AuditAction.MERGE) == []


def test_merging_across_wards_needs_both_wards(cast) -> None:
    main = make_tip(ward=cast.ward_b)
    dup = make_tip(ward=cast.ward_a)
    with pytest.raises(PermissionDenied):
        services.tip_merge(duplicate=dup, into=main, actor=cast.ward_a_officer)
    assert _state(dup)[0] == TipStatus.NEW


# -- identity -----------------------------------------------------------------------------


def test_the_identity_is_revealed_to_the_assigned_officer_and_audited(cast) -> None:
    tip = make_tip(
        ward=cast.ward_a, anonymous=False, reporter_name="Lê Văn C", reporter_phone="0912345678"
    )
    with pytest.raises(PermissionDenied):
        services.tip_identity_reveal(tip=tip, actor=cast.ward_a_officer, reason="Xác minh")
    assert _entries(tip, AuditAction.REVEAL) == []
    services.tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.department)
    tip.refresh_from_db()
    identity = services.tip_identity_reveal(tip=tip, actor=cast.ward_a_officer, reason="Xác minh")
    assert identity == services.Identity("Lê Văn C", "+84912345678")
    (entry,) = _entries(tip, AuditAction.REVEAL)
    assert (entry.actor, entry.reason) == (cast.ward_a_officer, "Xác minh")
    assert "Lê Văn C" not in str(entry.after) and "912345678" not in str(entry.after)


def test_an_anonymous_tip_has_nothing_to_reveal(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    identity = services.tip_identity_reveal(tip=tip, actor=cast.department, reason="x")
    assert identity == services.Identity("", "")
    assert _entries(tip, AuditAction.REVEAL) == []


def test_the_leader_does_not_see_the_tipster(cast) -> None:
    tip = make_tip(ward=cast.ward_a, anonymous=False, reporter_name="Lê Văn C")
    with pytest.raises(PermissionDenied):
        services.tip_identity_reveal(tip=tip, actor=cast.leader, reason="x")


# -- the tipster's code -------------------------------------------------------------------


def test_a_code_opens_its_tip_only_with_its_passphrase(cast) -> None:
    receipt = receive_tip(ward=cast.ward_a)
    code, phrase = receipt.tip.code, receipt.passphrase
    assert phrase is not None
    typed_code = code.lower().replace("-", " ")
    assert services.tip_authenticate(typed_code, phrase.upper()) == receipt.tip
    assert services.tip_authenticate(code, phrase + " thua") is None
    assert services.tip_authenticate("ZZZZZ-ZZZZZ", phrase) is None
    assert services.tip_authenticate("", "") is None


# -- partners -------------------------------------------------------------------------------


def test_a_partner_key_is_shown_once_and_works_until_the_partner_is_switched_off(cast) -> None:
    partner, key = services.partner_create(actor=cast.admin, name="Ứng dụng  phản ánh")
    assert partner.name == "Ứng dụng phản ánh"
    assert key not in str(type(partner).objects.values().get())
    assert services.partner_authenticate(key) == partner
    services.partner_set_active(actor=cast.admin, partner=partner, active=False)
    assert services.partner_authenticate(key) is None
    assert services.partner_authenticate("") is None


def test_only_the_administrator_registers_partners(cast) -> None:
    with pytest.raises(PermissionDenied):
        services.partner_create(actor=cast.department, name="Ứng dụng")


def test_the_retry_lookup_uses_the_idempotency_index(cast) -> None:
    with CaptureQueriesContext(connection) as queries:
        services._existing("web:never-seen")
    [query] = queries.captured_queries
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "tip_idempotency_key_unique" in plan, plan
        else:
            pytest.skip("PostgreSQL's planner infers the partial index condition itself")


def test_duplicate_is_reached_only_by_merging(cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    with pytest.raises(ValidationError) as caught:
        services.tip_transition(tip=tip, to=TipStatus.DUPLICATE, actor=cast.department)
    assert "gộp" in caught.value.message_dict["status"][0]
    tip.refresh_from_db()
    assert (tip.status, AuditEntry.objects.filter(action=AuditAction.TRANSITION).count()) == (
        TipStatus.NEW,
        0,
    )


def test_nul_characters_never_reach_the_database(cast) -> None:
    tip = make_tip(ward=cast.ward_a, text="Có\x00 trộm", place="Ngõ\x00 5")
    assert (tip.text, tip.place) == ("Có trộm", "Ngõ 5")
