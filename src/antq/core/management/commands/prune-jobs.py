"""``antq prune-jobs``: remove expired job result files and uploads, and old finished jobs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from antq.core.jobs import JOB_KEEP_DAYS, job_result_hours, jobs_prune


class Command(BaseCommand):
    help = (
        "Xoá các tệp kết quả và tệp tải lên của việc nền đã quá hạn giữ, và các việc nền đã "
        "xong từ lâu. Nên chạy hằng ngày."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = jobs_prune()
        self.stdout.write(
            f"Đã xoá {result.files} tệp cũ hơn {job_result_hours()} giờ và {result.jobs} việc "
            f"nền đã xong hơn {JOB_KEEP_DAYS} ngày."
        )
