"""``antq tips-erase-numbers``: erase the SMS numbers of tips closed past the retention."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from antq.tips.services import tips_erase_reply_numbers


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Xoá số điện thoại của người báo tin qua SMS ở các tin báo đã kết thúc quá thời hạn "
        "lưu (ANTQ_TIP_REPLY_RETENTION_DAYS). Nên chạy hằng ngày."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        erased = tips_erase_reply_numbers()
        self.stdout.write(
            _("Đã xoá số điện thoại nhắn tin của %(n)s tin báo đã kết thúc quá %(days)s ngày.")
            % {"n": erased, "days": settings.TIP_REPLY_RETENTION_DAYS}
        )
