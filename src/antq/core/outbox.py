"""Messages leaving ANTQ (SMS, email): queued in the database, sent once by the worker.

A message is written in the transaction of the change that causes it and the send task is
enqueued on commit, so nothing is sent for a change that rolled back, and a message whose
task was lost (crash) is picked up again by ``antq outbox-send``. Senders are pluggable
(``ANTQ_SMS_SENDER``, ``ANTQ_EMAIL_SENDER``: dotted paths to a callable ``(recipient, body)``);
the default only logs, so a server without a gateway still works.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from antq.core.crypto import decrypt, encrypt
from antq.core.models import OutboxChannel, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def log_sender(recipient: str, body: str) -> None:
    """Default sender: records that a message would be sent, without the recipient."""
    logger.info("outbox: message of %d characters ready for the gateway", len(body))


def _sender(channel: str) -> Callable[[str, str], None]:
    path = settings.ANTQ_SMS_SENDER if channel == OutboxChannel.SMS else settings.ANTQ_EMAIL_SENDER
    return import_string(path) if path else log_sender


def outbox_queue(
    *, channel: str, recipient: str, body: str, about: models.Model | None = None
) -> OutboxMessage:
    """Queue a message; must run inside the transaction of the change that causes it."""
    message = OutboxMessage(
        channel=channel,
        recipient_enc=encrypt(recipient),
        body=body,
        object_type=about._meta.label_lower if about is not None else "",
        object_id=str(about.pk) if about is not None else "",
    )
    message.full_clean()
    message.save()
    transaction.on_commit(lambda: outbox_send_task.enqueue(message.pk))
    return message


def outbox_send(message_id: int) -> bool:
    """Send one queued message; claiming it in one UPDATE makes a second run a no-op."""
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxStatus.QUEUED, attempts__lt=MAX_ATTEMPTS
    ).update(
        status=OutboxStatus.SENDING, claimed_at=timezone.now(), attempts=models.F("attempts") + 1
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _sender(message.channel)(decrypt(message.recipient_enc), message.body)
    except Exception as exc:  # a gateway error must not lose the message: it stays queued
        logger.warning("outbox: message %s not sent: %s", message.pk, type(exc).__name__)
        failed = message.attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message.pk).update(
            last_error=type(exc).__name__[:500],
            status=OutboxStatus.FAILED if failed else OutboxStatus.QUEUED,
            **({"recipient_enc": ""} if failed else {}),
        )
        return False
    # Sent (or given up): the number has served; no copy of it stays in the outbox.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), recipient_enc=""
    )
    return True


def outbox_send_pending(*, stale_after: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Send every queued message (after a crash, or from cron); returns how many were sent.

    A message left "sending" by a worker killed mid-send is retried after ``stale_after``.
    """
    OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, claimed_at__lt=timezone.now() - stale_after
    ).update(status=OutboxStatus.QUEUED)
    ids = OutboxMessage.objects.filter(status=OutboxStatus.QUEUED).values_list("pk", flat=True)
    return sum(outbox_send(pk) for pk in list(ids))


@task()
def outbox_send_task(message_id: int) -> None:
    outbox_send(message_id)


@task()
def outbox_send_pending_task() -> int:
    """Send everything queued (messages queued in bulk enqueue this once)."""
    return outbox_send_pending()
