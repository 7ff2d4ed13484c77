"""``antq tips-reindex``: recompute the search text of every tip and rebuild the index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from antq.tips.search import reindex_all


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Tính lại nội dung tìm kiếm của mọi tin báo và dựng lại chỉ mục toàn văn. Chạy sau khi "
        "sửa danh sách từ viết tắt (textvn/data/abbreviations.tsv)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = reindex_all()
        self.stdout.write(_("Đã cập nhật nội dung tìm kiếm của %(n)s tin báo.") % {"n": changed})
