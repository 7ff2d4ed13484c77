"""``antq audit-verify``: recompute the audit chain and report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from antq.core.audit import audit_verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm của nhật ký; báo dòng đầu tiên bị sửa hoặc bị xoá."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"Nhật ký nguyên vẹn: {result.checked} dòng đã kiểm tra.")
            return
        where = f"dòng #{result.broken_id}" if result.broken_id else "cuối chuỗi"
        raise CommandError(
            f"Nhật ký bị can thiệp tại {where}: {result.problem} "
            f"({result.checked} dòng trước đó hợp lệ)."
        )
