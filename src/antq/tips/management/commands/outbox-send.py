"""``antq outbox-send``: send every queued outgoing message (SMS replies, e-mail).

The worker sends each message right after the change that caused it; this command picks up
what a crash or a gateway failure left behind. Run it from cron every few minutes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from antq.core.models import OutboxMessage, OutboxStatus
from antq.core.outbox import outbox_send_pending


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Gửi các tin nhắn đang chờ trong hộp thư đi (SMS trả lời người báo tin, thư điện tử). "
        "Tin đã gửi không bị gửi lại. Nên chạy định kỳ vài phút một lần."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = outbox_send_pending()
        waiting = OutboxMessage.objects.filter(status=OutboxStatus.QUEUED).count()
        failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count()
        self.stdout.write(
            _("Đã gửi %(sent)s tin nhắn; %(waiting)s tin còn chờ gửi lại; %(failed)s tin gửi lỗi.")
            % {"sent": sent, "waiting": waiting, "failed": failed}
        )
