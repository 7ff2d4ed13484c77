"""``antq tips-reindex``: recompute the search text of every tip and rebuild the index;
``--restore`` restores the diacritics of the tips typed without them first."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from antq.tips.search import reindex_all


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Tính lại nội dung tìm kiếm của mọi tin báo và dựng lại chỉ mục toàn văn. Chạy sau khi "
        "sửa danh sách từ viết tắt (textvn/data/abbreviations.tsv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--restore",
            action="store_true",
            help="Thêm dấu lại cho các tin báo gõ không dấu (tin nhận trước khi có chức năng "
            "thêm dấu, hoặc sau khi cập nhật mô hình), rồi tính lại nội dung tìm kiếm.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = reindex_all(restore=options["restore"])
        self.stdout.write(_("Đã cập nhật nội dung tìm kiếm của %(n)s tin báo.") % {"n": changed})
