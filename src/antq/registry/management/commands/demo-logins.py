"""``antq demo-logins``: the demo users to try, printed at the end of ``make demo``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from antq.registry.demo import demo_logins
from antq.tips.demo import DEMO_PARTNER_KEY, DEMO_TIP_CODE, DEMO_TIP_PASSPHRASE

DEMO_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = "In danh sách tài khoản mẫu (tên đăng nhập, vai trò, phạm vi, mật khẩu)."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write(_("Chưa có dữ liệu mẫu (chạy: antq demo-data)."))
            return
        header = (_("Tên đăng nhập"), _("Vai trò"), _("Phạm vi"), _("Mật khẩu"))
        rows = [(login.username, login.role, login.scope, login.password) for login in logins]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

        self.stdout.write(
            _("Mở %(url)s và đăng nhập bằng một trong các tài khoản mẫu:") % {"url": DEMO_URL}
        )
        self.stdout.write("")
        self.stdout.write(line(header).rstrip())
        self.stdout.write("  ".join("-" * width for width in widths))
        for row in rows:
            self.stdout.write(line(row).rstrip())
        self.stdout.write("")
        self.stdout.write(
            _(
                "Trang gửi tin báo công khai: %(url)s/gui-tin-bao/ — tra cứu tin báo mẫu tại "
                "%(url)s/tra-cuu/ với mã %(code)s và cụm mật khẩu “%(passphrase)s”."
            )
            % {"url": DEMO_URL, "code": DEMO_TIP_CODE, "passphrase": DEMO_TIP_PASSPHRASE}
        )
        self.stdout.write(
            _("Khóa API Open311 của ứng dụng đối tác mẫu: %(key)s") % {"key": DEMO_PARTNER_KEY}
        )
