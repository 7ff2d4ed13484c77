"""Background work of the hotline: large exports of the tip list.

Like ``registry/tasks.py``, a task takes the id of a ``core.Job`` holding its parameters,
claims it (so a task run twice works once), reports progress and finishes or fails it; the
job page polls it and offers the file. The parameters are the filters of the list, never
anything about a tipster.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from antq.core.jobs import job_claim, job_fail, job_files_dir, job_finish, job_progress
from antq.tips import exporting

logger = logging.getLogger(__name__)


@task()
def tips_export_task(job_id: int) -> None:
    """Write the tips the job's owner may see, filtered as he asked, to an .xlsx or .csv."""
    job = job_claim(job_id)
    if job is None:
        return
    try:
        filters = exporting.filters_from_params(job.params.get("filters", {}))
        fmt = job.params.get("format", "xlsx")
        if fmt not in exporting.FORMATS:
            fmt = "xlsx"
        # The scope is the owner's scope now, not when he asked: a ward taken from him since
        # is not exported.
        tips = exporting.tips_for_export(job.owner, filters, job.params.get("q", ""))
        total = tips.count()
        job_progress(job, 0, total)
        path = job_files_dir() / f"tips-export-{job.pk}.{fmt}"

        def progress(done: int) -> None:
            job_progress(job, done, total)

        if fmt == "csv":
            with path.open("w", encoding="utf-8-sig", newline="") as text:
                exporting.write_tips_csv(tips, text, progress=progress)
        else:
            with path.open("wb") as out:
                exporting.write_tips_xlsx(tips, out, progress=progress)
        job_finish(
            job,
            message=_("Đã xuất %(n)s tin báo.") % {"n": total},
            result=path,
            name=exporting.export_filename(timezone.localtime(), fmt),
        )
    except Exception:
        logger.exception("tip export job %s failed", job_id)
        job_fail(job, _("Không xuất được tệp do lỗi hệ thống."))
        raise
