"""``antq restore``: put an archive of ``antq backup`` back into this instance, then check it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antq.core.backup import BackupError, Manifest, backup_restore, backup_verify


class Command(BaseCommand):
    # No system checks: a backup must run, and a restore must work on a machine being
    # rebuilt, even while some setting would fail `antq check`; both are run from cron/shell.
    requires_system_checks: list[str] = []
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Khôi phục cơ sở dữ liệu và tệp tải lên từ một bản sao lưu của `antq backup`, rồi đếm "
        "lại các bảng và kiểm tra chuỗi nhật ký. Dừng máy chủ và tiến trình nền trước khi chạy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="tệp sao lưu (.tar.gz hoặc .tar)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="ghi đè cả khi cơ sở dữ liệu đích đang có dữ liệu (dữ liệu đó sẽ mất)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="chỉ kiểm tra bản sao lưu (manifest, mã băm từng mục), không khôi phục",
        )
        parser.add_argument(
            "--ignore-keys",
            action="store_true",
            help="khôi phục dù khoá khác khoá lúc sao lưu (khi khoá cũ đã mất hẳn)",
        )

    def _describe(self, manifest: Manifest) -> None:
        self.stdout.write(
            _(
                "Bản sao lưu %(created)s (ANTQ %(version)s, %(vendor)s): %(tables)s bảng, "
                "%(rows)s dòng, %(files)s tệp tải lên, nhật ký %(length)s dòng."
            )
            % {
                "created": manifest.created_at,
                "version": manifest.antq_version,
                "vendor": manifest.vendor,
                "tables": len(manifest.tables),
                "rows": sum(manifest.tables.values()),
                "files": manifest.media_files,
                "length": manifest.audit_length,
            }
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            if options["check"]:
                manifest = backup_verify(path)
                self._describe(manifest)
                self.stdout.write(
                    _("Bản sao lưu nguyên vẹn: mã băm của %(n)s mục đều khớp.")
                    % {"n": len(manifest.members)}
                )
                return
            self.stdout.write(
                _("Máy chủ và tiến trình nền (antq serve, antq worker) phải dừng khi khôi phục.")
            )
            result = backup_restore(
                path, force=options["force"], ignore_keys=options["ignore_keys"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self._describe(result.manifest)
        for table, expected, got in result.count_mismatches:
            self.stderr.write(
                _("Bảng %(table)s: bản sao lưu có %(expected)s dòng, sau khôi phục có %(got)s.")
                % {"table": table, "expected": expected, "got": "-" if got is None else got}
            )
        if not result.count_mismatches:
            self.stdout.write(
                _("Số dòng của cả %(n)s bảng khớp với bản sao lưu.")
                % {"n": len(result.manifest.tables)}
            )
        if result.audit.ok:
            self.stdout.write(
                _("Nhật ký nguyên vẹn: %(n)s dòng đã kiểm tra.") % {"n": result.audit.checked}
            )
        else:
            where = f"#{result.audit.broken_id}" if result.audit.broken_id else "-"
            self.stderr.write(
                _("Nhật ký bị hỏng tại dòng %(where)s: %(problem)s.")
                % {"where": where, "problem": result.audit.problem}
            )
        if not result.audit_head_matches:
            self.stderr.write(_("Mã băm cuối chuỗi nhật ký khác với bản sao lưu."))
        if not result.ok:
            raise CommandError(_("Khôi phục xong nhưng dữ liệu không khớp bản sao lưu."))
        if result.unapplied_migrations:
            self.stdout.write(
                _(
                    "Bản sao lưu từ phiên bản ANTQ cũ hơn: chạy `antq migrate` trước khi khởi "
                    "động máy chủ."
                )
            )
        self.stdout.write(
            _("Khôi phục thành công. Có thể khởi động lại máy chủ và tiến trình nền.")
        )
