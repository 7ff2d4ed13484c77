"""``antq cases-scan``: send the deadline reminders and overdue alerts of the day.

Run it daily from cron or a systemd timer (``--enqueue`` hands it to the worker instead);
``--on`` scans for another day, to see what a date will bring. A reminder already sent is
never sent again, so running it twice is harmless.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antq.cases.reminders import OVERDUE, deadline_scan, deadline_scan_task
from antq.core.dates import day_text


def parse_day(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise CommandError(
        _("Ngày không hợp lệ: “%(value)s”. Hãy ghi theo dạng YYYY-MM-DD, ví dụ 2026-07-01.")
        % {"value": value}
    )


def level_label(level: str) -> str:
    if level == OVERDUE:
        return _("Cảnh báo quá hạn")
    days = level.removeprefix("before_")
    return _("Nhắc trước %(n)s ngày làm việc") % {"n": days}


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Quét thời hạn vụ việc khiếu nại, tố cáo: nhắc cán bộ xử lý trước hạn, cảnh báo khi "
        "quá hạn. Nhắc hạn đã gửi không gửi lại. Nên chạy hằng ngày."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", metavar="YYYY-MM-DD", help="quét cho ngày này thay vì hôm nay")
        parser.add_argument(
            "--enqueue", action="store_true", help="giao cho tiến trình xử lý việc nền"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["on"]) if options["on"] else None
        if options["enqueue"]:
            result = deadline_scan_task.enqueue(day=day.isoformat() if day else "")
            self.stdout.write(
                _("Đã giao việc quét thời hạn %(day)s cho tiến trình nền (mã %(id)s).")
                % {"day": day_text(day) if day else _("hôm nay"), "id": result.id}
            )
            return
        scan = deadline_scan(day=day)
        lines = [_("Quét thời hạn ngày %(day)s:") % {"day": day_text(scan.day)}]
        lines += [
            "  " + _("%(level)s: %(n)s thời hạn") % {"level": level_label(level), "n": count}
            for level, count in scan.alerts.items()
        ]
        lines.append(_("Đã gửi %(n)s thông báo tới cán bộ.") % {"n": scan.notifications})
        self.stdout.write("\n".join(lines))
