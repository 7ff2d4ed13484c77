"""The SMS receipt of a tip goes out once; ``antq outbox-send`` and ``antq tips-erase-numbers``."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from antq.core.models import OutboxChannel, OutboxMessage, OutboxStatus
from antq.core.outbox import MAX_ATTEMPTS, outbox_queue, outbox_send, outbox_send_task
from antq.tips.models import Tip
from antq.tips.services import sms_receipt_text
from tests.factories import make_tip
from tests.tips.test_sms_webhook import post_sms, sms

outgoing: list[tuple[str, str]] = []


def record(recipient: str, body: str) -> None:
    outgoing.append((recipient, body))


def refuse(recipient: str, body: str) -> None:
    raise ConnectionError("gateway down")


@pytest.fixture(autouse=True)
def _recording_gateway(settings) -> None:
    settings.ANTQ_SMS_WEBHOOK_SECRET = "bi-mat-cong-sms-thu-nghiem"
    settings.ANTQ_SMS_SENDER = "tests.tips.test_outbox.record"
    outgoing.clear()


def _run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue().strip()


def test_the_receipt_sms_is_sent_once_even_if_the_task_runs_twice(
    client, cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert post_sms(client, sms()).status_code == 201
    assert len(callbacks) == 1
    tip = Tip.objects.get()
    message = OutboxMessage.objects.get()
    assert outgoing == [("+84912345678", sms_receipt_text(tip))]
    assert tip.code in outgoing[0][1]
    # The task runs again (a retry of the worker), and the cron job too: nothing more goes.
    outbox_send_task.call(message.pk)
    assert outbox_send(message.pk) is False
    assert _run("outbox-send") == "Đã gửi 0 tin nhắn; 0 tin còn chờ gửi lại; 0 tin gửi lỗi."
    assert len(outgoing) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)
    assert (message.object_type, message.object_id) == ("tips.tip", str(tip.pk))


def test_a_retried_webhook_call_queues_no_second_receipt(
    client, cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_sms(client, sms())
        post_sms(client, sms())
    assert OutboxMessage.objects.count() == 1
    assert len(outgoing) == 1


def test_outbox_send_sends_what_a_crash_left_queued_exactly_once(db) -> None:
    with transaction.atomic():
        outbox_queue(channel=OutboxChannel.SMS, recipient="+84987654321", body="Xin chào")
    # No commit hook ran (as after a crash): the message waits in the table.
    assert outgoing == []
    assert _run("outbox-send") == "Đã gửi 1 tin nhắn; 0 tin còn chờ gửi lại; 0 tin gửi lỗi."
    assert _run("outbox-send") == "Đã gửi 0 tin nhắn; 0 tin còn chờ gửi lại; 0 tin gửi lỗi."
    assert outgoing == [("+84987654321", "Xin chào")]
    assert OutboxMessage.objects.get().recipient_enc == ""  # sent: the number is erased


def test_a_message_stuck_in_sending_is_retried_after_a_while(db) -> None:
    message = outbox_queue(channel=OutboxChannel.SMS, recipient="+84987654321", body="Lần hai")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert _run("outbox-send") == "Đã gửi 1 tin nhắn; 0 tin còn chờ gửi lại; 0 tin gửi lỗi."
    assert outgoing == [("+84987654321", "Lần hai")]


def test_a_gateway_failure_keeps_the_message_for_the_next_run(db, settings) -> None:
    settings.ANTQ_SMS_SENDER = "tests.tips.test_outbox.refuse"
    message = outbox_queue(channel=OutboxChannel.SMS, recipient="+84987654321", body="Thử lại")
    assert _run("outbox-send") == "Đã gửi 0 tin nhắn; 1 tin còn chờ gửi lại; 0 tin gửi lỗi."
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        OutboxStatus.QUEUED,
        1,
        "ConnectionError",
    )
    settings.ANTQ_SMS_SENDER = "tests.tips.test_outbox.record"
    assert _run("outbox-send") == "Đã gửi 1 tin nhắn; 0 tin còn chờ gửi lại; 0 tin gửi lỗi."
    assert outgoing == [("+84987654321", "Thử lại")]


def test_a_message_given_up_keeps_no_number(db, settings) -> None:
    settings.ANTQ_SMS_SENDER = "tests.tips.test_outbox.refuse"
    message = outbox_queue(channel=OutboxChannel.SMS, recipient="+84987654321", body="Cuối")
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert _run("outbox-send") == "Đã gửi 0 tin nhắn; 0 tin còn chờ gửi lại; 1 tin gửi lỗi."
    message.refresh_from_db()
    assert (message.status, message.recipient_enc) == (OutboxStatus.FAILED, "")


# --- antq tips-erase-numbers ------------------------------------------------------------


def test_tips_erase_numbers_erases_only_numbers_past_the_retention(cast, settings) -> None:
    settings.TIP_REPLY_RETENTION_DAYS = 30
    now = timezone.now()
    old = make_tip(channel="sms", reply_to="+84912345678")
    recent = make_tip(channel="sms", reply_to="+84912345679")
    still_open = make_tip(channel="sms", reply_to="+84912345670")
    Tip.objects.filter(pk=old.pk).update(status="handled", closed_at=now - dt.timedelta(days=31))
    Tip.objects.filter(pk=recent.pk).update(
        status="unfounded", closed_at=now - dt.timedelta(days=10)
    )
    assert _run("tips-erase-numbers") == (
        "Đã xoá số điện thoại nhắn tin của 1 tin báo đã kết thúc quá 30 ngày."
    )
    numbers = dict(Tip.objects.values_list("pk", "reply_to_enc"))
    assert numbers[old.pk] == ""
    assert numbers[recent.pk] != ""
    assert numbers[still_open.pk] != ""
