"""``antq backup``: one archive with a consistent snapshot of the database and the uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from antq.core.backup import BackupError, backup_create, default_backup_path


class Command(BaseCommand):
    # No system checks: a backup must run, and a restore must work on a machine being
    # rebuilt, even while some setting would fail `antq check`; both are run from cron/shell.
    requires_system_checks: list[str] = []
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Sao lưu cơ sở dữ liệu (bản chụp nhất quán, máy chủ vẫn chạy) và các tệp tải lên vào "
        "một tệp lưu trữ. Khoá mã hoá KHÔNG nằm trong bản sao lưu: hãy giữ nó riêng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help=(
                "tệp sao lưu (.tar.gz hoặc .tar) hoặc thư mục chứa nó; mặc định "
                "var/backups/antq-<ngày-giờ>.tar.gz"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        if output is None:
            output = default_backup_path()
        elif output.is_dir():
            output = output / default_backup_path().name
        try:
            manifest = backup_create(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "Đã sao lưu vào %(path)s (%(size)s): %(tables)s bảng, %(rows)s dòng, %(files)s "
                "tệp tải lên; nhật ký %(length)s dòng, mã băm cuối %(head)s."
            )
            % {
                "path": output.resolve(),
                "size": filesizeformat(output.stat().st_size),
                "tables": len(manifest.tables),
                "rows": sum(manifest.tables.values()),
                "files": manifest.media_files,
                "length": manifest.audit_length,
                "head": (manifest.audit_head_hash or "-")[:16],
            }
        )
        self.stdout.write(
            _(
                "Lưu ý: khoá mã hoá (ANTQ_ENCRYPTION_KEY, hoặc SECRET_KEY nếu chưa đặt) KHÔNG "
                "nằm trong bản sao lưu. Khôi phục cần đúng các khoá này: hãy cất chúng riêng, "
                "ở nơi an toàn, không để cùng chỗ với bản sao lưu."
            )
        )
