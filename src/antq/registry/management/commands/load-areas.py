"""``antq load-areas``: the official provinces and wards (after 01/07/2025)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antq.registry.areas import areas_load, province_choices


class Command(BaseCommand):
    help = (
        "Nạp danh mục tỉnh, thành phố và xã, phường, đặc khu (từ 01/07/2025) cùng tên cũ "
        "của các phường. Chạy lại nhiều lần không tạo bản trùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            type=int,
            metavar="CODE",
            help=_("chỉ nạp một tỉnh, thành phố (ví dụ 1: Hà Nội); mặc định: cả 34"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["province"]
        if code is not None and code not in dict(province_choices()):
            raise CommandError(_("Không có tỉnh, thành phố mã %(code)s.") % {"code": code})
        result = areas_load(province_code=code)
        self.stdout.write(
            _(
                "Đã nạp %(provinces)s tỉnh, thành phố; %(wards)s xã, phường, đặc khu; "
                "%(aliases)s tên cũ mới thêm."
            )
            % {"provinces": result.provinces, "wards": result.wards, "aliases": result.aliases}
        )
